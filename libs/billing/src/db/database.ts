import type { ColumnType } from 'kysely';
import type { CommandChannel, CommandProblem, CommandStatus, CommandType } from '../entities/command.entity.js';
import type { InvoiceKind } from '../entities/invoice.entity.js';
import type { InvoiceLineKind } from '../entities/invoice-line.entity.js';
import type { LedgerType } from '../entities/ledger-entry.entity.js';
import type { PaymentMethod } from '../entities/payment.entity.js';
import type { PurchaseStatus } from '../domain/purchase-status.js';
import type { InvoiceStatus } from '../domain/redemption.js';
import type { PausedCycle } from '../domain/pause.js';
import type { LineTax } from '../domain/taxes.js';

// The tables the command pipeline reads and writes, as Kysely sees them (from the migrations;
// only the columns used). Money is bigint: node-postgres reads it as a string, writes a number.

/** bigint minor units: a string when read, a number when written. */
type Money = ColumnType<string, number, number>;
/** Money with a column default (0): optional on insert. */
type DefaultedMoney = ColumnType<string, number | undefined, number>;
/** A column with a default: optional on insert. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** date columns travel as ISO strings (YYYY-MM-DD). */
type DateText = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string, string>;

export interface CommandTable {
  id: string;
  created_at: Defaulted<Date>;
  clinic_id: string;
  type: CommandType;
  status: Defaulted<CommandStatus>;
  request: Json<Record<string, unknown>>;
  idempotency_key: string | null;
  channel: Defaulted<CommandChannel>;
  result: Json<Record<string, unknown> | null> | null;
  error: Json<CommandProblem | null> | null;
  attempts: Defaulted<number>;
  progress: Json<Record<string, unknown> | null> | null;
  requested_by_key_id: string | null;
  correlation_id: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface IdempotencyRecordTable {
  id: string;
  created_at: Defaulted<Date>;
  clinic_id: string;
  key: string;
  endpoint: string;
  request_hash: string;
  command_id: string | null;
  state: Defaulted<'in_progress' | 'done'>;
}

export interface ClinicTable {
  id: string;
  timezone: string;
  settings: Json<Record<string, unknown>>;
}

export interface PatientTable {
  id: string;
  clinic_id: string;
  family_id: string | null;
}

export interface ServiceTable {
  id: string;
  clinic_id: string;
  name: string;
  price: Money;
  tax_codes: ColumnType<string[], string | undefined, string>;
}

export interface PurchaseTable {
  id: string;
  created_at: Defaulted<Date>;
  clinic_id: string;
  patient_id: string;
  plan_id: string;
  source_purchase_id: string | null;
  kind: 'package' | 'membership';
  plan_name: string;
  status: Defaulted<PurchaseStatus>;
  payment_schedule: Defaulted<string>;
  start_date: DateText;
  expires_on: DateText | null;
  cancel_at: DateText | null;
  price: Money;
  insurance_friendly: Defaulted<boolean>;
  online_redemption: Defaulted<boolean>;
  billing_interval: string | null;
  rollover: Defaulted<boolean>;
  first_visit_extra: Money;
  paused_cycles: ColumnType<PausedCycle[], string | undefined, string>;
  deleted_at: Date | null;
  created_by_key_id: string | null;
}

export interface PurchaseBalanceTable {
  id: string;
  created_at: Defaulted<Date>;
  clinic_id: string;
  purchase_id: string;
  service_id: string;
  service_name: string;
  total: Money;
  used: Defaulted<number>;
  transferred_out: Defaulted<number>;
  transferred_in: Defaulted<number>;
  visit_value: Money;
  list_price: Money;
  patient_portion: DefaultedMoney;
  position: Defaulted<number>;
}

export interface InvoiceTable {
  id: string;
  created_at: Defaulted<Date>;
  clinic_id: string;
  number: number;
  patient_id: string;
  kind: InvoiceKind;
  status: Defaulted<InvoiceStatus>;
  purchase_id: string | null;
  appointment_id: string | null;
  due_date: DateText | null;
  service_date: DateText;
  cycle_start: DateText | null;
  installment_number: number | null;
  subtotal: Money;
  /** Defaults to 0 (untaxed): optional on insert. */
  tax_total: ColumnType<string, number | undefined, number>;
  total: Money;
  amount_paid: Money;
  amount_refunded: Money;
  covered_amount: Money;
  amount_written_off: DefaultedMoney;
  /** A purchase invoice's tip and charge lines, with and before taxes; 0 otherwise. */
  extras_total: DefaultedMoney;
  extras_subtotal: DefaultedMoney;
  voided_at: Date | null;
  created_by_key_id: string | null;
  /** A blank desk invoice made with an Idempotency-Key: unique, derived from the key; else null (write path only). */
  effect_key: Defaulted<string | null>;
}

export interface InvoiceLineTable {
  id: string;
  created_at: Defaulted<Date>;
  clinic_id: string;
  invoice_id: string;
  service_id: string | null;
  kind: Defaulted<InvoiceLineKind>;
  description: string;
  quantity: number;
  unit_price: Money;
  amount: Money;
  covered_amount: Money;
  redemption_purchase_id: string | null;
  redemption_command_id: string | null;
  redemption_payment_id: string | null;
  /** [{ code, rateMilliPercent, amount }]: the taxes the line was made with. */
  taxes: ColumnType<LineTax[], string | undefined, string>;
  tax_codes: ColumnType<string[], string | undefined, string>;
  /** A desk line added with an Idempotency-Key: unique, derived from the key; else null. */
  effect_key: Defaulted<string | null>;
}

export interface LedgerEntryTable {
  id: string;
  created_at: Defaulted<Date>;
  clinic_id: string;
  purchase_id: string;
  service_id: string | null;
  type: LedgerType;
  visits: Defaulted<number>;
  amount: Money;
  cycle_start: DateText | null;
  invoice_id: string | null;
  command_id: string | null;
  effect_key: string;
  details: Json<Record<string, unknown> | null> | null;
  by_key_id: string | null;
}

export interface PaymentTable {
  id: string;
  created_at: Defaulted<Date>;
  clinic_id: string;
  invoice_id: string;
  amount: Money;
  method: PaymentMethod;
  reference: string | null;
  command_id: string | null;
  effect_key: string;
  created_by_key_id: string | null;
  voided: Defaulted<boolean>;
}

export interface AppointmentTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  service_id: string;
  starts_at: Date;
  invoice_id: string | null;
  status: Defaulted<'booked' | 'cancelled'>;
}

export interface Database {
  command: CommandTable;
  idempotency_record: IdempotencyRecordTable;
  clinic: ClinicTable;
  patient: PatientTable;
  service: ServiceTable;
  purchase: PurchaseTable;
  purchase_balance: PurchaseBalanceTable;
  invoice: InvoiceTable;
  invoice_line: InvoiceLineTable;
  ledger_entry: LedgerEntryTable;
  payment: PaymentTable;
  appointment: AppointmentTable;
}
