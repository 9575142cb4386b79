// Giving a redeemed visit back (billing-rules.md "Correcting"): a reversal, or, when a void meets
// a redemption of a cancelled purchase, only its release from the line. The ledger stays
// append-only: the visit comes back as a new +quantity entry, never as an edit of the old one.
import { cycleAt, type BillingInterval, type IsoDate } from './dates.js';
import { accept, reject, type Decision } from './errors.js';
import { balanceDue, type InvoiceStatus, type SettlingInvoice } from './invoice.js';
import type { PurchaseKind, PurchaseStatus } from './purchase-status.js';
import type { LineTax } from './taxes.js';
import { assertTransition, type CommandStatus } from './transitions.js';

export interface GiveBackInvoice extends SettlingInvoice {
  id: string;
}

export interface RedeemedLine {
  id: string;
  /** What the line is priced at now (insurance-friendly: the visit value, plus any patient portion). */
  amount: number;
  /** What it goes back to: the service's list price × quantity. */
  listAmount: number;
  /** Tax the line carries again once unredeemed, less what it carries now (default 0). */
  restoredTax?: number;
  /** The taxes it carries again (redemption-taxes.ts restoredLineTaxes); absent: left as they are. */
  restoredTaxes?: LineTax[];
}

export interface GivenBackRedemption {
  /** The redemption command's id (the API's redemptionId). */
  commandId: string;
  purchaseId: string;
  serviceId: string;
  quantity: number;
  /** The line's service date: a membership's visit goes back to that cycle. */
  serviceDate: IsoDate;
  coveredAmount: number;
  /** The package_credit payment of an insurance-friendly visit, if it had one. */
  creditPayment: { id: string; amount: number } | null;
}

export interface GiveBackPurchase {
  id: string;
  kind: PurchaseKind;
  status: PurchaseStatus;
  startDate: IsoDate;
  /** Memberships only. */
  billingInterval?: BillingInterval;
}

/** One redemption still sitting on its line, with what it touched. */
export interface GiveBackTarget {
  redemption: GivenBackRedemption;
  line: RedeemedLine;
  invoice: GiveBackInvoice;
  purchase: GiveBackPurchase;
}

export interface ReversalState {
  /** The command the reversal names. */
  command: { type: string; status: CommandStatus };
  /** A reversal, or a void's release, gave it back already. */
  alreadyReversed: boolean;
  /** What the redemption covered; null when it never covered a line. */
  target: GiveBackTarget | null;
}

export interface ReversalRequest {
  /** Staff's reason: the history entry's note. */
  reason: string | null;
}

export type GiveBackKind = 'redemption_reversed' | 'redemption_released';

export interface GiveBackEffects {
  kind: GiveBackKind;
  redemptionId: string;
  purchaseId: string;
  serviceId: string;
  invoiceId: string;
  lineId: string;
  quantity: number;
  /** The +quantity ledger entry; null for a release (the visit was forfeited with the purchase). */
  ledger: { serviceId: string; visits: number; cycleStart: IsoDate | null } | null;
  /** The line after: no redemption, back at list price, its taxes back (taxDelta added to the invoice). */
  line: { amount: number; coveredAmount: 0; taxDelta: number; taxes?: LineTax[] };
  /** The package_credit payment to mark `voided` (counted nowhere from then on). */
  voidPaymentId: string | null;
  invoice: { total: number; coveredAmount: number; amountPaid: number; status: InvoiceStatus };
  /** The purchase's new status when it changes (exhausted → active), else null. */
  purchaseStatus: PurchaseStatus | null;
  history: { type: GiveBackKind; quantity: number; invoiceId: string; note: string | null };
}

/**
 * The status once totals grew: `open` while something is due (a paid invoice reopens), `paid`
 * when something is charged and nothing is due; a void one stays void. Also the rule for a new
 * line on a paid invoice.
 */
export function reopenedStatus(invoice: SettlingInvoice): InvoiceStatus {
  if (invoice.status === 'void') return 'void';
  const due = balanceDue(invoice);
  const next: InvoiceStatus = due > 0 ? 'open' : invoice.total > 0 && due === 0 ? 'paid' : invoice.status;
  assertTransition('invoice', invoice.status, next);
  return next;
}

function cycleStartOf(purchase: GiveBackPurchase, serviceDate: IsoDate): IsoDate | null {
  if (purchase.kind !== 'membership') return null;
  if (!purchase.billingInterval) throw new TypeError(`membership ${purchase.id} has no billingInterval`);
  const cycle = cycleAt(purchase.startDate, purchase.billingInterval, serviceDate);
  // A redemption was refused before the start, so a redeemed visit always has a cycle.
  if (!cycle) throw new RangeError(`service date ${serviceDate} is before membership ${purchase.id} starts`);
  return cycle.start;
}

/**
 * The effects of taking one redemption off its line, on `invoice` (pass the previous result's
 * invoice to take several off the same one). No refusal here: callers decide first.
 */
export function giveBack(target: GiveBackTarget, kind: GiveBackKind, note: string | null, invoice: SettlingInvoice = target.invoice): GiveBackEffects {
  const { redemption, line, purchase } = target;
  const taxDelta = line.restoredTax ?? 0;
  const creditPaid = redemption.creditPayment?.amount ?? 0;
  const next = {
    total: invoice.total + line.listAmount - line.amount + taxDelta,
    coveredAmount: invoice.coveredAmount - redemption.coveredAmount,
    amountPaid: invoice.amountPaid - creditPaid,
  };
  const status = reopenedStatus({ ...next, amountWrittenOff: invoice.amountWrittenOff ?? 0, status: invoice.status });

  const reversed = kind === 'redemption_reversed';
  let purchaseStatus: PurchaseStatus | null = null;
  // The visit is back, so an exhausted package has one again; an expired one stays expired.
  if (reversed && purchase.status === 'exhausted') {
    assertTransition('purchase', 'exhausted', 'active');
    purchaseStatus = 'active';
  }
  return {
    kind,
    redemptionId: redemption.commandId,
    purchaseId: purchase.id,
    serviceId: redemption.serviceId,
    invoiceId: target.invoice.id,
    lineId: line.id,
    quantity: redemption.quantity,
    ledger: reversed
      ? { serviceId: redemption.serviceId, visits: redemption.quantity, cycleStart: cycleStartOf(purchase, redemption.serviceDate) }
      : null,
    line: { amount: line.listAmount, coveredAmount: 0, taxDelta, ...(line.restoredTaxes ? { taxes: line.restoredTaxes } : {}) },
    voidPaymentId: redemption.creditPayment?.id ?? null,
    invoice: { ...next, status },
    purchaseStatus,
    history: { type: kind, quantity: redemption.quantity, invoiceId: target.invoice.id, note },
  };
}

/** A void takes a cancelled purchase's redemption off its line without giving the visit back. */
export function giveBackKindFor(purchaseStatus: PurchaseStatus): GiveBackKind {
  return purchaseStatus === 'cancelled' ? 'redemption_released' : 'redemption_reversed';
}

/**
 * Every redemption of one invoice taken off in turn, each on the invoice the previous one left
 * (a void reverses them all in one transaction). The last element's invoice is the final one.
 */
export function giveBackAll(targets: readonly GiveBackTarget[], note: string | null): GiveBackEffects[] {
  const effects: GiveBackEffects[] = [];
  for (const target of targets) {
    const previous = effects.at(-1)?.invoice;
    const invoice = previous ? { ...target.invoice, ...previous } : target.invoice;
    effects.push(giveBack(target, giveBackKindFor(target.purchase.status), note, invoice));
  }
  return effects;
}

/** Reversal of a redemption, refused in the written order. */
export function decideReversal(state: ReversalState, request: ReversalRequest): Decision<GiveBackEffects> {
  if (state.command.type !== 'redemption' || state.command.status !== 'succeeded') return reject('not_reversible');
  if (state.alreadyReversed) return reject('already_reversed');
  if (!state.target) return reject('not_reversible');
  // A cancelled purchase forfeited its visits: it takes nothing back.
  if (state.target.purchase.status === 'cancelled') return reject('purchase_not_active');
  return accept(giveBack(state.target, 'redemption_reversed', request.reason));
}
