import { decideCancellation, type CancellationState } from './cancellation.js';

const pkg = (over: Partial<CancellationState> = {}): CancellationState => ({
  kind: 'package',
  status: 'active',
  startDate: '2026-01-01',
  cancelAt: null,
  balances: [
    { total: 10, used: 3, transferredOut: 1, transferredIn: 0 },
    { total: 2, used: 0, transferredOut: 0, transferredIn: 0 },
  ],
  ...over,
});
const mem = (over: Partial<CancellationState> = {}): CancellationState => ({
  kind: 'membership',
  status: 'active',
  startDate: '2026-01-31',
  billingInterval: 'month',
  cancelAt: null,
  balances: [],
  ...over,
});

describe('decideCancellation', () => {
  it('a package is cancelled at once, forfeiting its remaining visits and voiding open instalments', () => {
    expect(decideCancellation(pkg(), { today: '2026-03-10', effective: 'end_of_cycle' })).toEqual({
      ok: true,
      effects: { status: 'cancelled', cancelAt: '2026-03-10', forfeitedVisits: 8, voidOpenInvoices: 'installments' },
    });
  });
  it('a membership by default stays active until the first day after the current cycle', () => {
    // Cycle Feb 28 .. Mar 30: ends on Mar 31, the next cycle's start.
    expect(decideCancellation(mem(), { today: '2026-03-10' })).toEqual({
      ok: true,
      effects: { status: 'active', cancelAt: '2026-03-31', forfeitedVisits: 0, voidOpenInvoices: 'unstarted_cycles' },
    });
    expect(decideCancellation(mem(), { today: '2026-03-31', effective: 'end_of_cycle' })).toMatchObject({ ok: true, effects: { cancelAt: '2026-04-30' } });
  });
  it('a membership not started yet ends on its start date', () => {
    expect(decideCancellation(mem(), { today: '2026-01-20' })).toMatchObject({ ok: true, effects: { status: 'active', cancelAt: '2026-01-31' } });
  });
  it('now: cancelled today, open invoices of unstarted cycles voided', () => {
    expect(decideCancellation(mem(), { today: '2026-03-10', effective: 'now' })).toEqual({
      ok: true,
      effects: { status: 'cancelled', cancelAt: '2026-03-10', forfeitedVisits: 0, voidOpenInvoices: 'unstarted_cycles' },
    });
  });
  it('purchase_not_active: not active, or a membership already set to end', () => {
    for (const status of ['cancelled', 'exhausted', 'expired']) {
      expect(decideCancellation(pkg({ status }), { today: '2026-03-10' })).toEqual({ ok: false, rejected: 'purchase_not_active' });
    }
    expect(decideCancellation(mem({ cancelAt: '2026-03-31' }), { today: '2026-03-10', effective: 'now' })).toEqual({ ok: false, rejected: 'purchase_not_active' });
  });
});
