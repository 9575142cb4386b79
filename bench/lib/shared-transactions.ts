// How the workers grouped commands into shared transactions (CommandBatcher), from their /metrics.
import { metricOf } from './accept-latency.ts';
import type { Stack } from './processes.ts';

export interface SharedTransactions {
  /** Transactions that ran two or more commands and committed, and the commands they held. */
  committed: number;
  commands: number;
  /** Shared transactions rolled back (a deadlock, a command that runs alone): each command then ran alone. */
  rolledBack: number;
}

export async function sharedTransactions(stack: Stack): Promise<SharedTransactions> {
  const totals: SharedTransactions = { committed: 0, commands: 0, rolledBack: 0 };
  for (const url of stack.workerUrls) {
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${stack.env.METRICS_TOKEN}` } })).text();
    totals.committed += metricOf(text, 'shared_command_transactions_count', 'outcome="committed"', 0);
    totals.commands += metricOf(text, 'shared_command_transactions_sum', 'outcome="committed"', 0);
    totals.rolledBack += metricOf(text, 'shared_command_transactions_count', 'outcome="rolled_back"', 0);
  }
  return totals;
}

/** What happened between two readings. */
export const sharedSince = (before: SharedTransactions, after: SharedTransactions): SharedTransactions => ({
  committed: after.committed - before.committed,
  commands: after.commands - before.commands,
  rolledBack: after.rolledBack - before.rolledBack,
});
