import fc from 'fast-check';
import { allocateRefund, decideRefund, purchasePlanMoney, refundableAmount, valueUsed, type RefundState } from './refund.js';
import type { PurchaseBalanceState } from './redemption.js';

const balance = (over: Partial<PurchaseBalanceState> = {}): PurchaseBalanceState => ({
  serviceId: 'massage',
  total: 10,
  used: 0,
  transferredOut: 0,
  transferredIn: 0,
  visitValue: 10000,
  listPrice: 12000,
  ...over,
});

const state = (over: Partial<RefundState> = {}): RefundState => ({
  kind: 'package',
  status: 'active',
  price: 100000,
  amountPaid: 100000,
  amountRefunded: 0,
  policy: 'prorated',
  balances: [balance({ used: 3 })],
  firstVisitExtra: 0,
  isTransferTarget: false,
  invoices: [{ id: 'inv1', createdAt: '2026-01-01T00:00:00.000Z', amountPaid: 100000, amountRefunded: 0 }],
  ...over,
});

describe('refund policy amounts (worked examples)', () => {
  it('10 visits for 100000, 3 used, prorated: 70000', () => {
    expect(refundableAmount(state())).toBe(70000);
    expect(decideRefund(state(), {})).toEqual({ ok: true, effects: { amount: 70000, allocations: [{ invoiceId: 'inv1', amount: 70000 }], cancels: true, taxAmount: 0 } });
  });
  it('taxed at 13 %: value used 33900 with taxes, refundable 79100, of which taxAmount 9100 (billing-rules.md "Taxes")', () => {
    const taxed = state({
      amountPaid: 113000,
      invoiced: { totals: 113000, subtotals: 100000 },
      invoices: [{ id: 'inv1', createdAt: '2026-01-01T00:00:00.000Z', amountPaid: 113000, amountRefunded: 0, total: 113000, taxTotal: 13000 }],
    });
    expect(refundableAmount(taxed)).toBe(79100);
    expect(decideRefund(taxed, {})).toEqual({ ok: true, effects: { amount: 79100, allocations: [{ invoiceId: 'inv1', amount: 79100 }], cancels: true, taxAmount: 9100 } });
    expect(decideRefund(taxed, { amount: 1130 })).toMatchObject({ ok: true, effects: { amount: 1130, taxAmount: 130 } });
  });
  it("extras on a purchase invoice are not the purchase's money: the refund returns plan money only, with the plan's tax", () => {
    // Package 100000 + 13 % (113000) paid, plus a paid charge of 1130 (1000 + 130) and a paid tip of 500 on the same invoice.
    const invoices = [{ id: 'inv1', createdAt: '2026-01-01T00:00:00.000Z', amountPaid: 114630, amountRefunded: 0, total: 114630, taxTotal: 13130, extrasTotal: 1630, extrasSubtotal: 1500 }];
    const money = purchasePlanMoney([{ status: 'paid', total: 114630, subtotal: 101500, amountPaid: 114630, amountRefunded: 0, extrasTotal: 1630, extrasSubtotal: 1500 }]);
    expect(money).toEqual({ amountPaid: 113000, amountRefunded: 0, invoiced: { totals: 113000, subtotals: 100000 } });
    const withExtras = state({ ...money, invoices });
    // The same as without the extras: 79100 of which 9100 tax.
    expect(decideRefund(withExtras, {})).toEqual({ ok: true, effects: { amount: 79100, allocations: [{ invoiceId: 'inv1', amount: 79100 }], cancels: true, taxAmount: 9100 } });
    expect(decideRefund(withExtras, { amount: 113000 })).toMatchObject({ ok: true, effects: { amount: 113000, taxAmount: 13000 } });
    expect(decideRefund(withExtras, { amount: 113001 })).toEqual({ ok: false, rejected: 'refund_exceeds_paid' });
    // Paid for the plan in part only (payments pay the plan first): at most that comes back.
    expect(allocateRefund(200000, [{ ...invoices[0], amountPaid: 50000 }])).toEqual([{ invoiceId: 'inv1', amount: 50000 }]);
  });
  it('same with list price 12000, full_price: 64000', () => {
    expect(refundableAmount(state({ policy: 'full_price' }))).toBe(64000);
  });
  it('transferred visits count as used', () => {
    expect(valueUsed(state({ balances: [balance({ used: 1, transferredOut: 2 })] }))).toBe(30000);
    expect(valueUsed(state({ policy: 'full_price', balances: [balance({ used: 1, transferredOut: 2 })] }))).toBe(36000);
  });
  it('prorated charges the rounding extra once, with the first visit used', () => {
    expect(valueUsed(state({ price: 100001, firstVisitExtra: 1, balances: [balance()] }))).toBe(0);
    expect(valueUsed(state({ price: 100001, firstVisitExtra: 1, balances: [balance({ used: 2 })] }))).toBe(20001);
    expect(valueUsed(state({ price: 100001, firstVisitExtra: 1, balances: [balance({ used: 10 })] }))).toBe(100001);
  });
  it('membership: started cycles less the unused share of the current one', () => {
    const membership = { fee: 9000, startedCycles: 3, currentCycleUnused: 1, visitsPerCycle: 4 };
    const s = state({ kind: 'membership', price: 9000, amountPaid: 36000, balances: [], membership });
    expect(valueUsed(s)).toBe(27000 - 2250);
    expect(refundableAmount(s)).toBe(36000 - 24750);
    // Rolled-over visits never give back more than one cycle's fee.
    expect(valueUsed({ ...s, membership: { ...membership, currentCycleUnused: 7 } })).toBe(18000);
  });
  it('never below 0', () => {
    expect(refundableAmount(state({ amountPaid: 20000, invoices: [] }))).toBe(0);
  });
});

describe('decideRefund', () => {
  it('nothing_to_refund when the policy amount is 0', () => {
    expect(decideRefund(state({ amountPaid: 30000 }), {})).toEqual({ ok: false, rejected: 'nothing_to_refund' });
  });
  it('nothing_to_refund for a transfer target', () => {
    expect(decideRefund(state({ isTransferTarget: true, price: 0, amountPaid: 0, invoices: [] }), {})).toEqual({ ok: false, rejected: 'nothing_to_refund' });
    expect(decideRefund(state({ isTransferTarget: true }), { amount: 1 })).toEqual({ ok: false, rejected: 'nothing_to_refund' });
  });
  it('an amount may exceed the policy amount but not paid − refunded', () => {
    const s = state({ amountRefunded: 10000, invoices: [{ id: 'inv1', createdAt: '2026-01-01T00:00:00.000Z', amountPaid: 100000, amountRefunded: 10000 }] });
    expect(decideRefund(s, { amount: 90000 })).toMatchObject({ ok: true, effects: { amount: 90000 } });
    expect(decideRefund(s, { amount: 90001 })).toEqual({ ok: false, rejected: 'refund_exceeds_paid' });
  });
  it('nothing_to_refund when nothing paid remains, whatever the amount', () => {
    expect(decideRefund(state({ amountPaid: 0, invoices: [] }), { amount: 100 })).toEqual({ ok: false, rejected: 'nothing_to_refund' });
  });
  it('does not cancel a purchase that is no longer active', () => {
    expect(decideRefund(state({ status: 'cancelled' }), {})).toMatchObject({ ok: true, effects: { cancels: false } });
  });
  it('allocates newest invoice first', () => {
    const invoices = [
      { id: 'i1', createdAt: '2026-01-01T00:00:00.000Z', amountPaid: 33334, amountRefunded: 0 },
      { id: 'i3', createdAt: '2026-03-01T00:00:00.000Z', amountPaid: 33333, amountRefunded: 3333 },
      { id: 'i2', createdAt: '2026-02-01T00:00:00.000Z', amountPaid: 33333, amountRefunded: 0 },
    ];
    expect(allocateRefund(70000, invoices)).toEqual([
      { invoiceId: 'i3', amount: 30000 },
      { invoiceId: 'i2', amount: 33333 },
      { invoiceId: 'i1', amount: 6667 },
    ]);
  });

  it('amount never negative, never above paid − refunded, allocations add up (property)', () => {
    const invoice = fc.record({ paid: fc.integer({ min: 0, max: 50000 }), refundedShare: fc.integer({ min: 0, max: 100 }), day: fc.integer({ min: 1, max: 28 }) });
    fc.assert(
      fc.property(
        fc.array(invoice, { maxLength: 5 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom<'prorated' | 'full_price'>('prorated', 'full_price'),
        fc.option(fc.integer({ min: 1, max: 300000 }), { nil: undefined }),
        (invs, used, out, policy, amount) => {
          const invoices = invs.map((i, k) => ({
            id: `i${k}`,
            createdAt: `2026-01-${String(i.day).padStart(2, '0')}T00:00:00.000Z`,
            amountPaid: i.paid,
            amountRefunded: Math.floor((i.paid * i.refundedShare) / 100),
          }));
          const amountPaid = invoices.reduce((n, i) => n + i.amountPaid, 0);
          const amountRefunded = invoices.reduce((n, i) => n + i.amountRefunded, 0);
          const s = state({ policy, amountPaid, amountRefunded, invoices, balances: [balance({ total: 20, used, transferredOut: out })] });
          const d = decideRefund(s, amount === undefined ? {} : { amount });
          if (!d.ok) {
            expect(['nothing_to_refund', 'refund_exceeds_paid']).toContain(d.rejected);
            return;
          }
          const { effects } = d;
          expect(effects.amount).toBeGreaterThan(0);
          expect(effects.amount).toBeLessThanOrEqual(amountPaid - amountRefunded);
          if (amount === undefined) expect(effects.amount).toBe(refundableAmount(s));
          expect(effects.allocations.reduce((n, a) => n + a.amount, 0)).toBe(effects.amount);
          for (const a of effects.allocations) {
            const inv = invoices.find((i) => i.id === a.invoiceId)!;
            expect(a.amount).toBeGreaterThan(0);
            expect(a.amount).toBeLessThanOrEqual(inv.amountPaid - inv.amountRefunded);
          }
        },
      ),
    );
  });
});
