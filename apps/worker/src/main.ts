import { assertServicesReachable, explainConnectionError, loadConfig } from '@app/billing';
import { createWorkerApp } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  await assertServicesReachable(config);
  const app = await createWorkerApp(config);
  await app.listen(config.WORKER_PORT, '127.0.0.1');
  console.log(`Clinic Billing worker running (concurrency ${config.WORKER_CONCURRENCY}; health and metrics on :${config.WORKER_PORT})`);
}

main().catch((error: unknown) => {
  console.error(explainConnectionError(error));
  process.exit(1);
});
