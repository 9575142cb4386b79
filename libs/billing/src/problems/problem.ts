import type { BillingErrorCode } from '../domain/errors.js';
import type { CommandProblem } from '../entities/command.entity.js';

export interface Problem {
  status: number;
  title: string;
}

/**
 * The API's own codes, declared here and nowhere else: requests refused before any billing rule
 * is asked (authentication, validation, limits, transport).
 */
const HTTP_PROBLEMS = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  idempotency_key_required: { status: 400, title: 'This endpoint needs an Idempotency-Key header' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: "This key's role may not do that" },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_key_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still running' },
  api_key_limit: { status: 409, title: 'The clinic has as many active API keys as it may have' },
  tax_code_in_use: { status: 409, title: 'A service or plan still uses this tax code' },
  payload_too_large: { status: 413, title: 'The body is larger than 1 MiB' },
  unsupported_media_type: { status: 415, title: 'Send JSON (Content-Type: application/json)' },
  idempotency_key_reused: { status: 422, title: 'This Idempotency-Key was used for another request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  too_many_streams: { status: 429, title: 'This dashboard session has as many live event streams as it may have' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  email_not_configured: { status: 503, title: 'Outgoing e-mail is not configured (SMTP_URL)' },
} as const satisfies Record<string, Problem> & { [C in BillingErrorCode]?: never }; // never a domain code too

export type HttpOnlyCode = keyof typeof HTTP_PROBLEMS;

/** Business refusals (billing-rules.md): one entry per code of the domain's union, so a new code without its problem fails to compile. */
const BILLING_PROBLEMS = {
  plan_archived: { status: 422, title: 'The plan is archived and cannot be sold' },
  plan_kind_mismatch: { status: 422, title: 'That option does not apply to this kind of plan' },
  invoice_void: { status: 409, title: 'The invoice is void' },
  line_already_redeemed: { status: 409, title: 'The line is already covered' },
  patient_mismatch: { status: 422, title: 'The purchase belongs to another patient' },
  purchase_not_active: { status: 422, title: 'The purchase is not active' },
  purchase_not_started: { status: 422, title: 'The purchase starts after the service date' },
  purchase_expired: { status: 422, title: 'The purchase has expired' },
  service_not_covered: { status: 422, title: "The plan does not include the line's service" },
  online_redemption_not_allowed: { status: 422, title: 'This plan cannot be redeemed online' },
  insufficient_balance: { status: 422, title: 'Not enough visits remain' },
  membership_invoice_unpaid: { status: 422, title: 'An earlier membership invoice is unpaid' },
  payment_required: { status: 422, title: 'The visits are not paid for yet' },
  no_eligible_purchase: { status: 422, title: 'No purchase of the patient can cover this line' },
  refund_exceeds_paid: { status: 422, title: 'The refund exceeds what was paid less what was refunded' },
  nothing_to_refund: { status: 422, title: 'There is nothing to refund' },
  membership_not_transferable: { status: 422, title: 'Memberships cannot be transferred' },
  same_patient: { status: 422, title: 'The target is the same patient' },
  not_same_family: { status: 422, title: 'The target is not in the same family' },
  purchase_in_use: { status: 409, title: 'The purchase was used: cancel it instead' },
  line_in_use: { status: 409, title: 'The line is redeemed or paid' },
  invoice_not_open: { status: 409, title: 'The invoice is not open' },
  overpayment: { status: 422, title: 'The payment exceeds the balance due' },
  appointment_invoiced: { status: 409, title: 'The appointment already has an invoice' },
  not_reversible: { status: 409, title: 'Only a succeeded redemption can be reversed' },
  already_reversed: { status: 409, title: 'The redemption was reversed already' },
  invoice_not_voidable: { status: 409, title: "Only a service invoice can be voided: cancel or delete the purchase instead" },
  invoice_has_payments: { status: 409, title: 'The invoice has money on it: refund it first' },
  refund_via_purchase: { status: 409, title: "A purchase's invoice is refunded through the purchase" },
  appointment_cancelled: { status: 409, title: 'The appointment is cancelled already' },
  cancellation_window_passed: { status: 409, title: 'It is too close to the appointment to cancel online' },
  not_extendable: { status: 422, title: 'Only a package with an expiry date can be extended' },
  extension_not_later: { status: 422, title: 'The new expiry date is not after the current one' },
  not_a_membership: { status: 422, title: 'Only a membership can be paused or resumed' },
  already_paused: { status: 409, title: 'The membership has a pause that has not ended' },
  not_paused: { status: 409, title: 'The membership has no paused cycle still to come' },
  purchase_paused: { status: 422, title: 'The membership is paused on the service date' },
  not_retryable: { status: 409, title: 'Only a failed command can be retried' },
  no_email_address: { status: 422, title: 'Neither the request nor the patient gives an e-mail address' },
} as const satisfies Record<BillingErrorCode, Problem>;

/** Every error code a client can branch on (the OpenAPI document lists these keys). */
export type ProblemCode = BillingErrorCode | HttpOnlyCode;

/**
 * Every code with its HTTP status and a human title, so the API's exception filter and the
 * worker's rejected commands speak the same language.
 */
export const PROBLEMS: Readonly<Record<ProblemCode, Problem>> = { ...HTTP_PROBLEMS, ...BILLING_PROBLEMS };

export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEMS, code);
}

export function problemFor(code: ProblemCode, detail?: string): CommandProblem {
  const { status, title } = PROBLEMS[code];
  return { type: `/problems/${code.replaceAll('_', '-')}`, title, status, detail: detail ?? title, code };
}
