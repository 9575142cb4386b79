import type { JobsOptions } from 'bullmq';

export const COMMANDS_QUEUE = 'commands';
export const MAINTENANCE_QUEUE = 'maintenance';

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
