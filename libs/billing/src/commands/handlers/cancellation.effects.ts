import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { CancellationEffects } from '../../domain/cancellation.js';
import type { IsoDate } from '../../domain/dates.js';
import { assertTransition } from '../../domain/transitions.js';
import { newId } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import type { Purchase } from '../../entities/purchase.entity.js';
import { db, json } from '../../db/query.js';
import type { EffectWrite } from '../handler.js';
import { lockInvoicesOf } from './purchase.repository.js';

/**
 * The writes of a cancellation decision (a cancellation, or a refund that cancels): the
 * purchase's status and cancelAt, the open invoices it voids and the `cancelled` history entry.
 * The purchase must already be locked by the caller; its open invoices are locked here, after it.
 */
export async function cancellationWrites(
  em: EntityManager,
  command: Command,
  purchase: Purchase,
  effects: CancellationEffects,
  today: IsoDate,
  note: string | undefined,
): Promise<{ writes: EffectWrite[]; voided: number }> {
  const open = await lockInvoicesOf(em, purchase.id, 'open');
  // Only what is still wholly unpaid is voided: money already received stays on its invoice.
  const toVoid = open.filter((invoice) =>
    invoice.amountPaid === 0 &&
    (effects.voidOpenInvoices === 'installments' ? invoice.kind === 'installment' : invoice.kind === 'membership' && invoice.cycleStart !== null && invoice.cycleStart > today),
  );
  assertTransition('purchase', purchase.status, effects.status);
  for (const invoice of toVoid) assertTransition('invoice', invoice.status, 'void');
  const writes: EffectWrite[] = [
    db.updateTable('purchase').set({ status: effects.status, cancel_at: effects.cancelAt }).where('id', '=', purchase.id),
    db.insertInto('ledger_entry').values({
      id: newId(), clinic_id: purchase.clinicId, purchase_id: purchase.id, type: 'cancelled', amount: 0, command_id: command.id, effect_key: `${command.id}:cancelled`,
      details: json({ quantity: effects.forfeitedVisits, ...(note ? { note } : {}) }), by_key_id: command.requestedByKeyId,
    }),
  ];
  if (toVoid.length > 0) {
    writes.push(db.updateTable('invoice').set({ status: 'void', voided_at: sql<Date>`now()` }).where('id', 'in', toVoid.map((i) => i.id)));
  }
  return { writes, voided: toVoid.length };
}
