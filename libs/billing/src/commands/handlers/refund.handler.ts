import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { decideCancellation } from '../../domain/cancellation.js';
import { addDays, cycleAt, cyclesStartedBy, type IsoDate } from '../../domain/dates.js';
import { cycleAllowance } from '../../domain/membership-allowance.js';
import { decideRefund, type RefundMembershipState } from '../../domain/refund.js';
import { build } from '../../entities/base.js';
import { Invoice } from '../../entities/invoice.entity.js';
import { LedgerEntry } from '../../entities/ledger-entry.entity.js';
import { Payment, type PaymentMethod } from '../../entities/payment.entity.js';
import { Purchase } from '../../entities/purchase.entity.js';
import { PurchaseBalance } from '../../entities/purchase-balance.entity.js';
import { applyCancellation } from '../../purchases/cancellation-effects.js';
import { rejected, succeeded, type CommandHandler } from '../handler.js';

export interface RefundRequest {
  purchaseId: string;
  amount?: number;
  method: PaymentMethod;
  reason: string;
}

/**
 * Refunds a purchase (billing-rules.md "Refunding"): negative payments on its invoices, newest
 * first, and a `refunded` history entry; an active purchase is cancelled in the same transaction.
 */
export const refundHandler: CommandHandler = {
  type: 'refund',
  async handle({ em, command, clinic, today }) {
    const request = command.request as unknown as RefundRequest;
    const purchase = await em.findOne(Purchase, { id: request.purchaseId, clinicId: clinic.id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!purchase) return rejected('nothing_to_refund', 'The purchase does not exist');
    const [balances, invoices] = await Promise.all([
      em.find(PurchaseBalance, { purchaseId: purchase.id }),
      em.find(Invoice, { purchaseId: purchase.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } }),
    ]);
    const amountPaid = invoices.reduce((sum, i) => sum + i.amountPaid, 0);
    const decision = decideRefund(
      {
        kind: purchase.kind,
        status: purchase.status,
        price: purchase.price,
        amountPaid,
        amountRefunded: invoices.reduce((sum, i) => sum + i.amountRefunded, 0),
        policy: clinic.settings.refundPolicy,
        balances,
        firstVisitExtra: purchase.firstVisitExtra,
        isTransferTarget: purchase.sourcePurchaseId !== null,
        ...(purchase.kind === 'membership' ? { membership: await membershipUsage(em, purchase, balances, today) } : {}),
        invoices: invoices.map((i) => ({ id: i.id, createdAt: i.createdAt.toISOString(), amountPaid: i.amountPaid, amountRefunded: i.amountRefunded })),
      },
      request.amount === undefined ? {} : { amount: request.amount },
    );
    if (!decision.ok) return rejected(decision.rejected);

    for (const allocation of decision.effects.allocations) {
      const invoice = invoices.find((i) => i.id === allocation.invoiceId)!;
      em.persist(
        build(Payment, {
          clinicId: clinic.id,
          invoiceId: invoice.id,
          amount: -allocation.amount,
          method: request.method,
          reference: request.reason,
          commandId: command.id,
          effectKey: `${command.id}:refund:${invoice.id}`,
          createdByKeyId: command.requestedByKeyId,
        }),
      );
      // A refund never reopens an invoice: amountPaid counts positive payments only.
      invoice.amountRefunded += allocation.amount;
    }
    em.persist(
      build(LedgerEntry, {
        clinicId: clinic.id,
        purchaseId: purchase.id,
        type: 'refunded',
        amount: -decision.effects.amount,
        commandId: command.id,
        effectKey: `${command.id}:refunded`,
        details: { note: request.reason },
        byKeyId: command.requestedByKeyId,
      }),
    );
    await em.flush();

    let cancelled = false;
    if (decision.effects.cancels) {
      // Cancelled now, whatever was scheduled: the money is going back.
      const cancel = decideCancellation(
        { kind: purchase.kind, status: purchase.status, startDate: purchase.startDate, ...(purchase.billingInterval ? { billingInterval: purchase.billingInterval } : {}), cancelAt: null, balances },
        { effective: 'now', today },
      );
      if (cancel.ok) {
        await applyCancellation(em, command, purchase, cancel.effects, today, `Refunded: ${request.reason}`);
        cancelled = true;
      }
    }
    return succeeded({ purchaseId: purchase.id, amount: decision.effects.amount, allocations: decision.effects.allocations, cancelled });
  },
};

/** What the membership has used: cycles started (up to today or its cancellation) and this cycle's unused visits. */
async function membershipUsage(em: EntityManager, purchase: Purchase, balances: PurchaseBalance[], today: IsoDate): Promise<RefundMembershipState> {
  const interval = purchase.billingInterval ?? 'month';
  const lastDay = purchase.cancelAt && purchase.cancelAt <= today ? addDays(purchase.cancelAt, -1) : today;
  const started = cyclesStartedBy(purchase.startDate, interval, lastDay);
  const cycle = cycleAt(purchase.startDate, interval, lastDay);
  const rows = await em.execute<{ service_id: string; cycle_start: IsoDate; used: number }[]>(
    `select service_id, cycle_start::text as cycle_start, -sum(visits) as used from ledger_entry
     where purchase_id = ? and type = 'redeemed' and cycle_start is not null group by service_id, cycle_start`,
    [purchase.id],
  );
  const unused = cycle
    ? balances.reduce((sum, b) => {
        const usedByCycle = Object.fromEntries(rows.filter((r) => r.service_id === b.serviceId).map((r) => [r.cycle_start, Number(r.used)]));
        return sum + cycleAllowance(purchase.startDate, interval, purchase.rollover, { perCycle: b.total, usedByCycle }, cycle.index).remaining;
      }, 0)
    : 0;
  return { fee: purchase.price, startedCycles: started.length, currentCycleUnused: unused, visitsPerCycle: balances.reduce((sum, b) => sum + b.total, 0) };
}
