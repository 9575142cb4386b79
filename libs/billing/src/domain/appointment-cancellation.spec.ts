import fc from 'fast-check';
import { decideAppointmentCancellation, withinOnlineCancellationWindow, type AppointmentCancellationState } from './appointment-cancellation.js';

const startsAtMs = Date.parse('2026-03-10T15:00:00.000Z');
const hour = 3_600_000;
const state = (over: Partial<AppointmentCancellationState> = {}): AppointmentCancellationState => ({
  status: 'booked',
  startsAtMs,
  invoice: { kind: 'service', status: 'open', payments: [], redemptions: [{ commandId: 'red-1', purchaseId: 'pkg', purchaseStatus: 'active' }] },
  ...over,
});
const online = (nowMs: number) => ({ online: true, nowMs, onlineCancellationHours: 24 });
const staff = (nowMs: number) => ({ online: false, nowMs, onlineCancellationHours: 24 });

describe('decideAppointmentCancellation', () => {
  it('refuses in the written order: cancelled already, online past the window, money on the invoice', () => {
    const paid = state({ invoice: { ...state().invoice!, payments: [{ amount: 100, method: 'card' }] } });
    expect(decideAppointmentCancellation({ ...paid, status: 'cancelled' }, online(startsAtMs))).toEqual({ ok: false, rejected: 'appointment_cancelled' });
    expect(decideAppointmentCancellation(paid, online(startsAtMs - 24 * hour + 1))).toEqual({ ok: false, rejected: 'cancellation_window_passed' });
    expect(decideAppointmentCancellation(paid, online(startsAtMs - 24 * hour))).toEqual({ ok: false, rejected: 'invoice_has_payments' });
    expect(decideAppointmentCancellation(paid, staff(startsAtMs + hour))).toEqual({ ok: false, rejected: 'invoice_has_payments' });
  });

  it('online: allowed up to exactly startsAt − hours, to the millisecond; staff at any time', () => {
    expect(decideAppointmentCancellation(state(), online(startsAtMs - 24 * hour)).ok).toBe(true);
    expect(decideAppointmentCancellation(state(), online(startsAtMs - 24 * hour + 1)).ok).toBe(false);
    expect(decideAppointmentCancellation(state(), { online: true, nowMs: startsAtMs, onlineCancellationHours: 0 }).ok).toBe(true);
    expect(decideAppointmentCancellation(state(), staff(startsAtMs + 48 * hour)).ok).toBe(true);
  });

  it('cancels and voids its invoice, reversing its redemptions; without an invoice or with a void one, only cancels', () => {
    expect(decideAppointmentCancellation(state(), staff(0))).toEqual({
      ok: true,
      effects: { status: 'cancelled', invoiceVoid: { redemptions: [{ commandId: 'red-1', purchaseId: 'pkg', kind: 'redemption_reversed' }], status: 'void' } },
    });
    expect(decideAppointmentCancellation(state({ invoice: null }), staff(0))).toEqual({ ok: true, effects: { status: 'cancelled', invoiceVoid: null } });
    expect(decideAppointmentCancellation(state({ invoice: { ...state().invoice!, status: 'void' } }), staff(0))).toEqual({ ok: true, effects: { status: 'cancelled', invoiceVoid: null } });
  });

  it('the window is exact integer arithmetic (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 168 }), fc.integer({ min: -400 * hour, max: 400 * hour }), (hours, offset) => {
        expect(withinOnlineCancellationWindow(startsAtMs, startsAtMs + offset, hours)).toBe(offset <= -hours * hour);
      }),
    );
    expect(() => withinOnlineCancellationWindow(startsAtMs, 0.5, 24)).toThrow(RangeError);
  });
});
