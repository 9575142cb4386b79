import { assertServicesReachable, explainConnectionError, loadConfig } from '@app/billing';
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

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while draining: stop now (the jobs in progress are re-run elsewhere).
    if (stopping) process.exit(1);
    stopping = true;
    logger.log(`${signal}: finishing the jobs in progress (up to ${config.SHUTDOWN_TIMEOUT_MS} ms), then closing`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(explainConnectionError(error));
  process.exit(1);
});
