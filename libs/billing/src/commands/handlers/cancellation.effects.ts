import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { CancellationEffects } from '../../domain/cancellation.js';
import type { IsoDate } from '../../domain/dates.js';
import { assertTransition } from '../../domain/transitions.js';
import { closeInstallmentsOnCancel } from '../../domain/write-off.js';
import { newId } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import type { Purchase } from '../../entities/purchase.entity.js';
import { db, json } from '../../db/query.js';
import { shapedWrite, varyingColumns, type ShapedWrite } from '../handler.js';
import { lockInvoicesOf } from './purchase.repository.js';

/**
 * The writes of a cancellation decision (a cancellation, or a refund that cancels): the
 * purchase's status and cancelAt, the open invoices it voids or writes off and the `cancelled`
 * history entry. The purchase must already be locked by the caller; its open invoices are locked
 * here, after it. `refunded` (a refund that cancels): the new amount_refunded of invoices the
 * refund pays back, written with a write-off in one update (two updates of one row in one
 * statement would keep only one of them); the caller skips its own update of `writtenOff` ids.
 */
export async function cancellationWrites(
  em: EntityManager,
  command: Command,
  purchase: Purchase,
  effects: CancellationEffects,
  today: IsoDate,
  note: string | undefined,
  refunded: ReadonlyMap<string, number> = new Map(),
): Promise<{ writes: ShapedWrite[]; voided: number; writtenOff: string[] }> {
  const open = await lockInvoicesOf(em, purchase.id, 'open');
  // A package's open instalments: wholly unpaid ones voided, a partly paid one written off
  // (write-off.ts), keeping the money received. A membership `now`: only a cycle not started yet,
  // and only wholly unpaid.
  const closures = effects.voidOpenInvoices === 'installments' ? closeInstallmentsOnCancel(open) : [];
  const toVoid =
    effects.voidOpenInvoices === 'installments'
      ? open.filter((invoice) => closures.some((c) => c.invoiceId === invoice.id && c.status === 'void'))
      : open.filter((invoice) => invoice.amountPaid === 0 && invoice.kind === 'membership' && invoice.cycleStart !== null && invoice.cycleStart > today);
  const toWriteOff = closures.filter((c) => c.status === 'written_off');
  assertTransition('purchase', purchase.status, effects.status);
  for (const invoice of toVoid) assertTransition('invoice', invoice.status, 'void');
  for (const closure of toWriteOff) assertTransition('invoice', 'open', closure.status);
  const writes: ShapedWrite[] = [
    shapedWrite('cancellation.purchase', [effects.status, effects.cancelAt, purchase.id], (status, cancel_at, id) => db.updateTable('purchase').set({ status, cancel_at }).where('id', '=', id)),
    shapedWrite(
      'cancellation.ledger',
      [newId(), purchase.clinicId, purchase.id, command.id, `${command.id}:cancelled`, json({ quantity: effects.forfeitedVisits, ...(note ? { note } : {}) }), command.requestedByKeyId],
      (id, clinic_id, purchase_id, command_id, effect_key, details, by_key_id) =>
        db.insertInto('ledger_entry').values({ id, clinic_id, purchase_id, type: 'cancelled', amount: 0, command_id, effect_key, details, by_key_id }),
    ),
  ];
  if (toVoid.length > 0) {
    // One array parameter, whatever the number of invoices: one text.
    writes.push(shapedWrite('cancellation.void', [toVoid.map((i) => i.id)], (ids) =>
      db.updateTable('invoice').set({ status: 'void', voided_at: sql<Date>`now()` }).where('id', '=', sql<string>`any(${ids}::uuid[])`)));
  }
  for (const closure of toWriteOff) {
    const amountRefunded = refunded.get(closure.invoiceId);
    const set = varyingColumns({ amount_written_off: closure.amountWrittenOff, ...(amountRefunded !== undefined ? { amount_refunded: amountRefunded } : {}) });
    writes.push(shapedWrite(`cancellation.writeOff(${set.names})`, [closure.invoiceId, ...set.args], (id, ...values) =>
      db.updateTable('invoice').set({ status: 'written_off', ...set.from(values) }).where('id', '=', id)));
  }
  return { writes, voided: toVoid.length, writtenOff: toWriteOff.map((c) => c.invoiceId) };
}
