// Cancelling a purchase (billing-rules.md "Cancelling"). Nothing is refunded here.
import { addDays, cycleAt, type BillingInterval, type IsoDate } from './dates.js';
import { accept, reject, type Decision } from './errors.js';
import { remaining, type BalanceCounts } from './package-balance.js';
import type { PurchaseKind } from './purchase-status.js';

export const CANCELLATION_EFFECTIVE = ['now', 'end_of_cycle'] as const;
export type CancellationEffective = (typeof CANCELLATION_EFFECTIVE)[number];
/** A cancelled purchase, or a membership still active until its end-of-cycle cancelAt. */
export const CANCELLATION_OUTCOMES = ['active', 'cancelled'] as const;
export type CancellationOutcome = (typeof CANCELLATION_OUTCOMES)[number];

export interface CancellationState {
  kind: PurchaseKind;
  status: string;
  startDate: IsoDate;
  billingInterval?: BillingInterval;
  cancelAt: IsoDate | null;
  balances: BalanceCounts[];
}

export interface CancellationRequest {
  /** Memberships only; default end_of_cycle. A package is always cancelled now. */
  effective?: CancellationEffective;
  today: IsoDate;
}

export interface CancellationEffects {
  status: CancellationOutcome;
  /** The day the cancellation takes effect. */
  cancelAt: IsoDate | null;
  /** Package visits lost (the `cancelled` history entry's quantity). */
  forfeitedVisits: number;
  /** Which open invoices to void: a package's instalments, or a membership's cycles starting after today. */
  voidOpenInvoices: 'installments' | 'unstarted_cycles';
}

export function decideCancellation(state: CancellationState, request: CancellationRequest): Decision<CancellationEffects> {
  if (state.status !== 'active') return reject('purchase_not_active');
  const { today } = request;

  if (state.kind === 'package') {
    const forfeitedVisits = state.balances.reduce((n, b) => n + Math.max(0, remaining(b)), 0);
    return accept({ status: 'cancelled', cancelAt: today, forfeitedVisits, voidOpenInvoices: 'installments' });
  }

  // A membership already set to end cannot be cancelled a second time.
  if (state.cancelAt !== null) return reject('purchase_not_active');
  if (!state.billingInterval) throw new TypeError('membership cancellation state has no billingInterval');

  if ((request.effective ?? 'end_of_cycle') === 'now') {
    return accept({ status: 'cancelled', cancelAt: today, forfeitedVisits: 0, voidOpenInvoices: 'unstarted_cycles' });
  }
  // End of cycle: the first day after the current cycle; before the start, nothing was used,
  // so it ends on its start date.
  const cycle = cycleAt(state.startDate, state.billingInterval, today);
  const cancelAt = cycle ? addDays(cycle.end, 1) : state.startDate;
  return accept({ status: 'active', cancelAt, forfeitedVisits: 0, voidOpenInvoices: 'unstarted_cycles' });
}
