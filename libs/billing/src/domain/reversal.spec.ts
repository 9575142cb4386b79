import fc from 'fast-check';
import { balanceDue, redeemedInvoice, type SettlingInvoice } from './invoice.js';
import { decideReversal, giveBack, giveBackAll, reopenedStatus, type GiveBackTarget, type ReversalState } from './reversal.js';
import { IllegalTransitionError } from './transitions.js';

const target = (over: Partial<GiveBackTarget> = {}): GiveBackTarget => ({
  redemption: { commandId: 'red-1', purchaseId: 'pkg', serviceId: 'massage', quantity: 1, serviceDate: '2026-03-05', coveredAmount: 12000, creditPayment: null },
  line: { id: 'line-1', amount: 12000, listAmount: 12000 },
  // One redeemed massage line: nothing due, so paid.
  invoice: { id: 'inv-1', status: 'paid', total: 12000, coveredAmount: 12000, amountPaid: 0 },
  purchase: { id: 'pkg', kind: 'package', status: 'active', startDate: '2026-01-31' },
  ...over,
});
const state = (over: Partial<ReversalState> = {}): ReversalState => ({
  command: { type: 'redemption', status: 'succeeded' },
  alreadyReversed: false,
  target: target(),
  ...over,
});
const reason = { reason: 'wrong patient' };

describe('decideReversal', () => {
  it('refuses in the written order: not a succeeded redemption, reversed already, cancelled purchase', () => {
    const cancelled = target({ purchase: { ...target().purchase, status: 'cancelled' } });
    expect(decideReversal(state({ command: { type: 'transfer', status: 'succeeded' }, alreadyReversed: true, target: cancelled }), reason)).toEqual({ ok: false, rejected: 'not_reversible' });
    expect(decideReversal(state({ command: { type: 'redemption', status: 'rejected' } }), reason)).toEqual({ ok: false, rejected: 'not_reversible' });
    expect(decideReversal(state({ command: { type: 'redemption', status: 'failed' } }), reason)).toEqual({ ok: false, rejected: 'not_reversible' });
    expect(decideReversal(state({ alreadyReversed: true, target: cancelled }), reason)).toEqual({ ok: false, rejected: 'already_reversed' });
    // Released by a void: no target left, and it counts as reversed.
    expect(decideReversal(state({ alreadyReversed: true, target: null }), reason)).toEqual({ ok: false, rejected: 'already_reversed' });
    expect(decideReversal(state({ target: cancelled }), reason)).toEqual({ ok: false, rejected: 'purchase_not_active' });
  });

  it('gives a package visit back: +quantity, the line released, a paid invoice open again, exhausted → active', () => {
    const t = target({ purchase: { ...target().purchase, status: 'exhausted' }, redemption: { ...target().redemption, quantity: 2, coveredAmount: 24000 }, line: { id: 'line-1', amount: 24000, listAmount: 24000 }, invoice: { id: 'inv-1', status: 'paid', total: 24000, coveredAmount: 24000, amountPaid: 0 } });
    expect(decideReversal(state({ target: t }), reason)).toEqual({
      ok: true,
      effects: {
        kind: 'redemption_reversed',
        redemptionId: 'red-1',
        purchaseId: 'pkg',
        serviceId: 'massage',
        invoiceId: 'inv-1',
        lineId: 'line-1',
        quantity: 2,
        ledger: { serviceId: 'massage', visits: 2, cycleStart: null },
        line: { amount: 24000, coveredAmount: 0, taxDelta: 0 },
        voidPaymentId: null,
        invoice: { total: 24000, coveredAmount: 0, amountPaid: 0, status: 'open' },
        purchaseStatus: 'active',
        history: { type: 'redemption_reversed', quantity: 2, invoiceId: 'inv-1', note: 'wrong patient' },
      },
    });
  });

  it("a membership's visit goes back to the cycle of the line's service date (clamped months)", () => {
    const t = target({ purchase: { id: 'mem', kind: 'membership', status: 'active', startDate: '2026-01-31', billingInterval: 'month' } });
    // Cycles: Jan 31, Feb 28, Mar 31: Mar 5 is in the Feb 28 cycle.
    expect(decideReversal(state({ target: t }), reason)).toMatchObject({ ok: true, effects: { ledger: { cycleStart: '2026-02-28' }, purchaseStatus: null } });
    const onStart = target({ ...t, redemption: { ...t.redemption, serviceDate: '2026-03-31' } });
    expect(decideReversal(state({ target: onStart }), reason)).toMatchObject({ ok: true, effects: { ledger: { cycleStart: '2026-03-31' } } });
  });

  it('an insurance-friendly line goes back to list price and its package_credit payment is voided', () => {
    const t = target({
      redemption: { ...target().redemption, coveredAmount: 0, creditPayment: { id: 'pay-credit', amount: 10000 } },
      line: { id: 'line-1', amount: 10000, listAmount: 12000 },
      invoice: { id: 'inv-1', status: 'paid', total: 10000, coveredAmount: 0, amountPaid: 10000 },
    });
    expect(decideReversal(state({ target: t }), reason)).toMatchObject({
      ok: true,
      effects: { voidPaymentId: 'pay-credit', line: { amount: 12000, coveredAmount: 0 }, invoice: { total: 12000, coveredAmount: 0, amountPaid: 0, status: 'open' } },
    });
  });

  it("the line's taxes come back on the invoice total", () => {
    const t = target({ line: { id: 'line-1', amount: 12000, listAmount: 12000, restoredTax: 1797 } });
    expect(decideReversal(state({ target: t }), reason)).toMatchObject({ ok: true, effects: { line: { taxDelta: 1797 }, invoice: { total: 13797, coveredAmount: 0, status: 'open' } } });
  });

  it('an expired package stays expired; an active one stays active', () => {
    for (const status of ['expired', 'active'] as const) {
      const t = target({ purchase: { ...target().purchase, status } });
      expect(decideReversal(state({ target: t }), reason)).toMatchObject({ ok: true, effects: { purchaseStatus: null, ledger: { visits: 1 } } });
    }
  });

  it('undoes a redemption exactly: redeem then reverse restores the totals, and the status follows what is due (property)', () => {
    const arb = fc.record({
      otherLines: fc.nat(50_000),
      paidOnOthers: fc.nat(50_000),
      listAmount: fc.integer({ min: 1, max: 50_000 }),
      visitValue: fc.integer({ min: 0, max: 50_000 }),
      insurance: fc.boolean(),
      exhausted: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ otherLines, paidOnOthers, listAmount, visitValue, insurance, exhausted }) => {
        const paid = Math.min(paidOnOthers, otherLines);
        const before: SettlingInvoice = { status: 'open', total: otherLines + listAmount, coveredAmount: 0, amountPaid: paid };
        const lineAfter = insurance ? visitValue : listAmount;
        const covered = insurance ? 0 : listAmount;
        const credit = insurance ? visitValue : 0;
        const redeemed = redeemedInvoice(before, { lineAmount: listAmount, newLineAmount: lineAfter, coveredAmount: covered, creditPayment: credit });
        const t = target({
          redemption: { ...target().redemption, coveredAmount: covered, creditPayment: credit > 0 ? { id: 'p', amount: credit } : null },
          line: { id: 'l', amount: lineAfter, listAmount },
          invoice: { id: 'i', ...redeemed },
          purchase: { ...target().purchase, status: exhausted ? 'exhausted' : 'active' },
        });
        const d = decideReversal(state({ target: t }), reason);
        if (!d.ok) throw new Error(d.rejected);
        const { status, ...totals } = d.effects.invoice;
        expect(totals).toEqual({ total: before.total, coveredAmount: 0, amountPaid: paid });
        expect(status).toBe(balanceDue(totals) > 0 ? 'open' : 'paid');
        expect(d.effects.ledger?.visits).toBe(1);
        expect(d.effects.purchaseStatus).toBe(exhausted ? 'active' : null);
      }),
    );
  });
});

describe('giveBack for a void', () => {
  it("a cancelled purchase's redemption is only released: no visit back, status unchanged", () => {
    const t = target({ purchase: { ...target().purchase, status: 'cancelled' } });
    expect(giveBack(t, 'redemption_released', 'void')).toMatchObject({
      kind: 'redemption_released',
      ledger: null,
      purchaseStatus: null,
      line: { amount: 12000, coveredAmount: 0 },
      invoice: { coveredAmount: 0, status: 'open' },
      history: { type: 'redemption_released', quantity: 1, invoiceId: 'inv-1', note: 'void' },
    });
  });

  it('takes every redemption off in turn, each on the invoice the previous left, releasing the cancelled ones', () => {
    const inv = { id: 'inv-1', status: 'paid' as const, total: 22000, coveredAmount: 12000, amountPaid: 10000 };
    const ordinary = target({ invoice: inv });
    const insured = target({
      redemption: { commandId: 'red-2', purchaseId: 'old', serviceId: 'facial', quantity: 1, serviceDate: '2026-03-05', coveredAmount: 0, creditPayment: { id: 'pay-2', amount: 10000 } },
      line: { id: 'line-2', amount: 10000, listAmount: 9000 },
      invoice: inv,
      purchase: { id: 'old', kind: 'package', status: 'cancelled', startDate: '2026-01-01' },
    });
    const [first, second] = giveBackAll([ordinary, insured], 'void');
    expect(first).toMatchObject({ kind: 'redemption_reversed', invoice: { total: 22000, coveredAmount: 0, amountPaid: 10000, status: 'open' } });
    expect(second).toMatchObject({ kind: 'redemption_released', ledger: null, voidPaymentId: 'pay-2', invoice: { total: 21000, coveredAmount: 0, amountPaid: 0, status: 'open' } });
  });
});

describe('reopenedStatus', () => {
  it('opens a paid invoice that owes again, pays one that owes nothing, keeps void and blank ones', () => {
    expect(reopenedStatus({ status: 'paid', total: 500, coveredAmount: 0, amountPaid: 0 })).toBe('open');
    expect(reopenedStatus({ status: 'open', total: 500, coveredAmount: 0, amountPaid: 500 })).toBe('paid');
    expect(reopenedStatus({ status: 'void', total: 500, coveredAmount: 0, amountPaid: 0 })).toBe('void');
    expect(reopenedStatus({ status: 'open', total: 0, coveredAmount: 0, amountPaid: 0 })).toBe('open');
    expect(reopenedStatus({ status: 'paid', total: 500, coveredAmount: 0, amountPaid: 200, amountWrittenOff: 300 })).toBe('paid');
    expect(() => reopenedStatus({ status: 'bogus' as never, total: 1, coveredAmount: 0, amountPaid: 0 })).toThrow(IllegalTransitionError);
  });
});
