import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Booking } from '@app/billing';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { ANY_ROLE, BACK_OFFICE, Roles, STAFF } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { notFound } from '../common/problem.exception.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CommandsService } from '../commands/commands.service.js';
import { AppointmentCancellationDto, BookingCancellationDto, InvoiceRefundDto, InvoiceVoidDto, ReversalDto } from './dto/corrections.dto.js';

/** Corrections (api-v1.md "Corrections"): every one a command, queued to the worker. */
@ApiTags('commands')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: true })
@ApiHeader({ name: 'Prefer', required: false, description: 'wait=N (N ≤ 30)' })
@Controller('v1')
export class CorrectionsController {
  constructor(
    private readonly commands: CommandsService,
    private readonly em: EntityManager,
  ) {}

  @Post('redemptions/:id/reversal')
  @HttpCode(202)
  @Roles(...STAFF)
  @CommandEndpoint()
  reverse(@Param('id', UuidParam) id: string, @Body() body: ReversalDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'reversal', { redemptionId: id, ...body });
  }

  @Post('invoices/:id/void')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  voidInvoice(@Param('id', UuidParam) id: string, @Body() body: InvoiceVoidDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'invoice_void', { invoiceId: id, ...body });
  }

  @Post('invoices/:id/refunds')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  refundInvoice(@Param('id', UuidParam) id: string, @Body() body: InvoiceRefundDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'invoice_refund', { invoiceId: id, ...body });
  }

  @Post('appointments/:id/cancellation')
  @HttpCode(202)
  @Roles(...STAFF)
  @CommandEndpoint()
  cancelAppointment(@Param('id', UuidParam) id: string, @Body() body: AppointmentCancellationDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'appointment_cancellation', { appointmentId: id, ...body });
  }

  /** Online: its own bookings only (another's is 404, as if it did not exist), held to the clinic's window; staff: any. */
  @Post('bookings/:id/cancellation')
  @HttpCode(202)
  @Roles(...ANY_ROLE)
  @CommandEndpoint()
  async cancelBooking(@Param('id', UuidParam) id: string, @Body() body: BookingCancellationDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    const booking = await this.em.fork().findOne(Booking, { id, clinicId: auth.clinicId }, { fields: ['id', 'appointmentId', 'createdByKeyId'] });
    const online = auth.role === 'online';
    if (!booking || (online && booking.createdByKeyId !== auth.keyId)) throw notFound('Booking');
    return this.commands.submit(req, auth, 'appointment_cancellation', { appointmentId: booking.appointmentId, bookingId: booking.id, ...body }, { channel: online ? 'online' : 'staff' });
  }
}
