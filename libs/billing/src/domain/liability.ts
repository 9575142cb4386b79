import { assertMinorUnits } from './money.js';
import { beforeTax } from './taxes.js';

/** What a purchase's rows say as of a date (gathered by one set-based query, not here). */
export interface PurchaseFacts {
  kind: 'package' | 'membership';
  /**
   * Money received for the plan by the date and money returned (a positive number), taxes included:
   * each invoice's plan part (payments pay the plan first; tips and charges on it are not the purchase's).
   */
  paid: number;
  refunded: number;
  /** Σ subtotals and Σ totals of its invoices' plan lines, those not void (the before-tax ratio). */
  sumSubtotals: number;
  sumTotals: number;
  /** Visits redeemed (not reversed nor released) or transferred out by the date, and Σ visits × visit value. */
  usedVisits: number;
  usedValue: number;
  /** The rounding remainder of the visit values: it goes on the first visit consumed. */
  firstVisitExtra: number;
  /** A package cancelled by the date, or whose expiresOn is before it. */
  closed: boolean;
  /** A transfer's target: its visits were recognized by the purchase they came from, when they moved. */
  transferTarget: boolean;
}

/** Where the money of a purchase stands, before tax: paid − refunded = recognized + forfeited + outstanding. */
export interface Liability {
  paid: number;
  refunded: number;
  recognized: number;
  forfeited: number;
  outstanding: number;
}

export const ZERO_LIABILITY: Liability = Object.freeze({ paid: 0, refunded: 0, recognized: 0, forfeited: 0, outstanding: 0 });

/** billing-rules.md "Reports: where the money of a purchase stands". */
export function purchaseLiability(f: PurchaseFacts): Liability {
  for (const [label, n] of [['paid', f.paid], ['refunded', f.refunded], ['usedVisits', f.usedVisits], ['usedValue', f.usedValue], ['firstVisitExtra', f.firstVisitExtra]] as const) {
    assertMinorUnits(n, label);
    if (n < 0) throw new RangeError(`${label} must be ≥ 0, got ${n}`);
  }
  const paid = beforeTax(f.paid, f.sumSubtotals, f.sumTotals);
  const refunded = beforeTax(f.refunded, f.sumSubtotals, f.sumTotals);
  const net = paid - refunded;
  // A membership's cycle is earned when billed: whatever it kept is recognized.
  if (f.kind === 'membership') return { paid, refunded, recognized: net, forfeited: 0, outstanding: 0 };
  const recognized = f.transferTarget || f.usedVisits === 0 ? 0 : f.usedValue + f.firstVisitExtra;
  // May be negative after a refund more generous than the policy: the identity still holds.
  if (f.closed) return { paid, refunded, recognized, forfeited: net - recognized, outstanding: 0 };
  return { paid, refunded, recognized, forfeited: 0, outstanding: net - recognized };
}

/** a + b × times, field by field (a report's rows and totals; `times` purchases sharing the same facts). */
export function addLiability(a: Liability, b: Liability, times = 1): Liability {
  return {
    paid: a.paid + b.paid * times,
    refunded: a.refunded + b.refunded * times,
    recognized: a.recognized + b.recognized * times,
    forfeited: a.forfeited + b.forfeited * times,
    outstanding: a.outstanding + b.outstanding * times,
  };
}

/** What a day's revenue counts as recognized: recognized or forfeited. */
export const earned = (l: Liability): number => l.recognized + l.forfeited;
