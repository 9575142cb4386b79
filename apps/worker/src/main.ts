import { assertServicesReachable, explainConnectionError, loadConfig, stopOnSignals } from '@app/billing';
import { Logger } from 'nestjs-pino';
import { createWorkerApp } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  await assertServicesReachable(config);
  const app = await createWorkerApp(config);
  await app.listen(config.WORKER_PORT, config.WORKER_HOST);
  const logger = app.get(Logger);
  const address = app.getHttpServer().address() as { port: number } | null;
  logger.log(`Clinic Billing worker running (concurrency ${config.WORKER_CONCURRENCY}; health and metrics on ${config.WORKER_HOST}:${address?.port ?? config.WORKER_PORT})`);

  stopOnSignals(logger, `finishing the jobs in progress (up to ${config.SHUTDOWN_TIMEOUT_MS} ms), then closing`, () => app.close());
}

main().catch((error: unknown) => {
  console.error(explainConnectionError(error));
  process.exit(1);
});
