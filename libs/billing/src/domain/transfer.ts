// Moving paid visits to a family member (billing-rules.md "Transferring"), checks in rule order.
import type { IsoDate } from './dates.js';
import { accept, reject, type Decision } from './errors.js';
import { available, remaining } from './package-balance.js';
import type { PurchaseKind } from './purchase-status.js';
import type { PurchaseBalanceState } from './redemption.js';

export interface TransferState {
  kind: PurchaseKind;
  status: string;
  expiresOn: IsoDate | null;
  patientId: string;
  familyId: string | null;
  price: number;
  amountPaid: number;
  balances: PurchaseBalanceState[];
}

export interface TransferRequest {
  toPatientId: string;
  toFamilyId: string | null;
  serviceId: string;
  quantity: number;
  today: IsoDate;
}

export interface TransferEffects {
  serviceId: string;
  quantity: number;
  /** The source has no visit left afterwards. */
  exhausts: boolean;
}

export function decideTransfer(state: TransferState, request: TransferRequest): Decision<TransferEffects> {
  if (state.kind === 'membership') return reject('membership_not_transferable');
  if (state.status !== 'active') return reject('purchase_not_active');
  if (state.expiresOn !== null && state.expiresOn < request.today) return reject('purchase_expired');
  if (request.toPatientId === state.patientId) return reject('same_patient');
  if (state.familyId === null || request.toFamilyId === null || state.familyId !== request.toFamilyId) {
    return reject('not_same_family');
  }
  const { quantity, serviceId } = request;
  const balance = state.balances.find((b) => b.serviceId === serviceId);
  if (!balance || !Number.isSafeInteger(quantity) || quantity < 1 || quantity > remaining(balance)) {
    return reject('insufficient_balance');
  }
  // Only paid visits move: the target's visits arrive already unlocked.
  if (quantity > available(balance, state.price, state.amountPaid)) return reject('payment_required');
  const exhausts = state.balances.every((b) => remaining(b) - (b === balance ? quantity : 0) <= 0);
  return accept({ serviceId, quantity, exhausts });
}
