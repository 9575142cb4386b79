import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module.js';
import { InvoicesModule } from '../invoices/invoices.module.js';
import { AppointmentInvoicesService } from './appointment-invoices.service.js';
import { AppointmentsController } from './appointments.controller.js';
import { AppointmentsService } from './appointments.service.js';

@Module({
  imports: [ClinicsModule, InvoicesModule],
  controllers: [AppointmentsController],
  providers: [AppointmentsService, AppointmentInvoicesService],
  exports: [AppointmentsService, AppointmentInvoicesService],
})
export class AppointmentsModule {}
