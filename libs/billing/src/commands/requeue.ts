import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { enqueueCommand, type CommandJobData } from './queue.js';

/**
 * Commands that Postgres says are waiting but Redis has no live job for (Redis lost its data,
 * or the API could not reach it after storing the command): queue them again. Re-queuing a
 * command that is in fact alive is harmless: the runner skips finished commands.
 */
export async function requeueStrandedCommands(
  em: EntityManager,
  queue: Queue<CommandJobData>,
  options: { olderThanMs: number; limit: number; clinicId?: string; exceptId?: string },
): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(
    `select id from command where status in ('queued', 'running') and created_at < now() - make_interval(secs => ?)
       and (?::uuid is null or clinic_id = ?::uuid) and (?::uuid is null or id <> ?::uuid)
     order by created_at limit ?`,
    [options.olderThanMs / 1000, options.clinicId ?? null, options.clinicId ?? null, options.exceptId ?? null, options.exceptId ?? null, options.limit],
  );
  let requeued = 0;
  for (const { id } of rows) {
    const job = await queue.getJob(id);
    const state = job ? await job.getState() : 'missing';
    if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
    // A finished job (completed, or failed past its attempts) cannot be re-added under its id until removed.
    if (job) await job.remove().catch(() => undefined);
    await enqueueCommand(queue, id);
    requeued += 1;
  }
  return requeued;
}
