import { assertServicesReachable, explainConnectionError, loadConfig } from '@app/billing';
import { createApiApp } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  await assertServicesReachable(config);
  const app = await createApiApp(config);
  await app.listen(config.PORT, '0.0.0.0');
  console.log(`Clinic Billing API listening on http://127.0.0.1:${config.PORT} (docs: /docs, dashboard: /dashboard)`);
}

main().catch((error: unknown) => {
  console.error(explainConnectionError(error));
  process.exit(1);
});
