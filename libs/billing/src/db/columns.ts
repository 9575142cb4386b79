import type { CommandTable, InvoiceLineTable, InvoiceTable, PaymentTable, PurchaseBalanceTable, PurchaseTable } from './database.js';

// Explicit column lists for statements that return rows: a prepared statement whose result
// changes shape (a `*` after a migration added a column) is refused by Postgres.

export const COMMAND_COLUMNS = [
  'id', 'created_at', 'clinic_id', 'type', 'status', 'request', 'idempotency_key', 'channel', 'result', 'error',
  'attempts', 'progress', 'requested_by_key_id', 'correlation_id', 'started_at', 'finished_at',
] as const satisfies readonly (keyof CommandTable)[];

/** `alias.column` for each column, typed for Kysely's select and returning lists. */
export const qualified = <A extends string, C extends string>(alias: A, columns: readonly C[]) => columns.map((c) => `${alias}.${c}` as `${A}.${C}`);

export const PURCHASE_COLUMNS = [
  'id', 'created_at', 'clinic_id', 'patient_id', 'plan_id', 'source_purchase_id', 'kind', 'plan_name', 'status', 'payment_schedule', 'start_date', 'expires_on',
  'cancel_at', 'price', 'insurance_friendly', 'online_redemption', 'billing_interval', 'rollover', 'first_visit_extra', 'paused_cycles', 'deleted_at', 'created_by_key_id',
] as const satisfies readonly (keyof PurchaseTable)[];

export const BALANCE_COLUMNS = [
  'id', 'created_at', 'clinic_id', 'purchase_id', 'service_id', 'service_name', 'total', 'used', 'transferred_out', 'transferred_in', 'visit_value', 'list_price', 'patient_portion', 'position',
] as const satisfies readonly (keyof PurchaseBalanceTable)[];

export const INVOICE_COLUMNS = [
  'id', 'created_at', 'clinic_id', 'number', 'patient_id', 'kind', 'status', 'purchase_id', 'appointment_id', 'due_date', 'service_date', 'cycle_start',
  'installment_number', 'subtotal', 'tax_total', 'total', 'amount_paid', 'amount_refunded', 'covered_amount', 'amount_written_off', 'extras_total', 'extras_subtotal', 'voided_at', 'created_by_key_id',
] as const satisfies readonly (keyof InvoiceTable)[];

export const INVOICE_LINE_COLUMNS = [
  'id', 'created_at', 'clinic_id', 'invoice_id', 'service_id', 'description', 'quantity', 'unit_price', 'amount', 'covered_amount',
  'redemption_purchase_id', 'redemption_command_id', 'redemption_payment_id', 'kind', 'tax_codes', 'taxes', 'effect_key',
] as const satisfies readonly (keyof InvoiceLineTable)[];

export const PAYMENT_COLUMNS = [
  'id', 'created_at', 'clinic_id', 'invoice_id', 'amount', 'method', 'reference', 'command_id', 'effect_key', 'created_by_key_id',
] as const satisfies readonly (keyof PaymentTable)[];
