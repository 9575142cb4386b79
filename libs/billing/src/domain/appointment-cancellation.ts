// Cancelling an appointment or an online booking (billing-rules.md "Correcting"): the
// appointment is cancelled and its invoice voided the way a void does it (invoice-void.ts).
import { accept, reject, type Decision } from './errors.js';
import { decideInvoiceVoid, type InvoiceVoidEffects, type InvoiceVoidState } from './invoice-void.js';

export const APPOINTMENT_STATUSES = ['booked', 'cancelled'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

const HOUR_MS = 3_600_000;

export interface AppointmentCancellationState {
  status: AppointmentStatus;
  /** Epoch milliseconds (an integer: the window is compared exactly). */
  startsAtMs: number;
  /** Its invoice, if it has one. */
  invoice: InvoiceVoidState | null;
}

export interface AppointmentCancellationRequest {
  /** The online role is held to the clinic's window; staff are not. */
  online: boolean;
  /** Epoch milliseconds. */
  nowMs: number;
  /** Clinic setting, 0..168 (default 24). */
  onlineCancellationHours: number;
}

export interface AppointmentCancellationEffects {
  status: 'cancelled';
  /** The invoice's void; null without an invoice, or when it is void already. */
  invoiceVoid: InvoiceVoidEffects | null;
}

/** Online cancellations are allowed while now ≤ startsAt − hours. */
export function withinOnlineCancellationWindow(startsAtMs: number, nowMs: number, hours: number): boolean {
  for (const [n, label] of [[startsAtMs, 'startsAtMs'], [nowMs, 'nowMs'], [hours, 'onlineCancellationHours']] as const) {
    if (!Number.isSafeInteger(n)) throw new RangeError(`${label} must be an integer, got ${n}`);
  }
  return nowMs <= startsAtMs - hours * HOUR_MS;
}

export function decideAppointmentCancellation(state: AppointmentCancellationState, request: AppointmentCancellationRequest): Decision<AppointmentCancellationEffects> {
  if (state.status === 'cancelled') return reject('appointment_cancelled');
  if (request.online && !withinOnlineCancellationWindow(state.startsAtMs, request.nowMs, request.onlineCancellationHours)) {
    return reject('cancellation_window_passed');
  }
  if (!state.invoice) return accept({ status: 'cancelled', invoiceVoid: null });
  const voiding = decideInvoiceVoid(state.invoice);
  if (voiding.ok) return accept({ status: 'cancelled', invoiceVoid: voiding.effects });
  // A void invoice has nothing left to undo.
  if (voiding.rejected === 'invoice_void') return accept({ status: 'cancelled', invoiceVoid: null });
  return voiding;
}
