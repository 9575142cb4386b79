/**
 * Postgres breaks a deadlock by rolling one of its transactions back whole (SQLSTATE 40P01) and
 * letting the others go on. Commands take their locks in one order (purchases, then invoices),
 * but a worker's shared transaction holds several commands' locks at once, so a transaction that
 * waits for rows it holds can be the one rolled back. Running it again is safe: nothing of it
 * was written.
 */
export const isDeadlock = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '40P01';

/** Times a deadlock's victim runs again at once before its error is let through. */
export const DEADLOCK_RERUNS = 3;

/** Runs a whole transaction (`work`), again at once when Postgres rolled it back to break a deadlock. */
export async function rerunDeadlocked<T>(work: () => Promise<T>): Promise<T> {
  for (let reruns = DEADLOCK_RERUNS; ; reruns--) {
    try {
      return await work();
    } catch (error) {
      if (reruns === 0 || !isDeadlock(error)) throw error;
    }
  }
}
