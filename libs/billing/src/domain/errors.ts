// The stable refusal codes clients branch on (billing-rules.md). Add, never rename: the problem
// mapping (problems/problem.ts) has one entry per code, so a new one must be given its HTTP form.
export const BILLING_ERROR_CODES = [
  'plan_archived',
  'invoice_void',
  'line_already_redeemed',
  'patient_mismatch',
  'purchase_not_active',
  'purchase_not_started',
  'purchase_expired',
  'service_not_covered',
  'online_redemption_not_allowed',
  'insufficient_balance',
  'membership_invoice_unpaid',
  'payment_required',
  'no_eligible_purchase',
  'refund_exceeds_paid',
  'nothing_to_refund',
  'membership_not_transferable',
  'same_patient',
  'not_same_family',
  'purchase_in_use',
  'overpayment',
  'line_in_use',
  'invoice_not_open',
  'plan_kind_mismatch',
  'appointment_invoiced',
  // Corrections (issue 14): reversals, voids, refunds of service invoices, cancelled
  // appointments, extensions, pauses, retries.
  'not_reversible',
  'already_reversed',
  'invoice_not_voidable',
  'invoice_has_payments',
  'refund_via_purchase',
  'appointment_cancelled',
  'cancellation_window_passed',
  'not_extendable',
  'extension_not_later',
  'not_a_membership',
  'already_paused',
  'not_paused',
  'purchase_paused',
  'not_retryable',
  // Documents (issue 15).
  'no_email_address',
] as const;

export type BillingErrorCode = (typeof BILLING_ERROR_CODES)[number];

/** Outcome of a domain decision: the effects to persist, or the first rule that said no (and, for people, why). */
export type Decision<E> = { ok: true; effects: E } | { ok: false; rejected: BillingErrorCode; detail?: string };

export const accept = <E>(effects: E): Decision<E> => ({ ok: true, effects });

// `never` lets a rejection be returned from a function of any Decision<E>.
export const reject = (code: BillingErrorCode, detail?: string): Decision<never> =>
  detail === undefined ? { ok: false, rejected: code } : { ok: false, rejected: code, detail };

export function isBillingErrorCode(value: unknown): value is BillingErrorCode {
  return typeof value === 'string' && (BILLING_ERROR_CODES as readonly string[]).includes(value);
}
