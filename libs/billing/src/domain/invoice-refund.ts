// Money back on a service invoice (billing-rules.md "Correcting"). Recorded like a purchase's
// refund: a negative payment that never reopens the invoice.
import { accept, reject, type Decision } from './errors.js';
import type { InvoiceKind } from './invoice.js';
import type { RecordedPayment } from './invoice-void.js';

export interface InvoiceRefundState {
  kind: InvoiceKind;
  payments: readonly RecordedPayment[];
  /** Σ of its refunds so far (positive). */
  amountRefunded: number;
}

export interface InvoiceRefundRequest {
  /** Default: all that is refundable. */
  amount?: number;
}

export interface InvoiceRefundOptions {
  /**
   * The tax returned with `amount` (billing-rules.md "Taxes": round half up(amount × Σ taxTotal ÷
   * Σ total), computed in money.ts). Without it, 0.
   */
  taxAmount?: (amount: number) => number;
}

export interface InvoiceRefundEffects {
  amount: number;
  taxAmount: number;
}

/** Positive payments other than package credit (and not voided), less what was refunded; never below 0. */
export function invoiceRefundable(state: Pick<InvoiceRefundState, 'payments' | 'amountRefunded'>): number {
  const received = state.payments.filter((p) => !p.voided && p.method !== 'package_credit' && p.amount > 0).reduce((n, p) => n + p.amount, 0);
  return Math.max(0, received - state.amountRefunded);
}

export function decideInvoiceRefund(state: InvoiceRefundState, request: InvoiceRefundRequest, options: InvoiceRefundOptions = {}): Decision<InvoiceRefundEffects> {
  if (state.kind !== 'service') return reject('refund_via_purchase');
  const refundable = invoiceRefundable(state);
  if (refundable <= 0) return reject('nothing_to_refund');
  const amount = request.amount ?? refundable;
  // As for purchases: a refund of nothing (or of part of a cent) is no refund.
  if (!Number.isSafeInteger(amount) || amount < 1) return reject('nothing_to_refund');
  if (amount > refundable) return reject('refund_exceeds_paid');
  return accept({ amount, taxAmount: options.taxAmount ? options.taxAmount(amount) : 0 });
}
