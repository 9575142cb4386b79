import type { EntityManager } from '@mikro-orm/postgresql';
import { balanceDue } from '../domain/invoice.js';
import type { InvoiceKind } from '../entities/invoice.entity.js';
import type { PaymentMethod } from '../entities/payment.entity.js';
import { documentClinic, rowTaxes, taxesPerCode, type DocumentClinic, type DocumentTax } from './document-clinic.js';

/** What covered a line: the purchase that paid for it, and which of its visits this was. */
export interface LineCoverage {
  /** package_credit: an insurance-friendly package paid the line with a payment; covered: the visit was taken from the balance. */
  how: 'package_credit' | 'covered';
  purchaseKind: 'package' | 'membership';
  planName: string;
  /** The first and last visit of this line in the purchase's order of redemptions (per cycle for a membership). */
  firstVisit: number;
  lastVisit: number;
  /** Visits the purchase held for this service (per cycle for a membership). */
  ofVisits: number;
  cycleStart: string | null;
}

export interface ReceiptLine {
  description: string;
  quantity: number;
  unitPrice: number;
  amount: number;
  coveredAmount: number;
  taxes: DocumentTax[];
  coverage: LineCoverage | null;
}

export interface ReceiptPayment {
  at: string;
  method: PaymentMethod;
  reference: string | null;
  /** Negative for a refund. */
  amount: number;
  voided: boolean;
}

/** A receipt as plain data: the API's PDF and the e-mailed one are rendered from this. */
export interface ReceiptModel {
  clinic: DocumentClinic;
  invoice: {
    id: string;
    number: number;
    kind: InvoiceKind;
    status: string;
    issuedAt: string;
    serviceDate: string;
    dueDate: string | null;
    subtotal: number;
    taxTotal: number;
    total: number;
    coveredAmount: number;
    amountPaid: number;
    amountRefunded: number;
    balanceDue: number;
  };
  patient: { name: string; email: string | null; dateOfBirth: string | null };
  lines: ReceiptLine[];
  taxes: DocumentTax[];
  payments: ReceiptPayment[];
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const date = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/**
 * The receipt of one invoice of a clinic, or null when it has none by that id. Rows are read as
 * JSON (to_jsonb) so columns that later migrations add (subtotal, tax_total, a line's taxes, a
 * payment's voided_at, amount_written_off) show as soon as they exist, and as none or zero before.
 * Three reads in one snapshot (the caller's transaction, if any).
 */
export async function loadReceipt(em: EntityManager, clinicId: string, invoiceId: string): Promise<ReceiptModel | null> {
  const [head] = await em.execute<Row[]>(
    `select to_jsonb(i) as invoice, c.name as clinic_name, c.currency, c.timezone, c.settings,
            p.first_name, p.last_name, p.email, p.date_of_birth
       from invoice i join clinic c on c.id = i.clinic_id join patient p on p.id = i.patient_id
      where i.id = ? and i.clinic_id = ?`,
    [invoiceId, clinicId],
  );
  if (!head) return null;
  const [lineRows, paymentRows] = await Promise.all([
    em.execute<Row[]>(
      // The visit number counts the purchase's redemptions of the service (in a membership, of
      // the cycle) up to this one, in the ledger's order, leaving out those given back since
      // (reversed or released: their visit is no longer used).
      `select to_jsonb(l) as line, pu.kind as purchase_kind, pu.plan_name, r.cycle_start, r.quantity, r.used_through,
              b.total + b.transferred_in as of_visits
         from invoice_line l
         left join purchase pu on pu.id = l.redemption_purchase_id
         left join lateral (
           select e.cycle_start, -e.visits as quantity,
                  (select coalesce(sum(-x.visits), 0) from ledger_entry x
                    where x.purchase_id = e.purchase_id and x.service_id = e.service_id and x.type = 'redeemed'
                      and x.cycle_start is not distinct from e.cycle_start and (x.created_at, x.id) <= (e.created_at, e.id)
                      and not exists (select 1 from ledger_entry g where g.effect_key = x.command_id::text || ':given_back')) as used_through
             from ledger_entry e
            where e.purchase_id = l.redemption_purchase_id and e.command_id = l.redemption_command_id and e.type = 'redeemed'
            order by e.created_at limit 1) r on true
         left join purchase_balance b on b.purchase_id = l.redemption_purchase_id and b.service_id = l.service_id
        where l.invoice_id = ? and l.clinic_id = ?
        order by l.created_at, l.id`,
      [invoiceId, clinicId],
    ),
    em.execute<Row[]>(`select to_jsonb(p) as payment from payment p where p.invoice_id = ? and p.clinic_id = ? order by p.created_at, p.id`, [invoiceId, clinicId]),
  ]);

  const { taxNames, ...clinic } = documentClinic({ name: String(head.clinic_name), currency: String(head.currency), timezone: String(head.timezone), settings: head.settings });
  const lines = lineRows.map((row): ReceiptLine => {
    const l = row.line as Row;
    return {
      description: String(l.description),
      quantity: num(l.quantity),
      unitPrice: num(l.unit_price),
      amount: num(l.amount),
      coveredAmount: num(l.covered_amount),
      taxes: rowTaxes(l.taxes, taxNames),
      coverage: coverageOf(l, row),
    };
  });
  const i = head.invoice as Row;
  const amounts = {
    total: num(i.total),
    coveredAmount: num(i.covered_amount),
    amountPaid: num(i.amount_paid),
    amountWrittenOff: num(i.amount_written_off),
  };
  const allTaxes = lines.flatMap((l) => l.taxes);
  const taxTotal = i.tax_total !== undefined ? num(i.tax_total) : allTaxes.reduce((s, t) => s + t.amount, 0);
  return {
    clinic,
    invoice: {
      id: String(i.id),
      number: num(i.number),
      kind: i.kind as InvoiceKind,
      status: String(i.status),
      issuedAt: iso(i.created_at),
      serviceDate: date(i.service_date)!,
      dueDate: date(i.due_date),
      subtotal: i.subtotal !== undefined ? num(i.subtotal) : amounts.total - taxTotal,
      taxTotal,
      total: amounts.total,
      coveredAmount: amounts.coveredAmount,
      amountPaid: amounts.amountPaid,
      amountRefunded: num(i.amount_refunded),
      balanceDue: i.status === 'void' ? 0 : balanceDue(amounts),
    },
    patient: { name: `${String(head.first_name)} ${String(head.last_name)}`, email: (head.email as string | null) ?? null, dateOfBirth: date(head.date_of_birth) },
    lines,
    taxes: taxesPerCode(allTaxes),
    payments: paymentRows.map(({ payment: p }) => {
      const row = p as Row;
      return {
        at: iso(row.created_at),
        method: row.method as PaymentMethod,
        reference: (row.reference as string | null) ?? null,
        amount: num(row.amount),
        voided: row.voided_at !== undefined && row.voided_at !== null,
      };
    }),
  };
}

function coverageOf(line: Row, row: Row): LineCoverage | null {
  if (!line.redemption_purchase_id || row.plan_name === null || row.plan_name === undefined) return null;
  const quantity = num(row.quantity) || num(line.quantity);
  const lastVisit = num(row.used_through);
  return {
    how: line.redemption_payment_id ? 'package_credit' : 'covered',
    purchaseKind: row.purchase_kind as 'package' | 'membership',
    planName: String(row.plan_name),
    firstVisit: Math.max(1, lastVisit - quantity + 1),
    lastVisit,
    ofVisits: num(row.of_visits),
    cycleStart: date(row.cycle_start),
  };
}
