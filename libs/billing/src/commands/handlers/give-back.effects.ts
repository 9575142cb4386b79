import { sql } from 'kysely';
import type { GiveBackEffects, GiveBackTarget } from '../../domain/reversal.js';
import type { SettlingInvoice } from '../../domain/invoice.js';
import { assertTransition } from '../../domain/transitions.js';
import { newId } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import type { GivenBackResult } from '../catalogue.js';
import { db, json } from '../../db/query.js';
import { shapedWrite, varyingColumns, type ShapedWrite } from '../handler.js';
import { givenBackKey } from './give-back.repository.js';

/**
 * The rows of redemptions given back, all on one invoice (a reversal: one; a void: every one).
 * The runner writes them as CTEs of one statement, where no row may be written twice: the
 * invoice is written once with its final totals (`invoice`, plus the void when asked), and the
 * package counters and statuses once per purchase and service.
 */
export function giveBackWrites(
  command: Pick<Command, 'id' | 'requestedByKeyId'>,
  clinicId: string,
  targets: readonly GiveBackTarget[],
  effects: readonly GiveBackEffects[],
  invoice: { id: string; final: SettlingInvoice; voided: boolean },
): ShapedWrite[] {
  const writes: ShapedWrite[] = [];
  const usedBack = new Map<string, { purchaseId: string; serviceId: string; visits: number }>();
  const reactivated = new Set<string>();
  effects.forEach((e, i) => {
    const target = targets[i];
    const line = varyingColumns({
      amount: e.line.amount,
      // The line's taxes come back (billing-rules.md "Taxes").
      ...(e.line.taxes ? { taxes: json(e.line.taxes) } : {}),
      ...(e.line.amount !== target.line.amount ? { unit_price: Math.round(e.line.amount / Math.max(1, target.redemption.quantity)) } : {}),
    });
    writes.push(
      // A new entry, never an edit of the redeemed one; its key is the redemption's, so it is given back once.
      shapedWrite(
        'giveBack.ledger',
        [
          newId(), clinicId, e.purchaseId, e.serviceId, e.kind, e.ledger?.visits ?? 0, e.ledger?.cycleStart ?? null, e.invoiceId, command.id, givenBackKey(e.redemptionId),
          json({ note: e.history.note, quantity: e.quantity, redemptionId: e.redemptionId, lineId: e.lineId }), command.requestedByKeyId,
        ],
        (id, clinic_id, purchase_id, service_id, type, visits, cycle_start, invoice_id, command_id, effect_key, details, by_key_id) =>
          db.insertInto('ledger_entry').values({ id, clinic_id, purchase_id, service_id, type, visits, amount: 0, cycle_start, invoice_id, command_id, effect_key, details, by_key_id }),
      ),
      shapedWrite(`giveBack.line(${line.names})`, [e.lineId, ...line.args], (id, ...set) =>
        db.updateTable('invoice_line')
          .set({ ...line.from(set), covered_amount: 0, redemption_purchase_id: null, redemption_command_id: null, redemption_payment_id: null })
          .where('id', '=', id)),
    );
    if (e.voidPaymentId) writes.push(shapedWrite('giveBack.voidPayment', [e.voidPaymentId], (id) => db.updateTable('payment').set({ voided: true }).where('id', '=', id)));
    if (e.ledger && target.purchase.kind === 'package') {
      const key = `${e.purchaseId}:${e.serviceId}`;
      const entry = usedBack.get(key) ?? { purchaseId: e.purchaseId, serviceId: e.serviceId, visits: 0 };
      entry.visits += e.ledger.visits;
      usedBack.set(key, entry);
    }
    if (e.purchaseStatus === 'active') reactivated.add(e.purchaseId);
  });
  for (const { purchaseId, serviceId, visits } of usedBack.values()) {
    writes.push(shapedWrite('giveBack.balance', [visits, purchaseId, serviceId], (visits, purchaseId, serviceId) =>
      db.updateTable('purchase_balance').set((eb) => ({ used: eb('used', '-', visits) })).where('purchase_id', '=', purchaseId).where('service_id', '=', serviceId)));
  }
  for (const purchaseId of reactivated) {
    writes.push(shapedWrite('giveBack.reactivated', [purchaseId], (id) => db.updateTable('purchase').set({ status: 'active' }).where('id', '=', id).where('status', '=', 'exhausted')));
  }
  const { total, coveredAmount, amountPaid } = invoice.final;
  // The invoice's taxes grow by the lines' restored taxes; its subtotal is the rest of the total.
  const taxDelta = effects.reduce((sum, e) => sum + e.line.taxDelta, 0);
  const totals = (total: number, taxDelta: number) => ({ total, tax_total: sql<number>`tax_total + ${taxDelta}::bigint`, subtotal: sql<number>`${total}::bigint - (tax_total + ${taxDelta}::bigint)` });
  if (invoice.voided) {
    assertTransition('invoice', invoice.final.status, 'void');
    writes.push(shapedWrite('giveBack.invoice.void', [total, taxDelta, coveredAmount, amountPaid, invoice.id], (total, taxDelta, covered_amount, amount_paid, id) =>
      db.updateTable('invoice').set({ ...totals(total, taxDelta), covered_amount, amount_paid, status: 'void', voided_at: sql<Date>`now()` }).where('id', '=', id)));
  } else {
    writes.push(shapedWrite('giveBack.invoice', [total, taxDelta, coveredAmount, amountPaid, invoice.final.status, invoice.id], (total, taxDelta, covered_amount, amount_paid, status, id) =>
      db.updateTable('invoice').set({ ...totals(total, taxDelta), covered_amount, amount_paid, status }).where('id', '=', id)));
  }
  return writes;
}

export const givenBackResults = (effects: readonly GiveBackEffects[]): GivenBackResult[] =>
  effects.map((e) => ({ redemptionId: e.redemptionId, purchaseId: e.purchaseId, lineId: e.lineId, quantity: e.quantity, kind: e.kind }));
