import fc from 'fast-check';
import { decideInvoiceVoid, netMoneyReceived, type InvoiceVoidState } from './invoice-void.js';

const state = (over: Partial<InvoiceVoidState> = {}): InvoiceVoidState => ({
  kind: 'service',
  status: 'paid',
  payments: [],
  redemptions: [
    { commandId: 'red-1', purchaseId: 'pkg', purchaseStatus: 'exhausted' },
    { commandId: 'red-2', purchaseId: 'old', purchaseStatus: 'cancelled' },
  ],
  ...over,
});

describe('decideInvoiceVoid', () => {
  it('refuses in the written order: void already, not a service invoice, money not refunded', () => {
    const cash = [{ amount: 500, method: 'cash' }];
    expect(decideInvoiceVoid(state({ status: 'void', kind: 'package', payments: cash }))).toEqual({ ok: false, rejected: 'invoice_void' });
    for (const kind of ['package', 'installment', 'membership'] as const) {
      expect(decideInvoiceVoid(state({ kind, payments: cash }))).toEqual({ ok: false, rejected: 'invoice_not_voidable' });
    }
    expect(decideInvoiceVoid(state({ payments: cash }))).toEqual({ ok: false, rejected: 'invoice_has_payments' });
    expect(decideInvoiceVoid(state({ payments: [...cash, { amount: -200, method: 'cash' }] }))).toEqual({ ok: false, rejected: 'invoice_has_payments' });
  });

  it('ignores package credit, voided payments and money refunded in full', () => {
    const payments = [
      { amount: 10000, method: 'package_credit' },
      { amount: 700, method: 'card', voided: true },
      { amount: 500, method: 'cash' },
      { amount: -500, method: 'cash' },
    ];
    expect(decideInvoiceVoid(state({ payments }))).toMatchObject({ ok: true });
  });

  it('takes every redemption off, releasing those of cancelled purchases, then voids', () => {
    expect(decideInvoiceVoid(state({ status: 'open' }))).toEqual({
      ok: true,
      effects: {
        redemptions: [
          { commandId: 'red-1', purchaseId: 'pkg', kind: 'redemption_reversed' },
          { commandId: 'red-2', purchaseId: 'old', kind: 'redemption_released' },
        ],
        status: 'void',
      },
    });
    expect(decideInvoiceVoid(state({ redemptions: [] }))).toEqual({ ok: true, effects: { redemptions: [], status: 'void' } });
  });

  it('is refused exactly when money received exceeds what went back (property)', () => {
    const payment = fc.record({ amount: fc.integer({ min: -5000, max: 5000 }), method: fc.constantFrom('cash', 'card', 'package_credit'), voided: fc.boolean() });
    fc.assert(
      fc.property(fc.array(payment, { maxLength: 8 }), (payments) => {
        const money = payments.filter((p) => !p.voided && p.method !== 'package_credit').reduce((n, p) => n + p.amount, 0);
        expect(netMoneyReceived(payments)).toBe(money);
        expect(decideInvoiceVoid(state({ payments })).ok).toBe(money <= 0);
      }),
    );
  });
});
