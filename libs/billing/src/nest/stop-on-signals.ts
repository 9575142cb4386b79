/**
 * SIGTERM and SIGINT run `close` once (drain, then close the app) and exit; a second signal while
 * closing exits at once (what was in flight is re-run elsewhere: commands are idempotent).
 */
export function stopOnSignals(logger: { log: (message: string) => void; error: (error: unknown, message: string) => void }, closing: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.log(`${signal}: ${closing}`);
    close().then(
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
