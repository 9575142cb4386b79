import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { assertTransition } from '../domain/transitions.js';
import { Command } from '../entities/command.entity.js';
import { COMMAND_COLUMNS } from '../db/columns.js';
import { db, run } from '../db/query.js';
import { enqueueCommand, type CommandJobData } from './queue.js';

export type RetryOutcome = { ok: true; command: Command } | { ok: false; reason: 'not_found' | 'not_retryable' };

/** The job states in which a job under the command's id still runs or will: adding one would be a no-op. */
const LIVE_JOB_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * A failed command back to `queued` for a fresh round of attempts (billing-rules.md "Retry"):
 * same id, request and effect keys, `attempts` still counting. Its failed attempts rolled back,
 * so it wrote nothing, and its effect keys make a second application impossible anyway.
 *
 * The status moves in one guarded UPDATE (failed → queued, from the transition table), so of two
 * concurrent retries one wins and the other is not_retryable. Then the wake-up call: the old job
 * under jobId = command id may still be there (failed, kept a week; or still finishing: a completed
 * job is removed at once) and would swallow a new add as a duplicate, so it is removed first. If it cannot be
 * (still finishing), or Redis is down, the command stays queued in Postgres and the sweeper
 * (requeue.ts) queues it once its job is gone; the runner skips a command already finished, so a
 * late duplicate delivery runs nothing twice.
 */
export async function retryFailedCommand(em: EntityManager, queue: Queue<CommandJobData>, clinicId: string, commandId: string): Promise<RetryOutcome> {
  assertTransition('command', 'failed', 'queued');
  const fork = em.fork();
  const [row] = await run(fork,
    db.updateTable('command')
      .set({ status: 'queued', error: null, finished_at: null })
      .where('id', '=', commandId)
      .where('clinic_id', '=', clinicId)
      .where('status', '=', 'failed')
      .returning([...COMMAND_COLUMNS]),
  );
  if (!row) {
    const [exists] = await run(fork, db.selectFrom('command').select('id').where('id', '=', commandId).where('clinic_id', '=', clinicId));
    return { ok: false, reason: exists ? 'not_retryable' : 'not_found' };
  }
  await wakeUp(queue, commandId);
  return { ok: true, command: fork.map(Command, row as Record<string, unknown>) };
}

async function wakeUp(queue: Queue<CommandJobData>, commandId: string): Promise<void> {
  try {
    const job = await queue.getJob(commandId);
    if (job && LIVE_JOB_STATES.has(await job.getState())) return;
    if (job) await job.remove();
    await enqueueCommand(queue, commandId);
  } catch {
    // Left to the sweeper: the command is queued in Postgres, which is the record.
  }
}
