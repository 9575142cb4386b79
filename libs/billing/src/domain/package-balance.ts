import { mulDiv } from './money.js';

/** One service's visit counters on a purchase; each is the sum of its ledger entries. */
export interface BalanceCounts {
  total: number;
  used: number;
  transferredOut: number;
  transferredIn: number;
}

export function remaining(b: BalanceCounts): number {
  return b.total + b.transferredIn - b.used - b.transferredOut;
}

/** Visits of `total` paid for so far: a package unlocks as money comes in; a free one is all unlocked. */
export function unlocked(total: number, price: number, amountPaid: number): number {
  if (price <= 0) return total;
  if (amountPaid <= 0 || total <= 0) return 0;
  return Math.min(total, mulDiv(total, amountPaid, price));
}

/** What can be redeemed (or transferred) now: remaining, and paid for. Visits received by transfer count as paid. */
export function available(b: BalanceCounts, price: number, amountPaid: number): number {
  const paid = unlocked(b.total, price, amountPaid) + b.transferredIn - b.used - b.transferredOut;
  return Math.max(0, Math.min(remaining(b), paid));
}

/**
 * The price unlocking compares the money paid with (billing-rules.md "Taxes"): the purchase's
 * price with its taxes, Σ totals of its invoices that are not void. Never below the price before
 * tax (a cancelled package's voided instalments must not unlock more), and a free package stays free.
 */
export function unlockPrice(price: number, sumInvoiceTotals: number): number {
  return price <= 0 ? price : Math.max(price, sumInvoiceTotals);
}
