import type { EntityManager } from '@mikro-orm/postgresql';
import { BALANCE_COLUMNS, INVOICE_COLUMNS, PURCHASE_COLUMNS } from '../../db/columns.js';
import { db, run } from '../../db/query.js';
import { Invoice } from '../../entities/invoice.entity.js';
import { Purchase } from '../../entities/purchase.entity.js';
import { PurchaseBalance } from '../../entities/purchase-balance.entity.js';

// What the purchase commands (cancellation, refund, transfer) load and lock, through Kysely.
// Rows are mapped to entities for their types and conversions only: nothing is flushed, the
// handlers return their writes as effects.

/** A purchase of the clinic that was not deleted, locked (the first lock every purchase command takes). */
export async function lockPurchase(em: EntityManager, clinicId: string, id: string): Promise<Purchase | null> {
  const [row] = await run(em, db.selectFrom('purchase').select(PURCHASE_COLUMNS).where('id', '=', id).where('clinic_id', '=', clinicId).where('deleted_at', 'is', null).forUpdate());
  return row ? em.map(Purchase, row as Record<string, unknown>) : null;
}

/** The transfer target: the family member's purchase linked to a source, locked after the source. */
export async function lockLinkedPurchase(em: EntityManager, sourceId: string, patientId: string): Promise<Purchase | null> {
  const [row] = await run(em, db.selectFrom('purchase').select(PURCHASE_COLUMNS).where('source_purchase_id', '=', sourceId).where('patient_id', '=', patientId).forUpdate());
  return row ? em.map(Purchase, row as Record<string, unknown>) : null;
}

export async function balancesOf(em: EntityManager, purchaseId: string): Promise<PurchaseBalance[]> {
  const rows = await run(em, db.selectFrom('purchase_balance').select(BALANCE_COLUMNS).where('purchase_id', '=', purchaseId).orderBy('position'));
  return rows.map((row) => em.map(PurchaseBalance, row as Record<string, unknown>));
}

/** The purchase's invoices (all, or the open ones), locked by id after the purchase. */
export async function lockInvoicesOf(em: EntityManager, purchaseId: string, only?: 'open'): Promise<Invoice[]> {
  let query = db.selectFrom('invoice').select(INVOICE_COLUMNS).where('purchase_id', '=', purchaseId);
  if (only) query = query.where('status', '=', only);
  const rows = await run(em, query.orderBy('id').forUpdate());
  return rows.map((row) => em.map(Invoice, row as Record<string, unknown>));
}
