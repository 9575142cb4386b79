import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { int, SUBTOTAL } from './report-sql.js';

/** Rows per statement: memory holds one batch, whatever the range. */
export const EXPORT_BATCH = 1000;

export interface InvoiceExportRow {
  number: number;
  date: IsoDate;
  dueDate: IsoDate | null;
  serviceDate: IsoDate;
  patientId: string;
  patient: string;
  kind: string;
  status: string;
  subtotal: number;
  taxTotal: number;
  total: number;
  coveredAmount: number;
  amountPaid: number;
  amountRefunded: number;
  amountWrittenOff: number;
  balanceDue: number;
  purchaseId: string | null;
  id: string;
}

export interface PaymentExportRow {
  date: IsoDate;
  createdAt: string;
  invoiceNumber: number;
  invoiceId: string;
  patientId: string;
  patient: string;
  method: string;
  amount: number;
  reference: string | null;
  voided: boolean;
  id: string;
}

export const INVOICE_EXPORT_FIELDS: (keyof InvoiceExportRow)[] = [
  'number', 'date', 'dueDate', 'serviceDate', 'patientId', 'patient', 'kind', 'status', 'subtotal', 'taxTotal', 'total',
  'coveredAmount', 'amountPaid', 'amountRefunded', 'amountWrittenOff', 'balanceDue', 'purchaseId', 'id',
];
export const INVOICE_EXPORT_MONEY = new Set(['subtotal', 'taxTotal', 'total', 'coveredAmount', 'amountPaid', 'amountRefunded', 'amountWrittenOff', 'balanceDue']);
export const PAYMENT_EXPORT_FIELDS: (keyof PaymentExportRow)[] = [
  'date', 'createdAt', 'invoiceNumber', 'invoiceId', 'patientId', 'patient', 'method', 'amount', 'reference', 'voided', 'id',
];
export const PAYMENT_EXPORT_MONEY = new Set(['amount']);

// Keyset pages over (created_at, id): each statement one range scan of the (clinic_id, created_at, id)
// index. The cursor is created_at as text, which keeps its microseconds (a JS Date would not).
const RANGE = `c as (
  select cl.id as clinic_id, cl.timezone as tz, (?::date::timestamp at time zone cl.timezone) as start_at,
         ((?::date + 1)::timestamp at time zone cl.timezone) as end_at
  from clinic cl where cl.id = ?::uuid)`;

const INVOICES_SQL = `
with ${RANGE}
select i.number, (i.created_at at time zone c.tz)::date::text as date, i.due_date::text as due_date, i.service_date::text as service_date,
       i.patient_id, pa.first_name || ' ' || pa.last_name as patient, i.kind, i.status, ${SUBTOTAL('i')} as subtotal, i.tax_total, i.total,
       i.covered_amount, i.amount_paid, i.amount_refunded, i.amount_written_off, i.purchase_id, i.id, i.created_at::text as k
from invoice i join patient pa on pa.id = i.patient_id, c
where i.clinic_id = c.clinic_id and i.created_at >= c.start_at and i.created_at < c.end_at
  and (i.created_at, i.id) > (?::timestamptz, ?::uuid)
order by i.created_at, i.id
limit ${EXPORT_BATCH}`;

const PAYMENTS_SQL = `
with ${RANGE}
select (pm.created_at at time zone c.tz)::date::text as date, pm.created_at, i.number as invoice_number, pm.invoice_id, i.patient_id,
       pa.first_name || ' ' || pa.last_name as patient, pm.method, pm.amount, pm.reference, pm.voided, pm.id, pm.created_at::text as k
from payment pm join invoice i on i.id = pm.invoice_id join patient pa on pa.id = i.patient_id, c
where pm.clinic_id = c.clinic_id and pm.created_at >= c.start_at and pm.created_at < c.end_at
  and (pm.created_at, pm.id) > (?::timestamptz, ?::uuid)
order by pm.created_at, pm.id
limit ${EXPORT_BATCH}`;

const START = ['-infinity', '00000000-0000-0000-0000-000000000000'] as const;

async function* pages<R extends { k: string; id: string }>(em: EntityManager, sql: string, clinicId: string, from: IsoDate, to: IsoDate): AsyncGenerator<R[]> {
  let after: readonly [string, string] = START;
  for (;;) {
    const rows = await em.execute<R[]>(sql, [from, to, clinicId, after[0], after[1]]);
    if (rows.length > 0) yield rows;
    if (rows.length < EXPORT_BATCH) return;
    const last = rows[rows.length - 1];
    after = [last.k, last.id];
  }
}

interface InvoiceRow {
  number: number; date: string; due_date: string | null; service_date: string; patient_id: string; patient: string; kind: string; status: string;
  subtotal: string; tax_total: string; total: string; covered_amount: string; amount_written_off: string; amount_paid: string; amount_refunded: string; purchase_id: string | null; id: string; k: string;
}

/** The clinic's invoices made from `from` to `to` (its days), in batches of EXPORT_BATCH, oldest first. */
export async function* exportInvoices(em: EntityManager, clinicId: string, from: IsoDate, to: IsoDate): AsyncGenerator<InvoiceExportRow[]> {
  for await (const rows of pages<InvoiceRow>(em, INVOICES_SQL, clinicId, from, to)) {
    yield rows.map((r) => {
      const total = int(r.total);
      const subtotal = int(r.subtotal);
      const amountWrittenOff = int(r.amount_written_off);
      const balanceDue = r.status === 'void' ? 0 : total - int(r.covered_amount) - int(r.amount_paid) - amountWrittenOff;
      return {
        number: r.number, date: r.date, dueDate: r.due_date, serviceDate: r.service_date, patientId: r.patient_id, patient: r.patient,
        kind: r.kind, status: r.status, subtotal, taxTotal: int(r.tax_total), total, coveredAmount: int(r.covered_amount),
        amountPaid: int(r.amount_paid), amountRefunded: int(r.amount_refunded), amountWrittenOff, balanceDue, purchaseId: r.purchase_id, id: r.id,
      };
    });
  }
}

interface PaymentRow {
  date: string; created_at: Date; invoice_number: number; invoice_id: string; patient_id: string; patient: string; method: string;
  amount: string; reference: string | null; voided: boolean; id: string; k: string;
}

/** The clinic's payments (refunds as negative amounts) made from `from` to `to`, in batches, oldest first. */
export async function* exportPayments(em: EntityManager, clinicId: string, from: IsoDate, to: IsoDate): AsyncGenerator<PaymentExportRow[]> {
  for await (const rows of pages<PaymentRow>(em, PAYMENTS_SQL, clinicId, from, to)) {
    yield rows.map((r) => ({
      date: r.date, createdAt: new Date(r.created_at).toISOString(), invoiceNumber: r.invoice_number, invoiceId: r.invoice_id,
      patientId: r.patient_id, patient: r.patient, method: r.method, amount: int(r.amount), reference: r.reference, voided: r.voided, id: r.id,
    }));
  }
}
