import fc from 'fast-check';
import { CommandBatcher } from './command-batcher.js';
import type { Delivery, RunOptions, RunResult } from './command-runner.js';

// A runner that records each transaction's deliveries and finishes it when told.
function fakeRunner() {
  const open: { deliveries: readonly Delivery[]; finish: () => void; settleOne: (i: number) => void; ownTransactions: () => void }[] = [];
  const batches: string[][] = [];
  let running = 0;
  let mostRunning = 0;
  const runner = {
    runMany(deliveries: readonly Delivery[], options: Pick<RunOptions, 'onOwnTransactions'>): Promise<RunResult>[] {
      batches.push(deliveries.map((d) => d.commandId));
      mostRunning = Math.max(mostRunning, ++running);
      const settle: (() => void)[] = [];
      const outcomes = deliveries.map(
        (d) => new Promise<RunResult>((resolve, reject) => settle.push(() => (d.commandId.startsWith('bad') ? reject(new Error(d.commandId)) : resolve('succeeded')))),
      );
      let done = false;
      const finish = () => {
        if (!done) running--;
        done = true;
        settle.forEach((s) => s());
      };
      open.push({ deliveries, finish, settleOne: (i) => settle[i](), ownTransactions: () => options.onOwnTransactions?.() });
      return outcomes;
    },
  };
  return { runner, open, batches, mostRunning: () => mostRunning };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CommandBatcher', () => {
  it('runs a delivery at once and alone while a transaction is free', async () => {
    const { runner, open, batches } = fakeRunner();
    const batcher = new CommandBatcher(runner, 2);
    const first = batcher.run({ commandId: 'a', lastAttempt: false });
    const second = batcher.run({ commandId: 'b', lastAttempt: false });
    expect(batches).toEqual([['a'], ['b']]);
    open.forEach((t) => t.finish());
    await expect(first).resolves.toBe('succeeded');
    await expect(second).resolves.toBe('succeeded');
  });

  it('lets the deliveries that wait for a busy worker share the next transaction, each with its own outcome', async () => {
    const { runner, open, batches } = fakeRunner();
    const batcher = new CommandBatcher(runner, 1);
    const a = batcher.run({ commandId: 'a', lastAttempt: false });
    const waiting = ['b', 'bad-c', 'd'].map((commandId) => batcher.run({ commandId, lastAttempt: true }));
    expect(batches).toEqual([['a']]);
    open[0].finish();
    await a;
    await settle();
    expect(batches).toEqual([['a'], ['b', 'bad-c', 'd']]);
    expect(open[1].deliveries.every((d) => d.lastAttempt)).toBe(true);
    open[1].finish();
    const outcomes = await Promise.allSettled(waiting);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('bad-c'));
  });

  it('settles each delivery of a transaction as soon as its own outcome is known', async () => {
    const { runner, open } = fakeRunner();
    const batcher = new CommandBatcher(runner, 1);
    void batcher.run({ commandId: 'a', lastAttempt: false });
    const waiting = ['b', 'c'].map((commandId) => batcher.run({ commandId, lastAttempt: false }));
    open[0].finish();
    await settle();
    open[1].settleOne(0);
    await expect(waiting[0]).resolves.toBe('succeeded');
    let second = false;
    void waiting[1].then(() => (second = true));
    await settle();
    expect(second).toBe(false);
    open[1].finish();
    await expect(waiting[1]).resolves.toBe('succeeded');
  });

  it('gives back the slot of a command that works in transactions of its own (a reconciliation), once', async () => {
    const { runner, open, batches } = fakeRunner();
    const batcher = new CommandBatcher(runner, 1);
    void batcher.run({ commandId: 'reconciliation', lastAttempt: false });
    void batcher.run({ commandId: 'a', lastAttempt: false });
    expect(batches).toEqual([['reconciliation']]);
    open[0].ownTransactions();
    open[0].ownTransactions();
    expect(batches).toEqual([['reconciliation'], ['a']]);
    void batcher.run({ commandId: 'b', lastAttempt: false });
    // The reconciliation's end frees nothing more: 'a' still holds the one slot.
    open[0].finish();
    await settle();
    expect(batches).toEqual([['reconciliation'], ['a']]);
    open[1].finish();
    await settle();
    expect(batches).toEqual([['reconciliation'], ['a'], ['b']]);
  });

  it('runs every delivery exactly once, never more transactions at once than allowed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), async (transactions, steps) => {
        const { runner, open, batches, mostRunning } = fakeRunner();
        const batcher = new CommandBatcher(runner, transactions);
        const results: Promise<RunResult>[] = [];
        // Each step either delivers a command or finishes the oldest open transaction.
        for (const deliver of steps) {
          if (deliver || open.length === 0) results.push(batcher.run({ commandId: `c${results.length}`, lastAttempt: false }));
          else open.shift()!.finish();
          await settle();
        }
        while (open.length > 0) {
          open.shift()!.finish();
          await settle();
        }
        expect(await Promise.all(results)).toEqual(results.map(() => 'succeeded'));
        expect(batches.flat().sort()).toEqual(results.map((_, i) => `c${i}`).sort());
        expect(mostRunning()).toBeLessThanOrEqual(transactions);
      }),
    );
  });
});
