// Extending a package (billing-rules.md "Extending a package"): a later expiry, which brings an
// expired package back when the new date is today or later.
import { isIsoDate, type IsoDate } from './dates.js';
import { accept, reject, type Decision } from './errors.js';
import type { PurchaseKind, PurchaseStatus } from './purchase-status.js';
import { assertTransition } from './transitions.js';

export interface ExtensionState {
  kind: PurchaseKind;
  status: PurchaseStatus;
  expiresOn: IsoDate | null;
}

export interface ExtensionRequest {
  expiresOn: IsoDate;
  /** The clinic's today. */
  today: IsoDate;
}

export interface ExtensionEffects {
  previousExpiresOn: IsoDate;
  expiresOn: IsoDate;
  /** The new status when it changes (expired → active), else null. */
  status: PurchaseStatus | null;
  history: { type: 'extended' };
}

export function decideExtension(state: ExtensionState, request: ExtensionRequest): Decision<ExtensionEffects> {
  if (!isIsoDate(request.expiresOn) || !isIsoDate(request.today)) throw new RangeError('expiresOn and today must be calendar dates');
  if (state.kind !== 'package' || state.expiresOn === null) return reject('not_extendable');
  if (state.status === 'cancelled' || state.status === 'exhausted') return reject('purchase_not_active');
  if (request.expiresOn <= state.expiresOn) return reject('extension_not_later');
  let status: PurchaseStatus | null = null;
  if (state.status === 'expired' && request.expiresOn >= request.today) {
    assertTransition('purchase', 'expired', 'active');
    status = 'active';
  }
  return accept({ previousExpiresOn: state.expiresOn, expiresOn: request.expiresOn, status, history: { type: 'extended' } });
}
