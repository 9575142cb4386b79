import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig, NOTIFICATIONS_QUEUE, NOTIFICATIONS_SWEEP_JOB, type NotificationJobData } from '@app/billing';
import { deliverReceiptEmail, recordReceiptEmailFailure, requeueUnsentReceiptEmails } from '@app/billing/worker';
import type { Job, Queue } from 'bullmq';
import { Mailer } from './mailer.js';

/** Mail is slow and rare: a couple at a time is plenty and keeps database connections for billing. */
const CONCURRENCY = 2;
/** A receipt_email this young may simply be on its way from the commit's notification. */
const UNSENT_AFTER_MS = 10_000;

/**
 * The notifications queue: e-mails receipts for succeeded receipt_email commands (retried with
 * backoff, sent once: deliverReceiptEmail), and a sweep for those whose job was lost.
 */
@Processor(NOTIFICATIONS_QUEUE)
export class NotificationsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(NotificationsProcessor.name);

  constructor(
    private readonly em: EntityManager,
    @Inject(AppConfig) private readonly config: AppConfig,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue<NotificationJobData>,
    private readonly mailer: Mailer,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = CONCURRENCY;
    await this.queue.upsertJobScheduler(NOTIFICATIONS_SWEEP_JOB, { every: this.config.SWEEP_INTERVAL_MS }, { name: NOTIFICATIONS_SWEEP_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  async process(job: Job<NotificationJobData>): Promise<unknown> {
    if (job.name === NOTIFICATIONS_SWEEP_JOB) {
      const requeued = await requeueUnsentReceiptEmails(this.em.fork(), this.queue, { olderThanMs: UNSENT_AFTER_MS, limit: 500 });
      if (requeued > 0) this.logger.warn(`Re-queued ${requeued} receipt e-mail(s) not sent yet`);
      return { requeued };
    }
    const { commandId } = job.data;
    try {
      return await deliverReceiptEmail(this.em, (mail) => this.mailer.send(mail), commandId, this.mailer.domain);
    } catch (error) {
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 < attempts) throw error;
      this.logger.error({ commandId, err: error }, 'Receipt e-mail failed: retries exhausted');
      await recordReceiptEmailFailure(this.em, commandId, attempts);
      return 'failed';
    }
  }
}
