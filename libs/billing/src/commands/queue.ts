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
    // Keep finished jobs a while (dedupe by jobId, Bull Board), then let Redis forget them:
    // Postgres is the record.
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * Queues the wake-up call for a stored command. The job id is the command id, so a command
 * queued twice while its job is retained runs once; `options` adds to the queue's defaults.
 */
export function enqueueCommand(queue: Queue<CommandJobData>, commandId: string, options: JobsOptions = {}) {
  return queue.add(COMMAND_JOB, { commandId }, { ...options, jobId: options.jobId ?? commandId });
}
