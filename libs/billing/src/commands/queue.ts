import type { JobsOptions, Queue } from 'bullmq';

export const COMMANDS_QUEUE = 'commands';
export const MAINTENANCE_QUEUE = 'maintenance';
/** The name of every job on the commands queue. */
export const COMMAND_JOB = 'command';

/** A job is only a wake-up call: the command row in Postgres holds the request and the outcome. */
export interface CommandJobData {
  commandId: string;
}

export function commandJobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: 500 },
    // A completed job is forgotten at once (issue 17): Postgres is the record, nothing re-adds a
    // finished command (the sweeper and retry look at its row first, and a duplicate delivery
    // finds it final), and keeping 10,000 for an hour cost Redis a trim on every completion
    // (~62-68 against ~48-54 µs of Redis CPU per job cycle, microbenchmark of 5,000 jobs). Failed
    // jobs (rare: an unreadable command) stay a week for Bull Board.
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * Queues the wake-up call for a stored command. The job id is the command id, so a command
 * queued twice while its job waits or runs is one job; once completed (and removed) a second
 * job finds the command final and does nothing. `options` adds to the queue's defaults.
 */
export function enqueueCommand(queue: Queue<CommandJobData>, commandId: string, options: JobsOptions = {}) {
  return queue.add(COMMAND_JOB, { commandId }, { ...options, jobId: options.jobId ?? commandId });
}

/** Queues the wake-up calls of several stored commands in one round trip to Redis (one `addBulk`). */
export async function enqueueCommands(queue: Queue<CommandJobData>, commandIds: readonly string[]): Promise<void> {
  if (commandIds.length === 0) return;
  await queue.addBulk(commandIds.map((commandId) => ({ name: COMMAND_JOB, data: { commandId }, opts: { jobId: commandId } })));
}

/**
 * The API's wake-up calls, gathered per turn of the event loop (issue 17): the commands whose
 * storing finished in one turn (their transactions' replies read in one poll phase) are queued
 * with one `addBulk` in the check phase of that same turn (`setImmediate`), one Redis round trip
 * for all of them instead of one each. No reply waits longer than that turn: each `enqueue`
 * still resolves only once its own job is in Redis (a command is answered once it is queued),
 * and fails if the batch does (the command stays queued in Postgres for the sweeper).
 */
export class CommandEnqueuer {
  private pending: { commandId: string; done: (error?: unknown) => void }[] = [];

  constructor(private readonly queue: Queue<CommandJobData>) {}

  enqueue(commandId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ commandId, done: (error) => (error === undefined ? resolve() : reject(error instanceof Error ? error : new Error(String(error)))) });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    let failure: unknown;
    try {
      // One alone is added on its own: a pipeline of one costs more than a plain add (~75 against ~35 µs).
      if (batch.length === 1) await enqueueCommand(this.queue, batch[0].commandId);
      else await enqueueCommands(this.queue, batch.map((entry) => entry.commandId));
    } catch (error) {
      failure = error ?? new Error('addBulk failed');
    }
    for (const entry of batch) entry.done(failure);
  }
}
