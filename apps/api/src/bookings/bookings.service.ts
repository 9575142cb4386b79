import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Booking, build, Clinic, Command, commandResource, InvoiceLine, Invoice, loadPurchaseStates, redeemableOptions, redemptionLine, type StoredCommand } from '@app/billing';
import { AppointmentInvoicesService } from '../appointments/appointment-invoices.service.js';
import { AppointmentsService } from '../appointments/appointments.service.js';
import { toAppointmentResponse } from '../appointments/dto/appointment.response.js';
import type { AuthContext } from '../auth/auth-context.js';
import { CommandsService } from '../commands/commands.service.js';
import { notFound } from '../common/problem.exception.js';
import { InvoiceViewsService } from '../invoices/invoice-views.service.js';
import type { CreateBookingDto } from './dto/create-booking.dto.js';

/**
 * Online booking (billing-rules.md "Online booking"): an appointment and its invoice, and a
 * redemption through the online channel when one of the patient's purchases allows it.
 */
@Injectable()
export class BookingsService {
  constructor(
    private readonly em: EntityManager,
    private readonly appointments: AppointmentsService,
    private readonly appointmentInvoices: AppointmentInvoicesService,
    private readonly invoices: InvoiceViewsService,
    private readonly commands: CommandsService,
  ) {}

  async create(auth: AuthContext, dto: CreateBookingDto, correlationId: string | null = null) {
    const appointment = await this.appointments.create(auth.clinicId, dto, auth.keyId);
    const { invoice } = await this.appointmentInvoices.invoiceFor(auth.clinicId, appointment.id, auth.keyId);
    const redemption = await this.redeemOnline(auth, invoice.id, correlationId);
    const booking = build(Booking, {
      clinicId: auth.clinicId,
      appointmentId: appointment.id,
      invoiceId: invoice.id,
      redemptionCommandId: redemption?.id ?? null,
      createdByKeyId: auth.keyId,
    });
    await this.em.fork().persist(booking).flush();
    if (redemption) await this.commands.enqueue(redemption.id);
    return this.view(auth, booking);
  }

  async get(auth: AuthContext, id: string) {
    const booking = await this.em.findOne(Booking, { id, clinicId: auth.clinicId });
    // The online channel sees only its own bookings.
    if (!booking || (auth.role === 'online' && booking.createdByKeyId !== auth.keyId)) throw notFound('Booking');
    return this.view(auth, booking);
  }

  /** Stores an online redemption when the same rules the worker applies say it would succeed now. */
  private async redeemOnline(auth: AuthContext, invoiceId: string, correlationId: string | null): Promise<StoredCommand | null> {
    const em = this.em.fork();
    const [clinic, invoice, line] = await Promise.all([
      em.findOneOrFail(Clinic, { id: auth.clinicId }),
      em.findOneOrFail(Invoice, { id: invoiceId }),
      em.findOneOrFail(InvoiceLine, { invoiceId }),
    ]);
    const purchases = await loadPurchaseStates(em, auth.clinicId, { patientId: invoice.patientId });
    const ctx = { channel: 'online' as const, membershipGraceDays: clinic.settings.membershipGraceDays };
    const options = redeemableOptions(redemptionLine(invoice, line), purchases.map((p) => p.state), ctx);
    if (options.length === 0) return null;
    const stored = await this.commands.store(auth, 'redemption', 'POST /v1/bookings', { invoiceId, lineId: line.id }, null, 'online', correlationId);
    return stored.command;
  }

  private async view(auth: AuthContext, booking: Booking) {
    const { appointment, invoiceId } = await this.appointments.get(auth.clinicId, booking.appointmentId);
    const command = booking.redemptionCommandId ? await this.em.fork().findOne(Command, { id: booking.redemptionCommandId }) : null;
    return {
      id: booking.id,
      appointment: toAppointmentResponse(appointment, invoiceId),
      invoice: await this.invoices.one(auth.clinicId, booking.invoiceId),
      redemption: command ? commandResource(command) : null,
      createdAt: booking.createdAt.toISOString(),
    };
  }
}
