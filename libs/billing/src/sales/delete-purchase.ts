import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { assertTransition } from '../domain/transitions.js';
import { Invoice } from '../entities/invoice.entity.js';
import { Purchase } from '../entities/purchase.entity.js';

export type DeleteOutcome = 'deleted' | 'not_found' | 'in_use';

/**
 * Deletes a purchase nothing has touched (no redemption, payment, refund or transfer). Its
 * invoices are voided, never removed, so invoice numbers stay gap-free. Run in a transaction.
 */
export async function deletePurchase(em: EntityManager, clinicId: string, purchaseId: string): Promise<DeleteOutcome> {
  const purchase = await em.findOne(Purchase, { id: purchaseId, clinicId, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!purchase) return 'not_found';
  const invoices = await em.find(Invoice, { purchaseId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
  const touched = await em.execute<{ n: number }[]>(
    `select count(*) as n from ledger_entry where purchase_id = ? and type in ('redeemed', 'transferred_out', 'transferred_in', 'refunded')`,
    [purchaseId],
  );
  const paid = invoices.some((i) => i.amountPaid > 0 || i.amountRefunded > 0);
  if (purchase.sourcePurchaseId !== null || Number(touched[0]?.n ?? 0) > 0 || paid) return 'in_use';
  purchase.deletedAt = new Date();
  for (const invoice of invoices) {
    assertTransition('invoice', invoice.status, 'void');
    invoice.status = 'void';
    invoice.voidedAt = new Date();
  }
  await em.flush();
  return 'deleted';
}
