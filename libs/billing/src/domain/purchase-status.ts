import { remaining, type BalanceCounts } from './package-balance.js';
import { addDays, type IsoDate } from './dates.js';

export const PURCHASE_KINDS = ['package', 'membership'] as const;
export type PurchaseKind = (typeof PURCHASE_KINDS)[number];
// Their moves: PURCHASE_TRANSITIONS (transitions.ts).
export const PURCHASE_STATUSES = ['active', 'exhausted', 'expired', 'cancelled'] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

/** A package is exhausted when it has balances and none has a visit left. */
export function isExhausted(balances: readonly BalanceCounts[]): boolean {
  return balances.length > 0 && balances.every((b) => remaining(b) <= 0);
}

/** Usable through `expiresOn` inclusive; null never expires. */
export function isExpiredOn(expiresOn: IsoDate | null, date: IsoDate): boolean {
  return expiresOn !== null && expiresOn < date;
}

/** `startDate + validityDays − 1`: the last day a package can be used; null validity never expires. */
export function expiresOnFor(startDate: IsoDate, validityDays: number | null | undefined): IsoDate | null {
  if (validityDays === null || validityDays === undefined) return null;
  return addDays(startDate, validityDays - 1);
}
