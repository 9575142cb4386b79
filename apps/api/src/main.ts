import { assertServicesReachable, explainConnectionError, loadConfig, stopOnSignals } from '@app/billing';
import { Logger } from 'nestjs-pino';
import { createApiApp, drainAndClose } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  await assertServicesReachable(config);
  const app = await createApiApp(config);
  await app.listen(config.PORT, '0.0.0.0');
  const logger = app.get(Logger);
  const port = (app.getHttpServer().address() as { port: number } | null)?.port ?? config.PORT;
  logger.log(`Clinic Billing API listening on http://127.0.0.1:${port} (docs: /docs, dashboard: /dashboard, metrics: /metrics)`);

  stopOnSignals(logger, `draining requests (up to ${config.SHUTDOWN_TIMEOUT_MS} ms), then closing`, () => drainAndClose(app, config.SHUTDOWN_TIMEOUT_MS));
}

main().catch((error: unknown) => {
  console.error(explainConnectionError(error));
  process.exit(1);
});
