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

const lineEditRefusal = (invoice: InvoiceForLines, verb: string): Decision<never> | null =>
  invoice.status !== 'open' || invoice.kind !== 'service'
    ? reject('invoice_not_open', `Lines can be ${verb} open service invoices only (this one is a ${invoice.status} ${invoice.kind} invoice)`)
    : null;

/**
 * A line on an open or paid service invoice (a tip, a product, an upsize after the visit was
 * redeemed): the total grows by its amount and a paid invoice is open again while anything is
 * due. A void one refuses it first (invoice_void); purchase invoices and written-off ones take none.
 */
export function decideLineAddition(invoice: InvoiceForLines, line: { amount: number }): Decision<{ total: number; status: InvoiceStatus }> {
  if (invoice.status === 'void') return reject('invoice_void', 'Lines cannot be added to a void invoice');
  const refusal = invoice.status === 'paid' ? lineEditRefusal({ ...invoice, status: 'open' }, 'added to') : lineEditRefusal(invoice, 'added to');
  if (refusal) return refusal;
  const total = invoice.total + line.amount;
  return accept({ total, status: reopenedStatus({ ...invoice, total }) });
}

/**
 * Only a line nobody relies on yet: not redeemed, on an invoice nothing was paid on. What is left
 * may be all redeemed already: then nothing is due and the invoice is paid.
 */
export function decideLineRemoval(invoice: InvoiceForLines, line: InvoiceLineAmount): Decision<{ total: number; status: InvoiceStatus }> {
  if (line.redeemed || invoice.amountPaid > 0) return reject('line_in_use', line.redeemed ? 'The line is redeemed' : 'The invoice has payments');
  const refusal = lineEditRefusal(invoice, 'removed from');
  if (refusal) return refusal;
  const total = invoice.total - line.amount;
  return accept({ total, status: settledStatus({ ...invoice, total }) });
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
