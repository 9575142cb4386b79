import { decideAppointmentCancellation, type AppointmentStatus } from '../../domain/appointment-cancellation.js';
import { DEFAULT_CLINIC_SETTINGS } from '../../entities/clinic.entity.js';
import { db } from '../../db/query.js';
import { rejected, shapedWrite, succeeded, type CommandHandler, type ShapedWrite } from '../handler.js';
import type { GivenBackResult } from '../catalogue.js';
import { invoiceVoidWrites, loadVoidableInvoice } from './invoice-void.effects.js';

/**
 * Cancels an appointment or an online booking (billing-rules.md "Correcting"): the appointment
 * cancelled and its invoice voided as a void does it, in one transaction.
 */
export const appointmentCancellationHandler: CommandHandler<'appointment_cancellation'> = {
  async handle({ em, command, request, clinic }) {
    // The appointment first, then what a void locks (purchases, then the invoice).
    const [appointment] = await em.execute<{ id: string; status: AppointmentStatus; starts_at: Date; invoice_id: string | null }[]>(
      `select a.id, a.status, a.starts_at, coalesce((select i.id from invoice i where i.appointment_id = a.id), a.invoice_id) as invoice_id
         from appointment a where a.id = ? and a.clinic_id = ? for update`,
      [request.appointmentId, clinic.id],
    );
    if (!appointment) return rejected('appointment_cancelled', 'The appointment does not exist');
    const voidable = appointment.invoice_id ? await loadVoidableInvoice(em, clinic.id, appointment.invoice_id) : null;
    const decision = decideAppointmentCancellation(
      { status: appointment.status, startsAtMs: new Date(appointment.starts_at).getTime(), invoice: voidable?.state ?? null },
      {
        online: command.channel === 'online',
        // The window is judged when the client asked, not when a worker got to it.
        nowMs: command.createdAt.getTime(),
        onlineCancellationHours: clinic.settings.onlineCancellationHours ?? DEFAULT_CLINIC_SETTINGS.onlineCancellationHours,
      },
    );
    if (!decision.ok) return rejected(decision.rejected);
    const writes: ShapedWrite[] = [
      shapedWrite('appointment.cancelled', [appointment.id], (id) => db.updateTable('appointment').set({ status: 'cancelled' }).where('id', '=', id).where('status', '=', 'booked')),
    ];
    let redemptions: GivenBackResult[] = [];
    if (decision.effects.invoiceVoid && voidable) {
      const voided = invoiceVoidWrites(command, clinic.id, voidable, decision.effects.invoiceVoid, request.reason ?? 'Appointment cancelled');
      writes.push(...voided.writes);
      redemptions = voided.redemptions;
    }
    return succeeded<'appointment_cancellation'>({
      appointmentId: appointment.id,
      status: 'cancelled',
      invoiceId: appointment.invoice_id,
      invoiceVoided: decision.effects.invoiceVoid !== null,
      redemptions,
    }, writes);
  },
};
