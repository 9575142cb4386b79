import fc from 'fast-check';
import { balanceDue } from './invoice.js';
import type { RedemptionEffects } from './redemption.js';
import { redemptionInvoiceEffects } from './redemption-invoice.js';
import { lineTaxes, sumTaxes } from './taxes.js';

const HST = [{ code: 'HST', rateMilliPercent: 13_000 }];
const covered = (coveredAmount: number): RedemptionEffects => ({ purchaseId: 'p', serviceId: 's', quantity: 1, cycleStart: null, coveredAmount, insurance: null, exhausts: false });

describe('redemptionInvoiceEffects', () => {
  it('leaves an ordinary redeemed visit with no tax and nothing due (its tax was charged with the package)', () => {
    const taxes = lineTaxes(12_000, HST);
    const invoice = { total: 12_000 + sumTaxes(taxes), coveredAmount: 0, amountPaid: 0, status: 'open' as const, taxTotal: sumTaxes(taxes) };
    const { line, invoice: after, creditPayment } = redemptionInvoiceEffects(invoice, { amount: 12_000, taxes }, covered(12_000), null);
    expect(line).toEqual({ amount: 12_000, coveredAmount: 12_000, taxes: [], unitPrice: null });
    expect(after).toEqual({ total: 12_000, subtotal: 12_000, taxTotal: 0, coveredAmount: 12_000, amountPaid: 0, status: 'paid' });
    expect(creditPayment).toBe(0);
  });

  it('taxes only what the patient still pays (a patient portion) and keeps the invoice consistent', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (amount, portionRaw) => {
      const portion = Math.min(portionRaw, amount);
      const taxes = lineTaxes(amount, HST);
      const invoice = { total: amount + sumTaxes(taxes), coveredAmount: 0, amountPaid: 0, status: 'open' as const, taxTotal: sumTaxes(taxes) };
      const { line, invoice: after } = redemptionInvoiceEffects(invoice, { amount, taxes }, covered(amount - portion), null);
      expect(sumTaxes(line.taxes)).toBe(sumTaxes(lineTaxes(portion, HST)));
      expect(after.total).toBe(after.subtotal + after.taxTotal);
      expect(balanceDue({ ...after, amountWrittenOff: 0 })).toBe(portion + sumTaxes(line.taxes));
    }));
  });
});
