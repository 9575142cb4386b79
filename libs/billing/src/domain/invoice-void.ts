// Voiding a service invoice (billing-rules.md "Correcting"): every redemption on it is taken off
// first (reversed, or only released for a cancelled purchase), then the invoice is void. Its
// number stays, so invoice numbers remain gap-free.
import { accept, reject, type Decision } from './errors.js';
import type { InvoiceKind, InvoiceStatus } from './invoice.js';
import type { PurchaseStatus } from './purchase-status.js';
import { giveBackKindFor, type GiveBackKind } from './reversal.js';

/** A payment as recorded: a refund is a negative one; a voided one counts nowhere. */
export interface RecordedPayment {
  amount: number;
  /** 'package_credit' is the package paying an insurance-friendly visit, not money received. */
  method: string;
  voided?: boolean;
}

export interface InvoiceVoidState {
  kind: InvoiceKind;
  status: InvoiceStatus;
  payments: readonly RecordedPayment[];
  /** The redemptions still on its lines, with their purchase's status. */
  redemptions: readonly { commandId: string; purchaseId: string; purchaseStatus: PurchaseStatus }[];
}

export interface InvoiceVoidEffects {
  /** In the order given: each one's giveBack (reversal.ts), folded on the invoice by giveBackAll. */
  redemptions: { commandId: string; purchaseId: string; kind: GiveBackKind }[];
  status: 'void';
}

const countsAsMoney = (p: RecordedPayment) => !p.voided && p.method !== 'package_credit';

/** Money received on an invoice and not refunded: positive payments net of refunds, package credit left out. */
export function netMoneyReceived(payments: readonly RecordedPayment[]): number {
  return payments.filter(countsAsMoney).reduce((n, p) => n + p.amount, 0);
}

export function decideInvoiceVoid(state: InvoiceVoidState): Decision<InvoiceVoidEffects> {
  if (state.status === 'void') return reject('invoice_void');
  if (state.kind !== 'service') return reject('invoice_not_voidable');
  if (netMoneyReceived(state.payments) > 0) return reject('invoice_has_payments');
  return accept({
    redemptions: state.redemptions.map((r) => ({ commandId: r.commandId, purchaseId: r.purchaseId, kind: giveBackKindFor(r.purchaseStatus) })),
    status: 'void',
  });
}
