import { Module } from '@nestjs/common';
import { AppointmentsModule } from '../appointments/appointments.module.js';
import { CommandsModule } from '../commands/commands.module.js';
import { InvoicesModule } from '../invoices/invoices.module.js';
import { BookingsController } from './bookings.controller.js';
import { BookingsService } from './bookings.service.js';

@Module({
  imports: [AppointmentsModule, InvoicesModule, CommandsModule],
  controllers: [BookingsController],
  providers: [BookingsService],
})
export class BookingsModule {}
