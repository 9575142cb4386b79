import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { IsoDate } from '../../domain/dates.js';
import type { InvoiceLineKind } from '../../domain/invoice.js';
import type { InvoiceStatus } from '../../domain/redemption.js';
import type { LineTax } from '../../domain/taxes.js';
import { executePrepared } from '../../database/prepared.js';
import { db, runShaped } from '../../db/query.js';
import { parseJson, purchaseStateColumns, toPurchaseRows, type InvoiceLineState, type PurchaseRows } from '../../queries/purchase-states.js';

// What a redemption locks and reads: two statements, each a named prepared statement.

/**
 * Locks what a redemption changes, in the order every command takes locks: the candidate
 * purchases (the one named, or the invoice patient's active and expired ones) by id, then the
 * invoice. One statement, ordered by a real dependency: the invoice row that is locked is joined
 * to the aggregate of the locked purchase ids, so no invoice row reaches the lock before every
 * candidate purchase is locked. Null when the invoice does not exist.
 */
export async function lockForRedemption(em: EntityManager, clinicId: string, invoiceId: string, purchaseId: string | undefined): Promise<{ purchaseIds: string[] } | null> {
  // Two texts rather than a CASE on the parameter: each keeps a plan that uses its index.
  const lock = (clinic: string, invoice: string, purchase: string | null) => {
    const purchases = db.selectFrom('purchase as p').select('p.id').where('p.clinic_id', '=', clinic).where('p.deleted_at', 'is', null);
    const candidates = purchase !== null
      ? purchases.where('p.id', '=', purchase)
      : purchases
          .where('p.patient_id', '=', db.selectFrom('invoice').select('patient_id').where('id', '=', invoice).where('clinic_id', '=', clinic))
          .where('p.status', 'in', ['active', 'expired']);
    return db.with((cte) => cte('locked').materialized(), () => candidates.orderBy('p.id').forUpdate())
      .with('candidates', (qc) => qc.selectFrom('locked').select(sql<string[]>`coalesce(array_agg(id::text order by id), '{}')`.as('purchase_ids')))
      .selectFrom(['invoice as i', 'candidates'])
      .select(['i.id', 'candidates.purchase_ids'])
      .where('i.id', '=', invoice)
      .where('i.clinic_id', '=', clinic)
      .forUpdate('i');
  };
  // Compiled once per text (runShaped): the named purchase's, and the patient's candidates'.
  const rows = purchaseId
    ? await runShaped(em, 'redemption.lock.named', [clinicId, invoiceId, purchaseId], lock)
    : await runShaped(em, 'redemption.lock.patient', [clinicId, invoiceId], (clinic, invoice) => lock(clinic, invoice, null));
  return rows[0] ? { purchaseIds: rows[0].purchase_ids } : null;
}

/**
 * What a redemption decides on, read after its locks (a statement of its own, so its snapshot
 * sees what the previous holders of those locks committed): the purchases and the invoice line,
 * in one query.
 */
export async function loadRedemptionState(em: EntityManager, clinicId: string, purchaseIds: string[], invoiceId: string, lineId: string): Promise<{ candidates: PurchaseRows[]; invoice: InvoiceLineState } | null> {
  const rows = await executePrepared<Record<string, unknown>>(em,
    `select candidate.*, row_to_json(inv) as invoice_json
       from (${INVOICE_LINE_SQL}) inv
       left join lateral (select ${purchaseStateColumns(em)} from purchase p where p.clinic_id = ? and p.deleted_at is null and p.id = any(?::uuid[])) candidate on true
      order by candidate.id`,
    [lineId, invoiceId, clinicId, clinicId, `{${purchaseIds.join(',')}}`],
  );
  if (!rows[0]) return null;
  const invoice = toInvoiceLineState(parseJson<Record<string, unknown>>(rows[0].invoice_json));
  const candidates = rows.filter((row) => row.id !== null).map(({ invoice_json: _, ...row }) => toPurchaseRows(em, row));
  return { candidates, invoice };
}

/** An invoice and one of its lines, as a redemption reads them (parameters: line, invoice, clinic). */
const INVOICE_LINE_SQL = `select i.id, i.clinic_id, i.patient_id, i.status, i.service_date::text as service_date, i.total, i.tax_total, i.covered_amount, i.amount_paid, i.amount_written_off,
            l.id as line_id, l.service_id, l.kind, l.quantity, l.amount, l.taxes, l.redemption_command_id
       from invoice i left join invoice_line l on l.id = ? and l.invoice_id = i.id
      where i.id = ? and i.clinic_id = ?`;

function toInvoiceLineState(r: Record<string, unknown>): InvoiceLineState {
  return {
    invoiceId: r.id as string,
    clinicId: r.clinic_id as string,
    patientId: r.patient_id as string,
    status: r.status as InvoiceStatus,
    serviceDate: r.service_date as IsoDate,
    total: Number(r.total),
    coveredAmount: Number(r.covered_amount),
    amountPaid: Number(r.amount_paid),
    amountWrittenOff: Number(r.amount_written_off ?? 0),
    taxTotal: Number(r.tax_total ?? 0),
    line: r.line_id
      ? {
          id: r.line_id as string, serviceId: (r.service_id as string | null) ?? null, kind: (r.kind as InvoiceLineKind | null) ?? 'service', quantity: Number(r.quantity), amount: Number(r.amount),
          redemptionCommandId: (r.redemption_command_id as string | null) ?? null,
          taxes: parseJson<LineTax[]>(r.taxes).map((t) => ({ ...t, amount: Number(t.amount) })),
        }
      : null,
  };
}

