import fc from 'fast-check';
import { addLiability, purchaseLiability, ZERO_LIABILITY, type Liability, type PurchaseFacts } from './liability.js';
import { mulDivHalfUp } from './money.js';
import { visitValues } from './visit-values.js';

const identityHolds = (l: Liability) => l.paid - l.refunded === l.recognized + l.forfeited + l.outstanding;

describe('purchaseLiability', () => {
  const paidPackage: PurchaseFacts = {
    kind: 'package', paid: 100000, refunded: 0, sumSubtotals: 100000, sumTotals: 100000,
    usedVisits: 3, usedValue: 30000, firstVisitExtra: 0, closed: false, transferTarget: false,
  };

  it('is the worked example of billing-rules.md', () => {
    expect(purchaseLiability(paidPackage)).toEqual({ paid: 100000, refunded: 0, recognized: 30000, forfeited: 0, outstanding: 70000 });
    expect(purchaseLiability({ ...paidPackage, closed: true })).toEqual({ paid: 100000, refunded: 0, recognized: 30000, forfeited: 70000, outstanding: 0 });
    expect(purchaseLiability({ ...paidPackage, closed: true, refunded: 70000 })).toEqual({ paid: 100000, refunded: 70000, recognized: 30000, forfeited: 0, outstanding: 0 });
  });

  it('counts money before tax, half up, with the purchase ratio of subtotals to totals', () => {
    // 113000 paid on a 100000 + 13 % package; 50000 refunded → 44247.78 → 44248 before tax.
    const l = purchaseLiability({ ...paidPackage, paid: 113000, refunded: 50000, sumTotals: 113000, closed: true });
    expect(l).toMatchObject({ paid: 100000, refunded: 44248, recognized: 30000, forfeited: 25752, outstanding: 0 });
  });

  it('puts the rounding remainder on the first visit used, and recognizes nothing of a transfer target', () => {
    expect(purchaseLiability({ ...paidPackage, usedVisits: 1, usedValue: 33333, firstVisitExtra: 1 }).recognized).toBe(33334);
    expect(purchaseLiability({ ...paidPackage, usedVisits: 0, usedValue: 0, firstVisitExtra: 1 }).recognized).toBe(0);
    expect(purchaseLiability({ ...paidPackage, paid: 0, sumSubtotals: 0, sumTotals: 0, transferTarget: true })).toEqual(ZERO_LIABILITY);
  });

  it('recognizes what a membership kept, and owes nothing for it', () => {
    expect(purchaseLiability({ ...paidPackage, kind: 'membership', paid: 15000, refunded: 2000 }))
      .toEqual({ paid: 15000, refunded: 2000, recognized: 13000, forfeited: 0, outstanding: 0 });
  });

  it('lets a generous refund make forfeited negative, and refuses negative facts', () => {
    expect(purchaseLiability({ ...paidPackage, closed: true, refunded: 90000 }).forfeited).toBe(-20000);
    expect(() => purchaseLiability({ ...paidPackage, paid: -1 })).toThrow(RangeError);
  });

  it('sums rows, times the purchases sharing them', () => {
    expect(addLiability(ZERO_LIABILITY, purchaseLiability(paidPackage), 3)).toEqual({ paid: 300000, refunded: 0, recognized: 90000, forfeited: 0, outstanding: 210000 });
  });

  // Random histories of one package: after each step the identity holds, a closed package owes
  // nothing, an open one forfeits nothing and owes at most the value of the visits it has left.
  type Step =
    | { op: 'pay'; share: number } | { op: 'redeem' } | { op: 'reverse' } | { op: 'transfer' }
    | { op: 'refund'; share: number } | { op: 'cancel' } | { op: 'expire' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ op: fc.constant('pay' as const), share: fc.integer({ min: 1, max: 100 }) }),
    fc.constant({ op: 'redeem' as const }), fc.constant({ op: 'redeem' as const }),
    fc.constant({ op: 'reverse' as const }), fc.constant({ op: 'transfer' as const }),
    fc.record({ op: fc.constant('refund' as const), share: fc.integer({ min: 1, max: 100 }) }),
    fc.constant({ op: 'cancel' as const }), fc.constant({ op: 'expire' as const }),
  );

  it('keeps paid − refunded = recognized + forfeited + outstanding through random package histories', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 500000 }), fc.integer({ min: 0, max: 15000 }), fc.array(step, { maxLength: 30 }),
        (visits, price, rateMilliPercent, steps) => {
          const { perVisit, firstVisitExtra } = visitValues(price, [{ serviceId: 's', quantity: visits, listPrice: 10000 }]);
          const value = perVisit.s;
          const tax = mulDivHalfUp(price, rateMilliPercent, 100000);
          const sumTotals = price + tax;
          let paid = 0, refunded = 0, redeemed = 0, transferred = 0, cancelled = false, expired = false;
          for (const s of steps) {
            const used = redeemed + transferred;
            const unlocked = sumTotals === 0 ? visits : Math.floor((visits * paid) / sumTotals);
            const usable = !cancelled && !expired && unlocked > used;
            if (s.op === 'pay' && !cancelled && paid < sumTotals) paid += Math.max(1, Math.floor(((sumTotals - paid) * s.share) / 100));
            else if (s.op === 'redeem' && usable) redeemed += 1;
            else if (s.op === 'transfer' && usable) transferred += 1;
            else if (s.op === 'reverse' && !cancelled && redeemed > 0) redeemed -= 1;
            else if (s.op === 'refund' && paid > refunded) {
              refunded += Math.max(1, Math.floor(((paid - refunded) * s.share) / 100));
              cancelled = true; // a refund of an active purchase cancels it
            } else if (s.op === 'cancel') cancelled = true;
            else if (s.op === 'expire') expired = true;

            const usedVisits = redeemed + transferred;
            const closed = cancelled || expired;
            const l = purchaseLiability({
              kind: 'package', paid, refunded, sumSubtotals: price, sumTotals,
              usedVisits, usedValue: usedVisits * value, firstVisitExtra, closed, transferTarget: false,
            });
            expect(identityHolds(l)).toBe(true);
            expect(l.paid).toBeLessThanOrEqual(price);
            if (closed) expect(l.outstanding).toBe(0);
            else {
              expect(l.forfeited).toBe(0);
              const leftValue = (visits - usedVisits) * value + (usedVisits === 0 ? firstVisitExtra : 0);
              expect(l.outstanding).toBeLessThanOrEqual(leftValue);
              // Visits unlock as money comes in, so what was used is about what was paid (the first visit's remainder, and one cent of tax rounding, aside).
              expect(l.outstanding).toBeGreaterThanOrEqual(-firstVisitExtra - 1);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the identity for memberships, whatever is paid and refunded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 7 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 15000 }), (paid, share, rate) => {
        const refunded = Math.floor((paid * share) / 100);
        const subtotal = 100000;
        const l = purchaseLiability({ kind: 'membership', paid, refunded, sumSubtotals: subtotal, sumTotals: subtotal + mulDivHalfUp(subtotal, rate, 100000), usedVisits: 0, usedValue: 0, firstVisitExtra: 0, closed: false, transferTarget: false });
        expect(identityHolds(l)).toBe(true);
        expect(l.outstanding).toBe(0);
        expect(l.forfeited).toBe(0);
      }),
    );
  });
});
