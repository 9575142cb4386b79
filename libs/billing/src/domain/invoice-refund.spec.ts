import fc from 'fast-check';
import { decideInvoiceRefund, invoiceRefundable, type InvoiceRefundState } from './invoice-refund.js';

const state = (over: Partial<InvoiceRefundState> = {}): InvoiceRefundState => ({
  kind: 'service',
  payments: [
    { amount: 10000, method: 'package_credit' },
    { amount: 3000, method: 'card' },
    { amount: 2000, method: 'cash' },
    { amount: 900, method: 'cash', voided: true },
    { amount: -1000, method: 'card' },
  ],
  amountRefunded: 1000,
  ...over,
});

describe('decideInvoiceRefund', () => {
  it('refundable: positive money payments (no package credit, nothing voided) less what was refunded', () => {
    expect(invoiceRefundable(state())).toBe(4000);
    expect(invoiceRefundable(state({ amountRefunded: 9000 }))).toBe(0);
  });

  it('refuses in the written order: a purchase invoice, nothing refundable, more than refundable', () => {
    for (const kind of ['package', 'installment', 'membership'] as const) {
      expect(decideInvoiceRefund(state({ kind, payments: [] }), { amount: 999_999 })).toEqual({ ok: false, rejected: 'refund_via_purchase' });
    }
    expect(decideInvoiceRefund(state({ amountRefunded: 5000 }), { amount: 999_999 })).toEqual({ ok: false, rejected: 'nothing_to_refund' });
    expect(decideInvoiceRefund(state({ payments: [{ amount: 10000, method: 'package_credit' }], amountRefunded: 0 }), {})).toEqual({ ok: false, rejected: 'nothing_to_refund' });
    expect(decideInvoiceRefund(state(), { amount: 4001 })).toEqual({ ok: false, rejected: 'refund_exceeds_paid' });
    expect(decideInvoiceRefund(state(), { amount: 0 })).toEqual({ ok: false, rejected: 'nothing_to_refund' });
  });

  it('refunds all that is refundable by default, or the amount asked; tax 0 unless a tax rule is given', () => {
    expect(decideInvoiceRefund(state(), {})).toEqual({ ok: true, effects: { amount: 4000, taxAmount: 0 } });
    expect(decideInvoiceRefund(state(), { amount: 1500 })).toEqual({ ok: true, effects: { amount: 1500, taxAmount: 0 } });
    const tax = (amount: number) => Math.floor((amount * 1300 + 5650) / 11300); // 13 % of a taxed total, half up
    expect(decideInvoiceRefund(state(), { amount: 1130 }, { taxAmount: tax })).toEqual({ ok: true, effects: { amount: 1130, taxAmount: 130 } });
  });

  it('never gives back more than came in (property)', () => {
    const payment = fc.record({ amount: fc.integer({ min: -5000, max: 5000 }), method: fc.constantFrom('cash', 'card', 'package_credit'), voided: fc.boolean() });
    fc.assert(
      fc.property(fc.array(payment, { maxLength: 8 }), fc.nat(20_000), fc.option(fc.integer({ min: 1, max: 40_000 }), { nil: undefined }), (payments, refunded, amount) => {
        const s = state({ payments, amountRefunded: refunded });
        const d = decideInvoiceRefund(s, { amount });
        if (d.ok) {
          expect(d.effects.amount).toBeGreaterThanOrEqual(1);
          expect(refunded + d.effects.amount).toBeLessThanOrEqual(payments.filter((p) => !p.voided && p.method !== 'package_credit' && p.amount > 0).reduce((n, p) => n + p.amount, 0));
          if (amount === undefined) expect(d.effects.amount).toBe(invoiceRefundable(s));
        } else {
          expect(d.rejected).toBe(invoiceRefundable(s) === 0 ? 'nothing_to_refund' : 'refund_exceeds_paid');
        }
      }),
    );
  });
});
