import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import { CommandsModule } from '../commands/commands.module.js';
import { DashboardSessionModule } from '../dashboard/session/index.js';
import { DashboardDocumentsController } from './dashboard-documents.controller.js';
import { DocumentsController } from './documents.controller.js';
import { DocumentsService } from './documents.service.js';
import { ReceiptEmailController } from './receipt-email.controller.js';

/** Receipts and statements (PDF), for API keys and for the dashboard's session; receipts by e-mail. */
@Module({
  imports: [CommandsModule, DashboardSessionModule],
  controllers: [DocumentsController, DashboardDocumentsController, ReceiptEmailController],
  providers: [DocumentsService],
})
export class DocumentsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The dashboard's routes read the session cookie.
    consumer.apply(cookieParser()).forRoutes(DashboardDocumentsController);
  }
}
