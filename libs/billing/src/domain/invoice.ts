// An invoice's rules, decided here only: what is due, when it is paid, which lines and payments
// it takes (billing-rules.md "Redeeming"; api-v1.md "Appointments, invoices, payments").
import { accept, reject, type Decision } from './errors.js';
import { reopenedStatus } from './reversal.js';
import { assertTransition } from './transitions.js';

export const INVOICE_KINDS = ['service', 'package', 'installment', 'membership'] as const;
export type InvoiceKind = (typeof INVOICE_KINDS)[number];
// written_off: a cancelled package's partly paid instalment (write-off.ts).
export const INVOICE_STATUSES = ['open', 'paid', 'void', 'written_off'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
/** service: a visit (the only redeemable kind); tip, charge: added at the desk; plan: a purchase invoice's line. */
export const INVOICE_LINE_KINDS = ['service', 'tip', 'charge', 'plan'] as const;
export type InvoiceLineKind = (typeof INVOICE_LINE_KINDS)[number];

/** An invoice's running totals, in minor units. */
export interface InvoiceAmounts {
  total: number;
  /** Σ of its lines' coveredAmount (redemptions). */
  coveredAmount: number;
  /** Positive payments only, so a refund never reopens an invoice. */
  amountPaid: number;
  /** Written off when its package was cancelled (write-off.ts); 0 otherwise. */
  amountWrittenOff?: number;
}

export interface SettlingInvoice extends InvoiceAmounts {
  status: InvoiceStatus;
}

export interface InvoiceForLines extends SettlingInvoice {
  kind: InvoiceKind;
  /** Its extras (tip and charge lines of a purchase invoice) with and before taxes; default 0. */
  extrasTotal?: number;
  extrasSubtotal?: number;
}

export interface InvoiceLineAmount {
  amount: number;
  /** The line has a redemption. */
  redeemed: boolean;
}

/** total − Σ coveredAmount − amountPaid − amountWrittenOff. */
export function balanceDue(invoice: InvoiceAmounts): number {
  return invoice.total - invoice.coveredAmount - invoice.amountPaid - (invoice.amountWrittenOff ?? 0);
}

/** A new invoice's status: open while it charges something, paid at once when it charges nothing (a free membership's cycle). */
export function initialStatus(total: number): InvoiceStatus {
  return total === 0 ? 'paid' : 'open';
}

/**
 * The status after its totals changed: `paid` once something was charged and nothing is left due.
 * An invoice that charges nothing keeps its status (a blank desk invoice is still being written;
 * a free membership cycle was paid at creation), and a void one stays void.
 */
export function settledStatus(invoice: SettlingInvoice): InvoiceStatus {
  if (invoice.status === 'void') return 'void';
  const next = invoice.total > 0 && balanceDue(invoice) === 0 ? 'paid' : invoice.status;
  assertTransition('invoice', invoice.status, next);
  return next;
}

/** Redeemed, or already paid with money: either way nothing of the line is left to cover. */
export function isLineCovered(invoice: InvoiceAmounts, line: InvoiceLineAmount): boolean {
  return line.redeemed || balanceDue(invoice) < line.amount;
}

/**
 * A purchase invoice's money (billing-rules.md "Extras on a purchase invoice"): its `plan` lines
 * with their taxes are the plan's; its tip and charge lines (the extras) are the desk's. Payments
 * pay the plan first, then the extras, so the plan is paid as soon as its part is, and only the
 * plan part counts as money of the purchase (unlocking, refunds, liability, reports).
 */
export interface PlanInvoiceAmounts {
  total: number;
  amountPaid: number;
  /** Σ of its tip and charge lines with their taxes (0 on a service invoice and without extras). */
  extrasTotal?: number;
}

/** What the plan lines bill, taxes included: total − extras. */
export const planTotal = (invoice: PlanInvoiceAmounts): number => invoice.total - (invoice.extrasTotal ?? 0);

/** The plan lines' amount before tax: subtotal − the extras' subtotal. */
export const planSubtotal = (invoice: { subtotal: number; extrasSubtotal?: number }): number => invoice.subtotal - (invoice.extrasSubtotal ?? 0);

/** Money paid for the plan: payments pay the plan first, so min(amountPaid, plan total). */
export const planPaid = (invoice: PlanInvoiceAmounts): number => Math.min(invoice.amountPaid, planTotal(invoice));

/**
 * Whether the plan part of a (membership cycle's) invoice is paid: a paid invoice, or an open one
 * whose payments reach its plan total (only its extras are due). Without its amounts, its status says.
 */
export function planSettled(invoice: { status: InvoiceStatus; total?: number; amountPaid?: number; extrasTotal?: number }): boolean {
  if (invoice.status === 'paid') return true;
  if (invoice.status !== 'open' || invoice.total === undefined || invoice.amountPaid === undefined) return false;
  return invoice.amountPaid >= planTotal({ total: invoice.total, amountPaid: invoice.amountPaid, extrasTotal: invoice.extrasTotal ?? 0 });
}

/** A line's kind and amounts: `amount` with its taxes, `subtotal` before them (default: amount). */
export interface LineEdit {
  kind: InvoiceLineKind;
  amount: number;
  subtotal?: number;
}

/** Tip and charge lines on a purchase invoice: the extras, kept apart from the plan's money. */
export const isExtra = (invoice: { kind: InvoiceKind }, kind: InvoiceLineKind): boolean => invoice.kind !== 'service' && (kind === 'tip' || kind === 'charge');

const lineEditRefusal = (invoice: InvoiceForLines, verb: string, kind: InvoiceLineKind): Decision<never> | null => {
  if (invoice.status !== 'open') {
    return reject('invoice_not_open', `Lines can be ${verb} open or paid invoices only (this one is a ${invoice.status} ${invoice.kind} invoice)`);
  }
  // A purchase invoice's plan lines are the sale itself; a visit is billed on a service invoice.
  if (invoice.kind !== 'service' && !isExtra(invoice, kind)) {
    return reject('invoice_not_open', `Only tip and charge lines can be ${verb} a ${invoice.kind} invoice (this line is a ${kind} line)`);
  }
  return null;
};

export interface LineEditEffects {
  total: number;
  status: InvoiceStatus;
  /** The invoice's extras after the edit, with and before taxes. */
  extrasTotal: number;
  extrasSubtotal: number;
}

const extrasAfter = (invoice: InvoiceForLines, line: LineEdit, sign: 1 | -1) => {
  const extra = isExtra(invoice, line.kind);
  return {
    extrasTotal: (invoice.extrasTotal ?? 0) + (extra ? sign * line.amount : 0),
    extrasSubtotal: (invoice.extrasSubtotal ?? 0) + (extra ? sign * (line.subtotal ?? line.amount) : 0),
  };
};

/**
 * A line on an open or paid invoice (a tip, a product, an upsize after the visit was redeemed):
 * the total grows by its amount and a paid invoice is open again while anything is due. A service
 * invoice takes any line; a purchase invoice tip and charge lines only, its extras. A void one
 * refuses it first (invoice_void); written-off ones take none.
 */
export function decideLineAddition(invoice: InvoiceForLines, line: LineEdit): Decision<LineEditEffects> {
  if (invoice.status === 'void') return reject('invoice_void', 'Lines cannot be added to a void invoice');
  const refusal = lineEditRefusal(invoice.status === 'paid' ? { ...invoice, status: 'open' } : invoice, 'added to', line.kind);
  if (refusal) return refusal;
  const total = invoice.total + line.amount;
  return accept({ total, status: reopenedStatus({ ...invoice, total }), ...extrasAfter(invoice, line, 1) });
}

/**
 * Only a line nobody relies on yet: not redeemed, not paid. On a service invoice, one nothing was
 * paid on; on a purchase invoice, an extra while no money reached the extras (payments pay the plan
 * first). What is left may be all redeemed or paid already: then nothing is due and it is paid.
 */
export function decideLineRemoval(invoice: InvoiceForLines, line: InvoiceLineAmount & LineEdit): Decision<LineEditEffects> {
  // A purchase invoice's plan line is the sale itself: never removable, whatever was paid on it.
  const planLine = invoice.kind !== 'service' && !isExtra(invoice, line.kind);
  const notEditable = planLine ? lineEditRefusal(invoice, 'removed from', line.kind) : null;
  if (notEditable) return notEditable;
  const extrasPaid = invoice.amountPaid > planTotal(invoice);
  if (line.redeemed || (isExtra(invoice, line.kind) ? extrasPaid : invoice.amountPaid > 0)) {
    return reject('line_in_use', line.redeemed ? 'The line is redeemed' : 'The invoice has payments');
  }
  const refusal = lineEditRefusal(invoice, 'removed from', line.kind);
  if (refusal) return refusal;
  const total = invoice.total - line.amount;
  return accept({ total, status: settledStatus({ ...invoice, total }), ...extrasAfter(invoice, line, -1) });
}

/** Money at the desk: never on a void invoice, never more than is due. */
export function decidePayment(invoice: SettlingInvoice, amount: number): Decision<{ amountPaid: number; status: InvoiceStatus }> {
  if (invoice.status === 'void') return reject('invoice_not_open', 'The invoice is void');
  const due = balanceDue(invoice);
  if (amount > due) return reject('overpayment', `The payment of ${amount} exceeds the balance due of ${due}`);
  const amountPaid = invoice.amountPaid + amount;
  return accept({ amountPaid, status: settledStatus({ ...invoice, amountPaid }) });
}

/** What a redemption does to its line's invoice (billing-rules.md "Redeeming"). */
export interface LineRedemption {
  /** The line's amount before: the service's list price. */
  lineAmount: number;
  /** Its amount after: repriced at the visit value for an insurance-friendly package. */
  newLineAmount: number;
  coveredAmount: number;
  /** The package_credit payment that pays the line (insurance-friendly), else 0. */
  creditPayment: number;
  /** Its taxes after less its taxes before (a redeemed visit is not taxed twice); default 0. */
  taxDelta?: number;
}

/** The invoice's totals and status after a redemption on one of its lines. */
export function redeemedInvoice(invoice: SettlingInvoice, redemption: LineRedemption): Required<Omit<SettlingInvoice, 'amountWrittenOff'>> {
  const next = {
    total: invoice.total + redemption.newLineAmount - redemption.lineAmount + (redemption.taxDelta ?? 0),
    coveredAmount: invoice.coveredAmount + redemption.coveredAmount,
    amountPaid: invoice.amountPaid + redemption.creditPayment,
    status: invoice.status,
  };
  return { ...next, status: settledStatus({ ...next, amountWrittenOff: invoice.amountWrittenOff ?? 0 }) };
}
