import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { NOTIFICATIONS_QUEUE, notificationJobOptions } from '@app/billing';
import { Mailer } from './mailer.js';
import { NotificationsProcessor } from './notifications.processor.js';
import { ReceiptEmailTrigger } from './receipt-email-trigger.service.js';

/** The notifications queue (receipts by e-mail): its own queue and a small concurrency, apart from billing. */
@Module({
  imports: [BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE, defaultJobOptions: notificationJobOptions() })],
  providers: [NotificationsProcessor, Mailer, ReceiptEmailTrigger],
})
export class NotificationsModule {}
