import { ApiProperty } from '@nestjs/swagger';
import { AppointmentResponse } from '../../appointments/dto/appointment.response.js';
import { CommandResponse } from '../../commands/dto/command.response.js';
import { InvoiceResponse } from '../../invoices/dto/invoice.response.js';

/** An online booking: its appointment, invoice and the redemption command made for it, if any. */
export class BookingResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: () => AppointmentResponse })
  appointment: AppointmentResponse;

  @ApiProperty({ type: () => InvoiceResponse })
  invoice: InvoiceResponse;

  @ApiProperty({ type: () => CommandResponse, nullable: true, description: 'null when no purchase of the patient may be redeemed online' })
  redemption: CommandResponse | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
