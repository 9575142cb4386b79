import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { decideCancellation } from '../../domain/cancellation.js';
import { addDays, cycleAt, cyclesStartedBy, type IsoDate } from '../../domain/dates.js';
import { cycleAllowanceWithPauses, unpausedCycleStarts } from '../../domain/pause.js';
import { decideRefund, purchasePlanMoney, type RefundMembershipState } from '../../domain/refund.js';
import { newId } from '../../entities/base.js';
import type { Purchase } from '../../entities/purchase.entity.js';
import type { PaymentMethod } from '../../entities/payment.entity.js';
import type { PurchaseBalance } from '../../entities/purchase-balance.entity.js';
import { db, json, run } from '../../db/query.js';
import { rejected, shapedWrite, succeeded, type CommandHandler, type ShapedWrite } from '../handler.js';
import { cancellationWrites } from './cancellation.effects.js';
import { balancesOf, lockInvoicesOf, lockPurchase } from './purchase.repository.js';

/**
 * Refunds a purchase (billing-rules.md "Refunding"): negative payments on its invoices, newest
 * first, and a `refunded` history entry; an active purchase is cancelled in the same transaction.
 */
export const refundHandler: CommandHandler<'refund'> = {
  async handle({ em, command, request, clinic, today }) {
    const purchase = await lockPurchase(em, clinic.id, request.purchaseId);
    if (!purchase) return rejected('nothing_to_refund', 'The purchase does not exist');
    const [balances, invoices] = await Promise.all([balancesOf(em, purchase.id), lockInvoicesOf(em, purchase.id)]);
    // Plan money only (extras are not the purchase's); the value used is counted with the taxes of
    // the invoices that are not void (billing-rules.md "Taxes").
    const money = purchasePlanMoney(invoices.map((i) => ({ ...i, total: Number(i.total), subtotal: Number(i.subtotal), extrasTotal: Number(i.extrasTotal), extrasSubtotal: Number(i.extrasSubtotal) })));
    const decision = decideRefund(
      {
        kind: purchase.kind,
        status: purchase.status,
        price: purchase.price,
        amountPaid: money.amountPaid,
        amountRefunded: money.amountRefunded,
        policy: clinic.settings.refundPolicy,
        balances,
        firstVisitExtra: purchase.firstVisitExtra,
        isTransferTarget: purchase.sourcePurchaseId !== null,
        ...(purchase.kind === 'membership' ? { membership: await membershipUsage(em, purchase, balances, today) } : {}),
        invoices: invoices.map((i) => ({ id: i.id, createdAt: i.createdAt.toISOString(), amountPaid: i.amountPaid, amountRefunded: i.amountRefunded, total: Number(i.total), taxTotal: Number(i.taxTotal), extrasTotal: Number(i.extrasTotal), extrasSubtotal: Number(i.extrasSubtotal) })),
        invoiced: money.invoiced,
      },
      request.amount === undefined ? {} : { amount: request.amount },
    );
    if (!decision.ok) return rejected(decision.rejected);

    const writes: ShapedWrite[] = [];
    const refunded = new Map<string, number>();
    for (const allocation of decision.effects.allocations) {
      const invoice = invoices.find((i) => i.id === allocation.invoiceId)!;
      refunded.set(invoice.id, invoice.amountRefunded + allocation.amount);
      writes.push(refundPayment([newId(), clinic.id, invoice.id, -allocation.amount, request.method, request.reason, command.id, `${command.id}:refund:${invoice.id}`, command.requestedByKeyId]));
    }
    let writtenOff: string[] = [];
    writes.push(shapedWrite(
      'refund.ledger',
      [newId(), clinic.id, purchase.id, -decision.effects.amount, command.id, `${command.id}:refunded`, json({ note: request.reason }), command.requestedByKeyId],
      (id, clinic_id, purchase_id, amount, command_id, effect_key, details, by_key_id) =>
        db.insertInto('ledger_entry').values({ id, clinic_id, purchase_id, type: 'refunded', amount, command_id, effect_key, details, by_key_id }),
    ));

    let cancelled = false;
    if (decision.effects.cancels) {
      // Cancelled now, whatever was scheduled: the money is going back. The invoices it voids are
      // wholly unpaid ones, never those the refund writes to; one it writes off may be.
      const cancel = decideCancellation(
        { kind: purchase.kind, status: purchase.status, startDate: purchase.startDate, ...(purchase.billingInterval ? { billingInterval: purchase.billingInterval } : {}), cancelAt: null, balances },
        { effective: 'now', today },
      );
      if (cancel.ok) {
        const cancellation = await cancellationWrites(em, command, purchase, cancel.effects, today, `Refunded: ${request.reason}`, refunded);
        writes.push(...cancellation.writes);
        writtenOff = cancellation.writtenOff;
        cancelled = true;
      }
    }
    // A refund never reopens an invoice: amountPaid counts positive payments only. A written-off
    // instalment took its amount_refunded in the write-off's update.
    for (const [invoiceId, amountRefunded] of refunded) {
      if (!writtenOff.includes(invoiceId)) writes.push(refundedInvoice(amountRefunded, invoiceId));
    }
    return succeeded<'refund'>(
      { purchaseId: purchase.id, amount: decision.effects.amount, taxAmount: decision.effects.taxAmount, allocations: decision.effects.allocations, cancelled },
      writes,
    );
  },
};

/** A refund's negative payment on one invoice (a purchase's refund, or an invoice's). */
export const refundPayment = (args: [id: string, clinicId: string, invoiceId: string, amount: number, method: PaymentMethod, reference: string, commandId: string, effectKey: string, byKeyId: string | null]) =>
  shapedWrite('refund.payment', args, (id, clinic_id, invoice_id, amount, method, reference, command_id, effect_key, created_by_key_id) =>
    db.insertInto('payment').values({ id, clinic_id, invoice_id, amount, method, reference, command_id, effect_key, created_by_key_id }));

/** An invoice's amount refunded after a refund. */
export const refundedInvoice = (amountRefunded: number, invoiceId: string) =>
  shapedWrite('refund.invoice', [amountRefunded, invoiceId], (amount_refunded, id) => db.updateTable('invoice').set({ amount_refunded }).where('id', '=', id));

/** What the membership has used: cycles started (up to today or its cancellation) and this cycle's unused visits. */
async function membershipUsage(em: EntityManager, purchase: Purchase, balances: PurchaseBalance[], today: IsoDate): Promise<RefundMembershipState> {
  const interval = purchase.billingInterval ?? 'month';
  const lastDay = purchase.cancelAt && purchase.cancelAt <= today ? addDays(purchase.cancelAt, -1) : today;
  // A paused cycle charged no fee: it is not a started cycle (billing-rules.md "Pausing a membership").
  const started = unpausedCycleStarts(cyclesStartedBy(purchase.startDate, interval, lastDay), purchase.pausedCycles ?? []);
  const cycle = cycleAt(purchase.startDate, interval, lastDay);
  const rows = await run(em,
    db.selectFrom('ledger_entry')
      .select(['service_id', sql<string>`cycle_start::text`.as('cycle_start'), sql<string>`-sum(visits)`.as('used')])
      .where('purchase_id', '=', purchase.id).where('type', 'in', ['redeemed', 'redemption_reversed']).where('cycle_start', 'is not', null)
      .groupBy(['service_id', 'cycle_start']),
  );
  const unused = cycle
    ? balances.reduce((sum, b) => {
        const usedByCycle = Object.fromEntries(rows.filter((r) => r.service_id === b.serviceId).map((r) => [r.cycle_start, Number(r.used)]));
        return sum + cycleAllowanceWithPauses(purchase.startDate, interval, purchase.rollover, { perCycle: b.total, usedByCycle }, cycle.index, purchase.pausedCycles ?? []).remaining;
      }, 0)
    : 0;
  return { fee: purchase.price, startedCycles: started.length, currentCycleUnused: unused, visitsPerCycle: balances.reduce((sum, b) => sum + b.total, 0) };
}
