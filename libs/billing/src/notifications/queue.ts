import type { JobsOptions, Queue } from 'bullmq';

/** Slow side effects (mail) on a queue of their own, so they never hold a billing job. */
export const NOTIFICATIONS_QUEUE = 'notifications';
export const RECEIPT_EMAIL_JOB = 'receipt-email';
export const NOTIFICATIONS_SWEEP_JOB = 'sweep-notifications';

/** Like a command's job, only a wake-up call: the receipt_email command row is the record. */
export interface NotificationJobData {
  commandId: string;
}

/** The job id derives from the command: one live job per receipt_email command. */
export const receiptEmailJobId = (commandId: string) => `${RECEIPT_EMAIL_JOB}-${commandId}`;

export function notificationJobOptions(): JobsOptions {
  return {
    // A mail server that is down for a few minutes is outlived: 2 s, 4 s, … about 8.5 minutes in all.
    attempts: 8,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** Queues the sending of a receipt_email command's mail (a duplicate while the job is retained is a no-op). */
export function enqueueReceiptEmail(queue: Queue<NotificationJobData>, commandId: string) {
  return queue.add(RECEIPT_EMAIL_JOB, { commandId }, { jobId: receiptEmailJobId(commandId) });
}
