import { sql } from 'kysely';
import type { GiveBackEffects, GiveBackTarget } from '../../domain/reversal.js';
import type { SettlingInvoice } from '../../domain/invoice.js';
import { assertTransition } from '../../domain/transitions.js';
import { newId } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import type { GivenBackResult } from '../catalogue.js';
import { db, json } from '../../db/query.js';
import type { EffectWrite } from '../handler.js';
import { givenBackKey } from './give-back.repository.js';

/**
 * The rows of redemptions given back, all on one invoice (a reversal: one; a void: every one).
 * The runner writes them as CTEs of one statement, where no row may be written twice: the
 * invoice is written once with its final totals (`invoice`, plus the void when asked), and the
 * package counters and statuses once per purchase and service.
 */
export function giveBackWrites(
  command: Command,
  clinicId: string,
  targets: readonly GiveBackTarget[],
  effects: readonly GiveBackEffects[],
  invoice: { id: string; final: SettlingInvoice; voided: boolean },
): EffectWrite[] {
  const writes: EffectWrite[] = [];
  const usedBack = new Map<string, { purchaseId: string; serviceId: string; visits: number }>();
  const reactivated = new Set<string>();
  effects.forEach((e, i) => {
    const target = targets[i];
    writes.push(
      // A new entry, never an edit of the redeemed one; its key is the redemption's, so it is given back once.
      db.insertInto('ledger_entry').values({
        id: newId(), clinic_id: clinicId, purchase_id: e.purchaseId, service_id: e.serviceId, type: e.kind, visits: e.ledger?.visits ?? 0, amount: 0,
        cycle_start: e.ledger?.cycleStart ?? null, invoice_id: e.invoiceId, command_id: command.id, effect_key: givenBackKey(e.redemptionId),
        details: json({ note: e.history.note, quantity: e.quantity, redemptionId: e.redemptionId, lineId: e.lineId }), by_key_id: command.requestedByKeyId,
      }),
      db.updateTable('invoice_line')
        .set({
          amount: e.line.amount, covered_amount: 0, redemption_purchase_id: null, redemption_command_id: null, redemption_payment_id: null,
          // The line's taxes come back (billing-rules.md "Taxes").
          ...(e.line.taxes ? { taxes: json(e.line.taxes) } : {}),
          ...(e.line.amount !== target.line.amount ? { unit_price: Math.round(e.line.amount / Math.max(1, target.redemption.quantity)) } : {}),
        })
        .where('id', '=', e.lineId),
    );
    if (e.voidPaymentId) writes.push(db.updateTable('payment').set({ voided: true }).where('id', '=', e.voidPaymentId));
    if (e.ledger && target.purchase.kind === 'package') {
      const key = `${e.purchaseId}:${e.serviceId}`;
      const entry = usedBack.get(key) ?? { purchaseId: e.purchaseId, serviceId: e.serviceId, visits: 0 };
      entry.visits += e.ledger.visits;
      usedBack.set(key, entry);
    }
    if (e.purchaseStatus === 'active') reactivated.add(e.purchaseId);
  });
  for (const { purchaseId, serviceId, visits } of usedBack.values()) {
    writes.push(db.updateTable('purchase_balance').set((eb) => ({ used: eb('used', '-', visits) })).where('purchase_id', '=', purchaseId).where('service_id', '=', serviceId));
  }
  for (const purchaseId of reactivated) {
    writes.push(db.updateTable('purchase').set({ status: 'active' }).where('id', '=', purchaseId).where('status', '=', 'exhausted'));
  }
  const { total, coveredAmount, amountPaid } = invoice.final;
  // The invoice's taxes grow by the lines' restored taxes; its subtotal is the rest of the total.
  const taxDelta = effects.reduce((sum, e) => sum + e.line.taxDelta, 0);
  const totals = { total, tax_total: sql<number>`tax_total + ${taxDelta}::bigint`, subtotal: sql<number>`${total}::bigint - (tax_total + ${taxDelta}::bigint)` };
  if (invoice.voided) {
    assertTransition('invoice', invoice.final.status, 'void');
    writes.push(db.updateTable('invoice').set({ ...totals, covered_amount: coveredAmount, amount_paid: amountPaid, status: 'void', voided_at: sql<Date>`now()` }).where('id', '=', invoice.id));
  } else {
    writes.push(db.updateTable('invoice').set({ ...totals, covered_amount: coveredAmount, amount_paid: amountPaid, status: invoice.final.status }).where('id', '=', invoice.id));
  }
  return writes;
}

export const givenBackResults = (effects: readonly GiveBackEffects[]): GivenBackResult[] =>
  effects.map((e) => ({ redemptionId: e.redemptionId, purchaseId: e.purchaseId, lineId: e.lineId, quantity: e.quantity, kind: e.kind }));
