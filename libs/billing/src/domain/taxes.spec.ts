import fc from 'fast-check';
import { MAX_RATE_MILLI_PERCENT, MILLI_PERCENT_WHOLE, parseRate, splitEvenly, sumAmounts } from './money.js';
import {
  beforeTax,
  invoiceTotals,
  lineTaxes,
  refundTaxAmount,
  splitWithTaxes,
  sumTaxes,
  taxAmount,
  taxesByCode,
  taxInclusiveValue,
  visitLineTaxes,
  visitTaxes,
  type TaxRate,
} from './taxes.js';
import { visitValues } from './visit-values.js';

const HST: TaxRate = { code: 'HST', rateMilliPercent: parseRate('13') };
const GST: TaxRate = { code: 'GST', rateMilliPercent: parseRate('5') };
const PST: TaxRate = { code: 'PST', rateMilliPercent: parseRate('7') };
const QST: TaxRate = { code: 'QST', rateMilliPercent: parseRate('9.975') };

const money = fc.integer({ min: 0, max: 1_000_000_000 });
const rate = fc.integer({ min: 0, max: MAX_RATE_MILLI_PERCENT });
const rates = fc
  .uniqueArray(fc.constantFrom('HST', 'GST', 'PST', 'QST', 'VAT'), { maxLength: 3 })
  .chain((codes) => fc.tuple(...codes.map((code) => rate.map((rateMilliPercent) => ({ code, rateMilliPercent })))));

describe('a line\'s taxes', () => {
  it('13 % of 12345 is 1605', () => {
    expect(taxAmount(12345, 13000)).toBe(1605);
    expect(lineTaxes(12345, [HST])).toEqual([{ code: 'HST', rateMilliPercent: 13000, amount: 1605 }]);
  });

  it('GST 5 % and PST 7 % are rounded each on its own, not as one 12 %', () => {
    // 617.5 → 618 and 864.5 → 865: 1483, where one 12 % tax would be 1482.
    expect(lineTaxes(12350, [GST, PST])).toEqual([
      { code: 'GST', rateMilliPercent: 5000, amount: 618 },
      { code: 'PST', rateMilliPercent: 7000, amount: 865 },
    ]);
    expect(taxAmount(12350, 12000)).toBe(1482);
    expect(invoiceTotals([{ amount: 12350, taxes: lineTaxes(12350, [GST, PST]) }])).toEqual({ subtotal: 12350, taxTotal: 1483, total: 13833 });
  });

  it('handles three decimals of a percent exactly', () => {
    expect(taxAmount(10000, QST.rateMilliPercent)).toBe(998); // 997.5 → 998
    expect(taxAmount(9999, QST.rateMilliPercent)).toBe(997); // 997.40025
    expect(taxAmount(1_000_000_000, MAX_RATE_MILLI_PERCENT)).toBe(500_000_000);
  });

  it('gives no taxes when nothing is taxable, and keeps a code at rate 0 with amount 0', () => {
    expect(lineTaxes(0, [HST, GST])).toEqual([]);
    expect(lineTaxes(5000, [])).toEqual([]);
    expect(lineTaxes(5000, [{ code: 'ZERO', rateMilliPercent: 0 }])).toEqual([{ code: 'ZERO', rateMilliPercent: 0, amount: 0 }]);
  });

  it('refuses a code twice, a rate out of range or fractional, a fractional amount', () => {
    expect(() => lineTaxes(100, [HST, HST])).toThrow(RangeError);
    expect(() => lineTaxes(100, [{ code: 'X', rateMilliPercent: 50_001 }])).toThrow(RangeError);
    expect(() => lineTaxes(100, [{ code: 'X', rateMilliPercent: -1 }])).toThrow(RangeError);
    expect(() => lineTaxes(100, [{ code: 'X', rateMilliPercent: 12.5 }])).toThrow(RangeError);
    expect(() => lineTaxes(100.5, [HST])).toThrow(RangeError);
  });

  it('each tax is within half a cent of the exact one, halves rounded up', () => {
    fc.assert(
      fc.property(money, rates, (taxable, rs) => {
        const taxes = lineTaxes(taxable, rs);
        expect(taxes).toHaveLength(taxable === 0 ? 0 : rs.length);
        for (const t of taxes) {
          // error × 100 % = amount × 100 % − taxable × rate, exact in BigInt: in (−½, ½] of a cent.
          const err = BigInt(t.amount) * BigInt(MILLI_PERCENT_WHOLE) - BigInt(taxable) * BigInt(t.rateMilliPercent);
          expect(2n * err > -BigInt(MILLI_PERCENT_WHOLE) && 2n * err <= BigInt(MILLI_PERCENT_WHOLE)).toBe(true);
          expect(Number.isSafeInteger(t.amount) && t.amount >= 0).toBe(true);
        }
      }),
    );
  });

  it('a rate of 0 changes nothing', () => {
    fc.assert(
      fc.property(fc.array(money, { maxLength: 20 }), (amounts) => {
        const lines = amounts.map((amount) => ({ amount, taxes: lineTaxes(amount, [{ code: 'ZERO', rateMilliPercent: 0 }]) }));
        const subtotal = sumAmounts(amounts);
        expect(invoiceTotals(lines)).toEqual({ subtotal, taxTotal: 0, total: subtotal });
      }),
    );
  });
});

describe('invoiceTotals and taxesByCode', () => {
  it('sums lines before tax and their taxes; an invoice without taxes has total = Σ line amounts', () => {
    const lines = [
      { amount: 12345, taxes: lineTaxes(12345, [HST]) },
      { amount: 2000, taxes: [] }, // a tip
      { amount: 0, taxes: lineTaxes(0, [HST]) }, // a redeemed visit
    ];
    expect(invoiceTotals(lines)).toEqual({ subtotal: 14345, taxTotal: 1605, total: 15950 });
    expect(invoiceTotals([])).toEqual({ subtotal: 0, taxTotal: 0, total: 0 });
    fc.assert(
      fc.property(fc.array(money, { maxLength: 20 }), rates, (amounts, rs) => {
        const t = invoiceTotals(amounts.map((amount) => ({ amount, taxes: lineTaxes(amount, rs) })));
        expect(t.subtotal).toBe(sumAmounts(amounts));
        expect(t.total).toBe(t.subtotal + t.taxTotal);
        if (rs.length === 0) expect(t.total).toBe(sumAmounts(amounts));
      }),
    );
  });

  it('lists an invoice\'s taxes per code and rate, a line keeping its older rate apart', () => {
    const lines = [
      { taxes: lineTaxes(10000, [GST, PST]) },
      { taxes: lineTaxes(5000, [GST]) },
      { taxes: lineTaxes(10000, [{ code: 'PST', rateMilliPercent: 6000 }]) },
    ];
    expect(taxesByCode(lines)).toEqual([
      { code: 'GST', rateMilliPercent: 5000, amount: 750 },
      { code: 'PST', rateMilliPercent: 7000, amount: 700 },
      { code: 'PST', rateMilliPercent: 6000, amount: 600 },
    ]);
    expect(lines[0].taxes[0].amount).toBe(500); // the lines themselves are left alone
  });
});

describe('splitWithTaxes (instalments)', () => {
  it('splits 100000 at 13 % in 3: price and tax each remainder first', () => {
    expect(splitWithTaxes(100000, [HST], 3)).toEqual([
      { amount: 33334, taxes: [{ code: 'HST', rateMilliPercent: 13000, amount: 4334 }], total: 37668 },
      { amount: 33333, taxes: [{ code: 'HST', rateMilliPercent: 13000, amount: 4333 }], total: 37666 },
      { amount: 33333, taxes: [{ code: 'HST', rateMilliPercent: 13000, amount: 4333 }], total: 37666 },
    ]);
  });

  it('splits each of two taxes on its own', () => {
    // GST 5 % of 99999 = 4999.95 → 5000; PST 7 % = 6999.93 → 7000.
    const parts = splitWithTaxes(99999, [GST, PST], 2);
    expect(parts.map((p) => p.amount)).toEqual([50000, 49999]);
    expect(parts.map((p) => p.taxes.map((t) => t.amount))).toEqual([
      [2500, 3500],
      [2500, 3500],
    ]);
    expect(sumAmounts(parts.map((p) => p.total))).toBe(99999 + 5000 + 7000);
  });

  it('adds up to price + taxes exactly; the instalments\' taxes add up to the taxes of the whole', () => {
    fc.assert(
      fc.property(money, rates, fc.integer({ min: 1, max: 60 }), (price, rs, count) => {
        const parts = splitWithTaxes(price, rs, count);
        const whole = lineTaxes(price, rs);
        expect(parts).toHaveLength(count);
        expect(sumAmounts(parts.map((p) => p.amount))).toBe(price);
        expect(parts.map((p) => p.amount)).toEqual(splitEvenly(price, count));
        for (const [i, tax] of whole.entries()) {
          const shares = parts.map((p) => p.taxes[i]);
          expect(shares.every((s) => s.code === tax.code && s.rateMilliPercent === tax.rateMilliPercent)).toBe(true);
          expect(sumAmounts(shares.map((s) => s.amount))).toBe(tax.amount);
          expect(shares.map((s) => s.amount)).toEqual(splitEvenly(tax.amount, count));
        }
        for (const p of parts) {
          expect(p.taxes).toHaveLength(whole.length);
          expect(p.total).toBe(p.amount + sumTaxes(p.taxes));
        }
        expect(sumAmounts(parts.map((p) => p.total))).toBe(price + sumTaxes(whole));
      }),
    );
  });

  it('a rate of 0 changes nothing', () => {
    fc.assert(
      fc.property(money, fc.integer({ min: 1, max: 60 }), (price, count) => {
        const parts = splitWithTaxes(price, [{ code: 'ZERO', rateMilliPercent: 0 }], count);
        expect(parts.map((p) => p.total)).toEqual(splitEvenly(price, count));
      }),
    );
  });
});

describe('refunds and reports', () => {
  // 10 massages for 100000 at 13 %, paid in full (113000), 3 used (prorated: 3 × 10000).
  it('counts the value used with taxes, returns tax with the refund, and reports before tax', () => {
    const used = taxInclusiveValue(30000, 113000, 100000);
    expect(used).toBe(33900);
    const refunded = 113000 - used;
    expect(refunded).toBe(79100);
    expect(refundTaxAmount(refunded, 13000, 113000)).toBe(9100);
    expect(beforeTax(refunded, 100000, 113000)).toBe(70000);
  });

  it('rounds half up once on the whole', () => {
    // 3 instalments of 100000 at 13 %: Σ total 113000, Σ subtotal 100000. 1 × 1.13 = 1.13 → 1; 50 × 1.13 = 56.5 → 57.
    expect(taxInclusiveValue(1, 113000, 100000)).toBe(1);
    expect(taxInclusiveValue(50, 113000, 100000)).toBe(57);
    expect(refundTaxAmount(5000, 13000, 113000)).toBe(575); // 575.22
    expect(beforeTax(113, 100000, 113000)).toBe(100);
  });

  it('without taxes, nothing changes and no tax is returned', () => {
    fc.assert(
      fc.property(money, money, (amount, sum) => {
        expect(taxInclusiveValue(amount, sum, sum)).toBe(amount);
        expect(beforeTax(amount, sum, sum)).toBe(amount);
        expect(refundTaxAmount(amount, 0, sum)).toBe(0);
      }),
    );
    expect(taxInclusiveValue(12000, 0, 0)).toBe(12000); // a free purchase, full_price policy
    expect(refundTaxAmount(500, 0, 0)).toBe(0);
  });

  it('a refund\'s tax and its part before tax make the refund, up to one cent on an exact half', () => {
    fc.assert(
      fc.property(money, fc.integer({ min: 1, max: 1_000_000_000 }), rate, (amount, subtotal, r) => {
        const tax = taxAmount(subtotal, r);
        const taxPart = refundTaxAmount(amount, tax, subtotal + tax);
        const netPart = beforeTax(amount, subtotal, subtotal + tax);
        expect(taxPart).toBeLessThanOrEqual(amount);
        expect(taxPart + netPart - amount).toBeGreaterThanOrEqual(0);
        expect(taxPart + netPart - amount).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('refuses negative sums and taxes above the total', () => {
    expect(() => taxInclusiveValue(100, -1, 100)).toThrow(RangeError);
    expect(() => beforeTax(100, 100, -1)).toThrow(RangeError);
    expect(() => refundTaxAmount(100, 200, 100)).toThrow(RangeError);
    expect(() => refundTaxAmount(1.5, 0, 0)).toThrow(RangeError);
  });
});

describe('an insurance-friendly visit\'s taxes', () => {
  it('3 visits for 100000 at 13 %: the first visit takes both remainders, and the visits add up to 113000', () => {
    const items = [{ serviceId: 'massage', quantity: 3, listPrice: 12000 }];
    const values = visitValues(100000, items);
    const taxes = visitTaxes(lineTaxes(100000, [HST]), items);
    expect(values).toEqual({ perVisit: { massage: 33333 }, firstVisitExtra: 1 });
    expect(taxes).toEqual([{ code: 'HST', rateMilliPercent: 13000, perVisit: { massage: 4333 }, firstVisitExtra: 1 }]);
    const first = visitLineTaxes(taxes, 'massage', 1, true);
    const later = visitLineTaxes(taxes, 'massage', 1, false);
    expect(first).toEqual([{ code: 'HST', rateMilliPercent: 13000, amount: 4334 }]);
    expect(later).toEqual([{ code: 'HST', rateMilliPercent: 13000, amount: 4333 }]);
    // Rounding each visit on its own would lose a cent: 3 × round(33333 × 13 %) = 12999.
    expect(taxAmount(33334, 13000) + 2 * taxAmount(33333, 13000)).toBe(12999);
    expect(33334 + 4334 + 2 * (33333 + 4333)).toBe(113000);
    expect(visitLineTaxes(taxes, 'massage', 2, false)).toEqual([{ code: 'HST', rateMilliPercent: 13000, amount: 8666 }]);
  });

  it('spreads two taxes by the list prices, like the values', () => {
    // 2 massages (12000) + 1 assessment (6000) for 25000 with GST + PST: weights 2:2:1.
    const items = [
      { serviceId: 'massage', quantity: 2, listPrice: 12000 },
      { serviceId: 'assessment', quantity: 1, listPrice: 6000 },
    ];
    const taxes = visitTaxes(lineTaxes(25000, [GST, PST]), items);
    expect(taxes.map((t) => [t.code, t.perVisit, t.firstVisitExtra])).toEqual([
      ['GST', { massage: 500, assessment: 250 }, 0],
      ['PST', { massage: 700, assessment: 350 }, 0],
    ]);
    expect(visitLineTaxes(taxes, 'assessment', 1, false).map((t) => t.amount)).toEqual([250, 350]);
  });

  it('a package without taxes gives its visits none; an unknown service is refused', () => {
    const items = [{ serviceId: 'massage', quantity: 10, listPrice: 12000 }];
    expect(visitLineTaxes(visitTaxes(lineTaxes(100000, []), items), 'massage', 1, true)).toEqual([]);
    expect(visitLineTaxes(visitTaxes(lineTaxes(0, [HST]), items), 'massage', 1, true)).toEqual([]);
    expect(() => visitLineTaxes(visitTaxes(lineTaxes(100000, [HST]), items), 'facial', 1, false)).toThrow(RangeError);
  });

  it('Σ visit (value + taxes) = price + Σ package taxes, in whatever order the visits are used', () => {
    const item = fc.record({ quantity: fc.integer({ min: 0, max: 12 }), listPrice: fc.integer({ min: 0, max: 50_000 }) });
    const plan = fc
      .array(item, { minLength: 1, maxLength: 4 })
      .filter((is) => is.some((i) => i.quantity > 0))
      .map((is) => is.map((i, k) => ({ serviceId: `s${k}`, ...i })));
    const usage = plan.chain((items) =>
      fc.tuple(fc.constant(items), fc.shuffledSubarray(items.flatMap((i) => Array<string>(i.quantity).fill(i.serviceId)), { minLength: items.reduce((n, i) => n + i.quantity, 0) })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), rates, usage, (price, rs, [items, order]) => {
        const packageTaxes = lineTaxes(price, rs);
        const values = visitValues(price, items);
        const taxes = visitTaxes(packageTaxes, items);
        let paid = 0;
        order.forEach((serviceId, k) => {
          const first = k === 0;
          const lineAmount = values.perVisit[serviceId] + (first ? values.firstVisitExtra : 0);
          const lineTaxesOfVisit = visitLineTaxes(taxes, serviceId, 1, first);
          expect(lineTaxesOfVisit.every((t) => t.amount >= 0)).toBe(true);
          paid += lineAmount + sumTaxes(lineTaxesOfVisit); // the package_credit payment
        });
        expect(paid).toBe(price + sumTaxes(packageTaxes));
      }),
    );
  });
});
