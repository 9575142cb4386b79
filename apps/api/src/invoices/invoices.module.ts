import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module.js';
import { InvoiceViewsService } from './invoice-views.service.js';
import { InvoicesController } from './invoices.controller.js';
import { InvoicesService } from './invoices.service.js';
import { PaymentsController } from './payments.controller.js';
import { PaymentsService } from './payments.service.js';

@Module({
  imports: [ClinicsModule],
  controllers: [InvoicesController, PaymentsController],
  providers: [InvoicesService, InvoiceViewsService, PaymentsService],
  exports: [InvoiceViewsService],
})
export class InvoicesModule {}
