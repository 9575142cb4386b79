import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CancellationEffects } from '../domain/cancellation.js';
import type { IsoDate } from '../domain/dates.js';
import { build } from '../entities/base.js';
import type { Command } from '../entities/command.entity.js';
import { Invoice } from '../entities/invoice.entity.js';
import { LedgerEntry } from '../entities/ledger-entry.entity.js';
import type { Purchase } from '../entities/purchase.entity.js';

/**
 * Writes a cancellation decision: the purchase's status and cancelAt, the open invoices it voids
 * and the `cancelled` history entry. The purchase must already be locked by the caller.
 */
export async function applyCancellation(
  em: EntityManager,
  command: Command,
  purchase: Purchase,
  effects: CancellationEffects,
  today: IsoDate,
  note: string | undefined,
): Promise<number> {
  purchase.status = effects.status;
  purchase.cancelAt = effects.cancelAt;
  const open = await em.find(Invoice, { purchaseId: purchase.id, status: 'open' }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
  // Only what is still wholly unpaid is voided: money already received stays on its invoice.
  const toVoid = open.filter((invoice) =>
    invoice.amountPaid === 0 &&
    (effects.voidOpenInvoices === 'installments' ? invoice.kind === 'installment' : invoice.kind === 'membership' && invoice.cycleStart !== null && invoice.cycleStart > today),
  );
  for (const invoice of toVoid) {
    invoice.status = 'void';
    invoice.voidedAt = new Date();
  }
  em.persist(
    build(LedgerEntry, {
      clinicId: purchase.clinicId,
      purchaseId: purchase.id,
      type: 'cancelled',
      commandId: command.id,
      effectKey: `${command.id}:cancelled`,
      details: { quantity: effects.forfeitedVisits, ...(note ? { note } : {}) },
      byKeyId: command.requestedByKeyId,
    }),
  );
  await em.flush();
  return toVoid.length;
}
