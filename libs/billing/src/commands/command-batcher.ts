import type { Delivery, RunOptions, RunResult } from './command-runner.js';

interface Waiting {
  delivery: Delivery;
  resolve: (result: RunResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for one worker process: at most `transactions` command transactions run at once,
 * and the deliveries that arrive while all of them are busy wait and then share the next one
 * (CommandRunner.runMany). A quiet worker runs each command at once and alone; a busy one pays
 * one BEGIN, COMMIT and WAL flush for several commands. `transactions` at or above the worker's
 * concurrency turns the grouping off. Each delivery settles as soon as its own outcome is known.
 */
export class CommandBatcher {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly runner: { runMany(deliveries: readonly Delivery[], options: Pick<RunOptions, 'onOwnTransactions'>): Promise<RunResult>[] },
    private readonly transactions: number,
  ) {}

  run(delivery: Delivery): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ delivery, resolve, reject });
      this.startNext();
    });
  }

  private startNext(): void {
    while (this.running < this.transactions && this.waiting.length > 0) {
      // Share what is waiting evenly between the free transactions.
      const size = Math.ceil(this.waiting.length / (this.transactions - this.running));
      const batch = this.waiting.splice(0, size);
      this.running++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.running--;
        this.startNext();
      };
      // A reconciliation works in transactions of its own for a long time: it gives its slot back.
      const outcomes = this.runner.runMany(batch.map((w) => w.delivery), { onOwnTransactions: release });
      outcomes.forEach((outcome, i) => outcome.then(batch[i].resolve, batch[i].reject));
      void Promise.allSettled(outcomes).then(release);
    }
  }
}
