import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../../db/database.js';
import { db, runShaped } from '../../db/query.js';
import type { CommandStatus } from '../../domain/transitions.js';
import type { IsoDate } from '../../domain/dates.js';
import type { InvoiceKind, InvoiceStatus } from '../../domain/invoice.js';
import type { RecordedPayment } from '../../domain/invoice-void.js';
import type { PurchaseKind, PurchaseStatus } from '../../domain/purchase-status.js';
import type { GiveBackTarget } from '../../domain/reversal.js';
import { restoredLineTaxes } from '../../domain/redemption-taxes.js';
import type { LineTax } from '../../domain/taxes.js';
import type { BillingInterval } from '../../domain/dates.js';

// What the corrections (reversal, invoice void, appointment cancellation, invoice refund) read
// and lock. Locks follow the order every command takes them: purchases (by id), then the invoice.
// As a redemption does, a reversal and a void take their locks in one statement and then read
// all they decide on in one more (a statement of its own, so its snapshot sees what the previous
// holders of those locks committed); every statement is a shape compiled once per process
// (runShaped) and prepared once per connection, so Postgres plans each once per connection.

export interface LockedInvoice {
  id: string;
  kind: InvoiceKind;
  status: InvoiceStatus;
  total: number;
  /** Σ of its lines' taxes. */
  taxTotal: number;
  coveredAmount: number;
  amountPaid: number;
  amountRefunded: number;
  serviceDate: IsoDate;
}

export interface LockedPurchase {
  id: string;
  kind: PurchaseKind;
  status: PurchaseStatus;
  startDate: IsoDate;
  billingInterval: BillingInterval | null;
  insuranceFriendly: boolean;
}

/** A line that still carries a redemption, with what the give-back needs of it. */
export interface RedeemedLineRow {
  id: string;
  amount: number;
  quantity: number;
  coveredAmount: number;
  serviceId: string;
  servicePrice: number;
  redemptionId: string;
  purchaseId: string;
  creditPayment: { id: string; amount: number } | null;
  /** The line's taxes now, and before it was redeemed (recorded on the redeemed ledger entry). */
  taxes: LineTax[];
  taxesBefore: LineTax[];
}

const taxesFrom = (value: unknown): LineTax[] => {
  const list = (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as LineTax[];
  return list.map((t) => ({ code: t.code, rateMilliPercent: Number(t.rateMilliPercent), amount: Number(t.amount) }));
};

/** The ledger key of a redemption given back (reversed or released): once per redemption, whoever asks. */
export const givenBackKey = (redemptionId: string) => `${redemptionId}:given_back`;

type Row = Record<string, unknown>;
type Tables = Database & { i: Database['invoice']; p: Database['purchase']; l: Database['invoice_line']; lc: Database['command']; le: Database['ledger_entry']; s: Database['service']; pay: Database['payment'] };

/** The invoice's columns a correction decides on, as `invoice_*` (invoice `i`). */
const invoiceColumns = (eb: ExpressionBuilder<Tables, 'i'>) => [
  eb.ref('i.id').as('invoice_id'), eb.ref('i.kind').as('invoice_kind'), eb.ref('i.status').as('invoice_status'), eb.ref('i.total').as('invoice_total'),
  eb.ref('i.tax_total').as('invoice_tax_total'), eb.ref('i.covered_amount').as('invoice_covered_amount'), eb.ref('i.amount_paid').as('invoice_amount_paid'),
  eb.ref('i.amount_refunded').as('invoice_amount_refunded'), sql<string>`i.service_date::text`.as('invoice_service_date'),
];

/** The purchase's columns, as `purchase_*` (purchase `p`). */
const purchaseColumns = (eb: ExpressionBuilder<Tables, 'p'>) => [
  eb.ref('p.id').as('purchase_id'), eb.ref('p.kind').as('purchase_kind'), eb.ref('p.status').as('purchase_status'), sql<string>`p.start_date::text`.as('purchase_start_date'),
  eb.ref('p.billing_interval').as('purchase_billing_interval'), eb.ref('p.insurance_friendly').as('purchase_insurance_friendly'),
];

/**
 * A redeemed line's columns, as `line_*`: the line `l`, its redemption's command `lc`, the
 * redemption's ledger entry `le` (the line's taxes before it), the service `s`, the package
 * credit `pay`, each left-joined to `l` as both reads join them.
 */
const lineColumns = (eb: ExpressionBuilder<Tables, 'l' | 'lc' | 'le' | 's' | 'pay'>) => [
  eb.ref('l.id').as('line_id'), eb.ref('l.amount').as('line_amount'), eb.ref('l.quantity').as('line_quantity'), eb.ref('l.covered_amount').as('line_covered_amount'),
  eb.ref('l.redemption_command_id').as('line_redemption_id'), eb.ref('l.redemption_purchase_id').as('line_purchase_id'),
  sql<string>`coalesce(l.service_id::text, lc.result->>'serviceId')`.as('line_service_id'), sql<string>`coalesce(s.price, 0)`.as('line_service_price'),
  eb.ref('pay.id').as('line_payment_id'), eb.ref('pay.amount').as('line_payment_amount'),
  eb.ref('l.taxes').as('line_taxes'), sql<unknown>`coalesce(le.details->'lineTaxesBefore', '[]'::jsonb)`.as('line_taxes_before'),
];

function toLockedInvoice(r: Row): LockedInvoice {
  return {
    id: r.invoice_id as string,
    kind: r.invoice_kind as InvoiceKind,
    status: r.invoice_status as InvoiceStatus,
    total: Number(r.invoice_total),
    taxTotal: Number(r.invoice_tax_total),
    coveredAmount: Number(r.invoice_covered_amount),
    amountPaid: Number(r.invoice_amount_paid),
    amountRefunded: Number(r.invoice_amount_refunded),
    serviceDate: r.invoice_service_date as IsoDate,
  };
}

function toLockedPurchase(r: Row): LockedPurchase {
  return {
    id: r.purchase_id as string,
    kind: r.purchase_kind as PurchaseKind,
    status: r.purchase_status as PurchaseStatus,
    startDate: r.purchase_start_date as IsoDate,
    billingInterval: (r.purchase_billing_interval as BillingInterval | null) ?? null,
    insuranceFriendly: Boolean(r.purchase_insurance_friendly),
  };
}

function toRedeemedLine(r: Row): RedeemedLineRow {
  return {
    id: r.line_id as string,
    amount: Number(r.line_amount),
    quantity: Number(r.line_quantity),
    coveredAmount: Number(r.line_covered_amount),
    serviceId: r.line_service_id as string,
    servicePrice: Number(r.line_service_price),
    redemptionId: r.line_redemption_id as string,
    purchaseId: r.line_purchase_id as string,
    creditPayment: r.line_payment_id ? { id: r.line_payment_id as string, amount: Number(r.line_payment_amount) } : null,
    taxes: taxesFrom(r.line_taxes),
    taxesBefore: taxesFrom(r.line_taxes_before),
  };
}

/** An invoice of the clinic, locked (an invoice refund's only lock). */
export async function lockInvoice(em: EntityManager, clinicId: string, id: string): Promise<LockedInvoice | null> {
  const [r] = await runShaped(em, 'correction.invoice.lock', [id, clinicId], (id, clinic) =>
    db.selectFrom('invoice as i').select(invoiceColumns).where('i.id', '=', id).where('i.clinic_id', '=', clinic).forUpdate());
  return r ? toLockedInvoice(r) : null;
}

export async function paymentsOf(em: EntityManager, invoiceId: string): Promise<RecordedPayment[]> {
  const rows = await runShaped(em, 'correction.invoice.payments', [invoiceId], (invoice) =>
    db.selectFrom('payment').select(['amount', 'method', 'voided']).where('invoice_id', '=', invoice).orderBy('id'));
  return rows.map((r) => ({ amount: Number(r.amount), method: r.method as string, voided: Boolean(r.voided) }));
}

/** What a reversal decides on: the command it names and, for a succeeded redemption, what it covered. */
export interface ReversalRead {
  command: { type: string; status: CommandStatus } | null;
  /** Given back already (its ledger key is taken); only read for a succeeded redemption. */
  alreadyReversed: boolean;
  purchase: LockedPurchase | null;
  invoice: LockedInvoice | null;
  /** The line the redemption covered, if it still carries a redemption (maybe another one). */
  line: RedeemedLineRow | null;
}

/**
 * A reversal's locks and read, two statements: the purchase of the redemption, then its invoice
 * (in the order a redemption takes them, so the two cannot deadlock), then everything the
 * decision needs. Nothing is locked unless the command is a succeeded redemption of the clinic.
 */
export async function loadReversal(em: EntityManager, clinicId: string, redemptionId: string): Promise<ReversalRead> {
  await runShaped(em, 'reversal.lock', [redemptionId, clinicId], (redemption, clinic) =>
    db
      .with('redemption', (qc) => qc.selectFrom('command')
        .select([sql<string>`(result->>'purchaseId')::uuid`.as('purchase_id'), sql<string>`(result->>'invoiceId')::uuid`.as('invoice_id')])
        .where('id', '=', redemption).where('clinic_id', '=', clinic).where('type', '=', 'redemption').where('status', '=', 'succeeded'))
      .with((cte) => cte('locked').materialized(), (qc) => qc.selectFrom('purchase as p').select('p.id')
        .where('p.clinic_id', '=', clinic).where('p.id', '=', qc.selectFrom('redemption').select('purchase_id')).orderBy('p.id').forUpdate())
      // The invoice row is joined to the aggregate of the locked purchase: none reaches its lock first.
      .with('candidates', (qc) => qc.selectFrom('locked').select(sql<number>`count(*)`.as('purchases')))
      .selectFrom(['invoice as i', 'candidates'])
      .select(['i.id', 'candidates.purchases'])
      .where('i.id', '=', (eb) => eb.selectFrom('redemption').select('invoice_id'))
      .where('i.clinic_id', '=', clinic)
      .forUpdate('i'));
  const [r] = await runShaped(em, 'reversal.read', [redemptionId, clinicId, givenBackKey(redemptionId)], (redemption, clinic, givenBack) =>
    db.selectFrom('command as c')
      .leftJoin('purchase as p', (j) => j.on(sql<boolean>`p.id = (c.result->>'purchaseId')::uuid`).onRef('p.clinic_id', '=', 'c.clinic_id'))
      .leftJoin('invoice as i', (j) => j.on(sql<boolean>`i.id = (c.result->>'invoiceId')::uuid`).onRef('i.clinic_id', '=', 'c.clinic_id'))
      .leftJoin('invoice_line as l', (j) => j.on(sql<boolean>`l.id = (c.result->>'lineId')::uuid`).onRef('l.invoice_id', '=', 'i.id').on('l.redemption_command_id', 'is not', null))
      .leftJoin('command as lc', 'lc.id', 'l.redemption_command_id')
      .leftJoin('ledger_entry as le', (j) => j.on(sql<boolean>`le.effect_key = l.redemption_command_id::text || ':redeemed'`))
      .leftJoin('service as s', 's.id', 'l.service_id')
      .leftJoin('payment as pay', (j) => j.onRef('pay.id', '=', 'l.redemption_payment_id').on(sql<boolean>`not pay.voided`))
      .select((eb) => [
        'c.type', 'c.status',
        sql<boolean>`c.type = 'redemption' and c.status = 'succeeded' and exists (select 1 from ledger_entry where effect_key = ${givenBack})`.as('given_back'),
        ...purchaseColumns(eb), ...invoiceColumns(eb), ...lineColumns(eb),
      ])
      .where('c.id', '=', redemption)
      .where('c.clinic_id', '=', clinic));
  if (!r) return { command: null, alreadyReversed: false, purchase: null, invoice: null, line: null };
  const succeeded = r.type === 'redemption' && r.status === 'succeeded';
  return {
    command: { type: r.type, status: r.status as CommandStatus },
    alreadyReversed: Boolean(r.given_back),
    purchase: succeeded && r.purchase_id ? toLockedPurchase(r) : null,
    invoice: succeeded && r.invoice_id ? toLockedInvoice(r) : null,
    line: succeeded && r.line_id ? toRedeemedLine(r) : null,
  };
}

/** An invoice locked after the purchases of its redemptions, with all a void decides on. */
export interface LockedInvoiceWithPurchases {
  invoice: LockedInvoice;
  purchases: Map<string, LockedPurchase>;
  /** The lines that carry a redemption, oldest first. */
  lines: RedeemedLineRow[];
  payments: RecordedPayment[];
}

/**
 * Locks an invoice after the purchases of its redemptions (one statement: the purchases its lines
 * name, by id, then the invoice), then reads the invoice, those lines with their purchases and
 * its payments (one more). The lock statement finds the purchases in its own snapshot: if a
 * redemption landed on the invoice meanwhile, its purchase was not locked and the two run again
 * (the set cannot change once the invoice is locked).
 */
export async function lockInvoiceWithPurchases(em: EntityManager, clinicId: string, invoiceId: string): Promise<LockedInvoiceWithPurchases | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [lock] = await runShaped(em, 'invoiceVoid.lock', [invoiceId, clinicId], (invoice, clinic) =>
      db
        .with((cte) => cte('locked').materialized(), (qc) => qc.selectFrom('purchase as p').select('p.id')
          .where('p.clinic_id', '=', clinic)
          .where('p.id', 'in', qc.selectFrom('invoice_line').select(sql<string>`redemption_purchase_id`.as('id')).where('invoice_id', '=', invoice).where('redemption_purchase_id', 'is not', null))
          .orderBy('p.id').forUpdate())
        // The invoice row is joined to the aggregate of the locked purchases: none reaches its lock first.
        .with('candidates', (qc) => qc.selectFrom('locked').select(sql<string[]>`coalesce(array_agg(id::text order by id), '{}')`.as('purchase_ids')))
        .selectFrom(['invoice as i', 'candidates'])
        .select(['i.id', 'candidates.purchase_ids'])
        .where('i.id', '=', invoice)
        .where('i.clinic_id', '=', clinic)
        .forUpdate('i'));
    if (!lock) return null;
    const rows = await runShaped(em, 'invoiceVoid.read', [invoiceId, clinicId], (invoice, clinic) =>
      db.selectFrom('invoice as i')
        .leftJoin('invoice_line as l', (j) => j.onRef('l.invoice_id', '=', 'i.id').on('l.redemption_command_id', 'is not', null))
        .leftJoin('command as lc', 'lc.id', 'l.redemption_command_id')
        .leftJoin('ledger_entry as le', (j) => j.on(sql<boolean>`le.effect_key = l.redemption_command_id::text || ':redeemed'`))
        .leftJoin('service as s', 's.id', 'l.service_id')
        .leftJoin('payment as pay', (j) => j.onRef('pay.id', '=', 'l.redemption_payment_id').on(sql<boolean>`not pay.voided`))
        .leftJoin('purchase as p', 'p.id', 'l.redemption_purchase_id')
        .select((eb) => [
          ...invoiceColumns(eb), ...lineColumns(eb), ...purchaseColumns(eb),
          sql<unknown>`(select coalesce(json_agg(json_build_object('amount', pm.amount, 'method', pm.method, 'voided', pm.voided) order by pm.id), '[]') from payment pm where pm.invoice_id = i.id)`.as('payments'),
        ])
        .where('i.id', '=', invoice)
        .where('i.clinic_id', '=', clinic)
        .orderBy('l.created_at')
        .orderBy('l.id'));
    const locked = new Set(lock.purchase_ids);
    const lines = rows.filter((r) => r.line_id !== null).map(toRedeemedLine);
    if (!lines.every((l) => locked.has(l.purchaseId))) continue;
    const purchases = new Map(rows.filter((r) => r.purchase_id !== null).map((r) => [r.purchase_id as string, toLockedPurchase(r)]));
    const payments = (typeof rows[0].payments === 'string' ? JSON.parse(rows[0].payments) : rows[0].payments) as { amount: number | string; method: string; voided: boolean }[];
    return { invoice: toLockedInvoice(rows[0]), purchases, lines, payments: payments.map((p) => ({ amount: Number(p.amount), method: p.method, voided: Boolean(p.voided) })) };
  }
  throw new Error(`invoice ${invoiceId}: its redemptions kept changing while being locked`);
}

/** The line as it is and what it goes back to, with the taxes it had before at their rates. */
function lineBack(line: RedeemedLineRow, listAmount: number): GiveBackTarget['line'] {
  const restored = restoredLineTaxes(line.taxesBefore, line.taxes, listAmount);
  return { id: line.id, amount: line.amount, listAmount, restoredTax: restored.taxDelta, restoredTaxes: restored.taxes };
}

/** The domain's view of one redemption on its line. */
export function giveBackTarget(line: RedeemedLineRow, invoice: LockedInvoice, purchase: LockedPurchase): GiveBackTarget {
  return {
    redemption: {
      commandId: line.redemptionId,
      purchaseId: purchase.id,
      serviceId: line.serviceId,
      quantity: line.quantity,
      serviceDate: invoice.serviceDate,
      coveredAmount: line.coveredAmount,
      creditPayment: line.creditPayment,
    },
    // An insurance-friendly redemption repriced the line at the visit value: it goes back to the
    // service's list price; an ordinary one never changed the line's amount.
    line: lineBack(line, purchase.insuranceFriendly ? line.servicePrice * line.quantity : line.amount),
    invoice: { id: invoice.id, total: invoice.total, coveredAmount: invoice.coveredAmount, amountPaid: invoice.amountPaid, status: invoice.status },
    purchase: {
      id: purchase.id,
      kind: purchase.kind,
      status: purchase.status,
      startDate: purchase.startDate,
      ...(purchase.billingInterval ? { billingInterval: purchase.billingInterval } : {}),
    },
  };
}
