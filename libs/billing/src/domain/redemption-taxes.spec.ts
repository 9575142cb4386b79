import fc from 'fast-check';
import { redeemedLineTaxes, restoredLineTaxes } from './redemption-taxes.js';
import { lineTaxes, sumTaxes, visitLineTaxes, visitTaxes, type LineTax } from './taxes.js';

const HST = { code: 'HST', rateMilliPercent: 13000 };
const massage = (amount: number): LineTax[] => lineTaxes(amount, [HST]);

describe('a redeemed line is not taxed twice (billing-rules.md "Taxes")', () => {
  it('an ordinary redeemed visit has no taxes', () => {
    expect(redeemedLineTaxes(massage(12000), 0, null)).toEqual({ taxes: [], creditTax: 0 });
  });

  it('a patient portion is taxed at the line\'s own rates', () => {
    expect(redeemedLineTaxes(massage(12000), 2000, null)).toEqual({ taxes: [{ code: 'HST', rateMilliPercent: 13000, amount: 260 }], creditTax: 0 });
  });

  it('an insurance-friendly visit carries its share of the package taxes, the first visit the remainder', () => {
    const perVisit = visitTaxes(lineTaxes(100000, [HST]), [{ serviceId: 'm', quantity: 3, listPrice: 12000 }]);
    const first = redeemedLineTaxes(massage(12000), 0, { serviceId: 'm', quantity: 1, packageTaxes: { perVisit, firstVisitUnclaimed: true } });
    const next = redeemedLineTaxes(massage(12000), 0, { serviceId: 'm', quantity: 1, packageTaxes: { perVisit, firstVisitUnclaimed: false } });
    expect(first).toEqual({ taxes: [{ code: 'HST', rateMilliPercent: 13000, amount: 4334 }], creditTax: 4334 });
    expect(next).toEqual({ taxes: [{ code: 'HST', rateMilliPercent: 13000, amount: 4333 }], creditTax: 4333 });
    expect(first.creditTax + 2 * next.creditTax).toBe(13000);
  });

  it('an insurance-friendly visit with a portion: the portion\'s tax stays for the patient, merged by code and rate', () => {
    const perVisit = visitTaxes(lineTaxes(100000, [HST]), [{ serviceId: 'm', quantity: 3, listPrice: 12000 }]);
    const r = redeemedLineTaxes(massage(12000), 2000, { serviceId: 'm', quantity: 1, packageTaxes: { perVisit, firstVisitUnclaimed: false } });
    expect(r).toEqual({ taxes: [{ code: 'HST', rateMilliPercent: 13000, amount: 4333 + 260 }], creditTax: 4333 });
  });

  it('a reversal brings the taxes back at the rates they had (a changed clinic rate changes nothing)', () => {
    expect(restoredLineTaxes(massage(12000), [], 12000)).toEqual({ taxes: massage(12000), taxDelta: 1560 });
    const portion = lineTaxes(2000, [HST]);
    expect(restoredLineTaxes(massage(12000), portion, 12000).taxDelta).toBe(1560 - 260);
  });

  it('property: redeeming then reversing restores the line\'s taxes exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 10_000_000 }), (amount, rate, portion) => {
        const before = lineTaxes(amount, [{ code: 'A', rateMilliPercent: rate }, { code: 'B', rateMilliPercent: 5000 }]);
        const redeemed = redeemedLineTaxes(before, Math.min(portion, amount), null);
        expect(sumTaxes(redeemed.taxes)).toBeLessThanOrEqual(sumTaxes(before));
        const back = restoredLineTaxes(before, redeemed.taxes, amount);
        expect(back.taxes).toEqual(before);
        expect(sumTaxes(redeemed.taxes) + back.taxDelta).toBe(sumTaxes(before));
      }),
    );
  });

  it('property: an insurance-friendly package\'s visits add up to its taxes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 30 }), (price, rate, a, b) => {
        const items = [{ serviceId: 'a', quantity: a, listPrice: 12000 }, { serviceId: 'b', quantity: b, listPrice: 7000 }];
        const whole = lineTaxes(price, [{ code: 'T', rateMilliPercent: rate }]);
        const perVisit = visitTaxes(whole, items);
        let sum = visitLineTaxes(perVisit, 'a', 1, true)[0]?.amount ?? 0;
        sum += (a - 1) * (visitLineTaxes(perVisit, 'a', 1, false)[0]?.amount ?? 0) + b * (visitLineTaxes(perVisit, 'b', 1, false)[0]?.amount ?? 0);
        expect(sum).toBe(sumTaxes(whole));
      }),
    );
  });
});
