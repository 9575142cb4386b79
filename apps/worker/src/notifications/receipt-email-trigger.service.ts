import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig, COMMAND_EVENTS_CHANNEL, enqueueReceiptEmail, NOTIFICATIONS_QUEUE, PgListener, type CommandEvent, type NotificationJobData } from '@app/billing';
import type { Queue } from 'bullmq';

/**
 * Queues a receipt's mail when its receipt_email command has succeeded: the runner announces
 * finished commands with NOTIFY, which Postgres delivers on commit, so the mail never goes out
 * for a command that rolled back. Every worker hears it; the job id (from the command) makes
 * one job. A missed notification is caught by the notifications sweep.
 */
@Injectable()
export class ReceiptEmailTrigger implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ReceiptEmailTrigger.name);
  private readonly listener: PgListener;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue<NotificationJobData>,
  ) {
    this.listener = new PgListener(config.DATABASE_URL, [COMMAND_EVENTS_CHANNEL], { onNotification: (_, payload) => this.heard(payload) }, this.logger);
  }

  private heard(payload: string): void {
    let event: Pick<CommandEvent, 'id' | 'type' | 'status'>;
    try {
      event = JSON.parse(payload) as CommandEvent;
    } catch {
      return;
    }
    if (event.type !== 'receipt_email' || event.status !== 'succeeded') return;
    enqueueReceiptEmail(this.queue, event.id).catch((error: Error) => this.logger.warn(`Could not queue the receipt e-mail of ${event.id} (the sweep will): ${error.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }
}
