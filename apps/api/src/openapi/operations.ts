// What the document says of each operation beyond what its route metadata tells: a summary, and
// the problem codes its own service can answer (the generic ones — validation, authentication,
// roles, rate limit, idempotency, body size, 500 — are derived from the route by openapi.ts).
// Keyed by "METHOD /path" as in the document; a new route without an entry fails the lint test.

export interface OperationDoc {
  summary: string;
  /** Codes of PROBLEMS (libs/billing/src/problems/problem.ts) beyond the generic ones. */
  problems?: string[];
}

export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /health/live': { summary: 'Liveness: the process answers' },
  'GET /health/ready': { summary: 'Readiness: Postgres and Redis answer', problems: ['service_unavailable'] },
  'GET /metrics': { summary: 'Prometheus metrics of this API process' },

  'POST /v1/clinics': { summary: 'Create a clinic and its owner key (platform operator, ADMIN_TOKEN)' },
  'GET /v1/clinic': { summary: "The key's clinic and its settings" },
  'PATCH /v1/clinic/settings': { summary: "Change the clinic's settings", problems: ['tax_code_in_use'] },

  'POST /v1/api-keys': { summary: 'Create an API key (the secret is shown once)', problems: ['api_key_limit'] },
  'GET /v1/api-keys': { summary: "List the clinic's API keys" },
  'DELETE /v1/api-keys/{id}': { summary: 'Revoke an API key (never the last active owner key)', problems: ['conflict'] },

  'POST /v1/services': { summary: 'Create a service of the catalogue' },
  'GET /v1/services': { summary: 'List services' },
  'GET /v1/services/{id}': { summary: 'Get a service' },

  'POST /v1/plans': { summary: 'Create a package or membership plan' },
  'GET /v1/plans': { summary: 'List plans' },
  'GET /v1/plans/{id}': { summary: 'Get a plan' },
  'PATCH /v1/plans/{id}': { summary: "Archive a plan, or set its items' patient portions for later sales" },

  'POST /v1/patients': { summary: 'Create a patient', problems: ['not_found'] },
  'GET /v1/patients': { summary: 'List or search patients' },
  'GET /v1/patients/{id}': { summary: 'Get a patient' },
  'PATCH /v1/patients/{id}': { summary: 'Change a patient (null clears email, phone, dateOfBirth or familyId)' },

  'POST /v1/families': { summary: 'Create a family (patients join it by familyId)' },
  'GET /v1/families/{id}': { summary: 'Get a family and its members' },

  'POST /v1/appointments': { summary: 'Record an appointment', problems: ['not_found'] },
  'GET /v1/appointments/{id}': { summary: 'Get an appointment' },
  'POST /v1/appointments/{id}/invoice': { summary: "Invoice an appointment (once: again answers the same invoice)" },

  'POST /v1/invoices': { summary: 'Open a service invoice for a patient', problems: ['not_found'] },
  'GET /v1/invoices': { summary: 'List invoices' },
  'GET /v1/invoices/{id}': { summary: 'Get an invoice with its lines and payments' },
  'POST /v1/invoices/{id}/lines': { summary: 'Add a line to an open or paid invoice (a paid one reopens while anything is due): a service, tip or charge; on a package, instalment or membership invoice a tip or charge only', problems: ['invoice_not_open', 'invoice_void', 'not_found'] },
  'DELETE /v1/invoices/{id}/lines/{lineId}': { summary: 'Remove a line that is neither redeemed nor paid', problems: ['invoice_not_open', 'line_in_use'] },
  'POST /v1/invoices/{id}/payments': { summary: 'Record a payment on an invoice', problems: ['invoice_not_open', 'overpayment'] },
  'GET /v1/invoices/{id}/redeemable': { summary: "Which of the patient's purchases could cover each line, and why not" },
  'GET /v1/invoices/{id}/receipt.pdf': { summary: 'The invoice as a receipt (PDF): lines and what covered them, taxes, payments, balance due' },
  'POST /v1/invoices/{id}/receipt/email': { summary: "E-mail the receipt (PDF attached) to `to` or the patient (command; sent by the notifications queue)", problems: ['email_not_configured', 'no_email_address', 'not_found'] },
  'GET /v1/purchases/{id}/statement.pdf': { summary: "A purchase's statement (PDF): balances, instalments, history" },

  'GET /v1/dashboard': { summary: "The back office's day: overdue invoices, failed commands, recent activity" },

  'GET /v1/commands/{id}': { summary: 'Get a command: its status, request, result or error' },
  'GET /v1/commands': { summary: 'List commands' },
  'POST /v1/commands/{id}/retry': { summary: 'Retry a failed command: queued again under the same id and effect keys', problems: ['not_retryable', 'not_found'] },
  'POST /v1/redemptions': { summary: 'Redeem a purchase on an invoice line (command)' },
  'POST /v1/purchases/{id}/cancellation': { summary: 'Cancel a purchase (command)' },
  'POST /v1/purchases/{id}/refunds': { summary: 'Refund a purchase (command)' },
  'POST /v1/purchases/{id}/transfers': { summary: "Transfer paid visits to a family member (command)" },
  'POST /v1/purchases/{id}/extension': { summary: 'Extend a package to a later expiry (command)' },
  'POST /v1/purchases/{id}/pause': { summary: 'Pause the next 1..6 cycles of a membership (command)' },
  'POST /v1/purchases/{id}/resume': { summary: "Resume a paused membership: its paused cycles not started yet (command)" },
  'POST /v1/reconciliations': { summary: 'Run the reconciliation now, as of a date (command)' },
  'POST /v1/redemptions/{id}/reversal': { summary: 'Reverse a redemption: the visit back, the line free again (command)' },
  'POST /v1/invoices/{id}/void': { summary: 'Void a service invoice, reversing its redemptions (command)' },
  'POST /v1/invoices/{id}/refunds': { summary: 'Refund money received on a service invoice (command)' },
  'POST /v1/appointments/{id}/cancellation': { summary: 'Cancel an appointment and void its invoice (command)' },
  'POST /v1/bookings/{id}/cancellation': { summary: 'Cancel an online booking: online, its own within the window; staff, any (command)' },

  'POST /v1/patients/{patientId}/purchases': { summary: 'Sell a plan to a patient', problems: ['plan_archived'] },
  'GET /v1/patients/{patientId}/purchases': { summary: "List a patient's purchases" },
  'GET /v1/purchases/{id}': { summary: 'Get a purchase: balances, history, invoices' },
  'DELETE /v1/purchases/{id}': { summary: 'Delete a purchase made by mistake (never used)', problems: ['purchase_in_use'] },

  'POST /v1/bookings': { summary: 'Book online: an appointment, its invoice and a redemption when a purchase covers it', problems: ['not_found'] },
  'GET /v1/bookings/{id}': { summary: 'Get a booking' },

  'GET /v1/reports/liability': { summary: 'Liability as of a day: per plan, paid, refunded, recognized, forfeited and outstanding before tax (JSON or CSV)' },
  'GET /v1/reports/ageing': { summary: 'Open invoices as of a day by kind and days past due, balance before tax (JSON or CSV)' },
  'GET /v1/reports/revenue': { summary: 'Per day: payments, refunds, value recognized and visits redeemed (at most 366 days; JSON or CSV)' },
  'GET /v1/exports/invoices': { summary: 'Invoices made in a date range as CSV rows for an accounting package (streamed)' },
  'GET /v1/exports/payments': { summary: 'Payments and refunds made in a date range as CSV rows for an accounting package (streamed)' },
};

/** Tags in the order the docs show them. */
export const TAGS: { name: string; description: string }[] = [
  { name: 'clinic', description: 'The clinic, its settings and API keys' },
  { name: 'catalogue', description: 'Services and plans (packages, memberships)' },
  { name: 'patients', description: 'Patients and families' },
  { name: 'appointments', description: 'Appointments and their invoices' },
  { name: 'invoices', description: 'Invoices, lines, payments and what may cover them' },
  { name: 'purchases', description: 'Plans sold to patients' },
  { name: 'documents', description: 'Receipts and statements as PDF' },
  { name: 'commands', description: 'Billing commands, run by the workers: redemption, cancellation, refund, transfer, reconciliation' },
  { name: 'bookings', description: 'Online booking (the online role)' },
  { name: 'dashboard', description: "The back office's overview" },
  { name: 'reports', description: 'Liability, ageing, revenue and exports for the accountant (billing and owner)' },
  { name: 'operations', description: 'Health and metrics, without an API key' },
];
