import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import type { MembershipCycleInvoice, RedeemablePurchase, RedemptionLine } from '../domain/redemption.js';
import { Invoice } from '../entities/invoice.entity.js';
import { InvoiceLine } from '../entities/invoice-line.entity.js';
import { Purchase } from '../entities/purchase.entity.js';
import { PurchaseBalance } from '../entities/purchase-balance.entity.js';

/** Loaded rows and their plain-data view for the redemption decision. */
export interface PurchaseRows {
  purchase: Purchase;
  balances: PurchaseBalance[];
  state: RedeemablePurchase;
}

export function redemptionLine(invoice: Invoice, line: InvoiceLine): RedemptionLine {
  const balanceDue = invoice.total - invoice.coveredAmount - invoice.amountPaid;
  return {
    invoiceStatus: invoice.status,
    invoicePatientId: invoice.patientId,
    // Redeemed, or already paid with money: either way nothing of it is left to cover.
    lineCovered: line.redemptionCommandId !== null || balanceDue < line.amount,
    serviceId: line.serviceId ?? '',
    quantity: line.quantity,
    amount: line.amount,
    serviceDate: invoice.serviceDate,
  };
}

/**
 * Purchases with their balances, payments and (memberships) cycle usage, as the domain sees
 * them. With `lock`, the purchase rows are locked in id order (callers lock purchases before
 * invoices, everywhere, so two commands never wait on each other in a cycle).
 */
export async function loadPurchaseStates(em: EntityManager, clinicId: string, where: { ids?: string[]; patientId?: string }, lock: boolean): Promise<PurchaseRows[]> {
  const filter = {
    clinicId,
    deletedAt: null,
    ...(where.ids ? { id: { $in: where.ids } } : {}),
    ...(where.patientId ? { patientId: where.patientId, status: { $in: ['active', 'expired'] as Purchase['status'][] } } : {}),
  };
  const purchases = await em.find(Purchase, filter, {
    orderBy: { id: 'asc' },
    ...(lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}),
  });
  if (purchases.length === 0) return [];
  const ids = purchases.map((p) => p.id);
  const [balances, paid, cycleInvoices, usage] = await Promise.all([
    em.find(PurchaseBalance, { purchaseId: { $in: ids } }, { orderBy: { position: 'asc' } }),
    em.execute<{ purchase_id: string; paid: number }[]>(
      `select purchase_id, coalesce(sum(amount_paid), 0) as paid from invoice where purchase_id in (${ids.map(() => '?').join(',')}) group by purchase_id`,
      ids,
    ),
    em.execute<{ purchase_id: string; cycle_start: IsoDate; due_date: IsoDate; status: Invoice['status'] }[]>(
      `select purchase_id, cycle_start::text as cycle_start, due_date::text as due_date, status from invoice
       where kind = 'membership' and purchase_id in (${ids.map(() => '?').join(',')})`,
      ids,
    ),
    em.execute<{ purchase_id: string; service_id: string; cycle_start: IsoDate; used: number }[]>(
      `select purchase_id, service_id, cycle_start::text as cycle_start, -sum(visits) as used from ledger_entry
       where type = 'redeemed' and cycle_start is not null and purchase_id in (${ids.map(() => '?').join(',')})
       group by purchase_id, service_id, cycle_start`,
      ids,
    ),
  ]);
  const paidBy = new Map(paid.map((r) => [r.purchase_id, Number(r.paid)]));
  return purchases.map((purchase) => {
    const own = balances.filter((b) => b.purchaseId === purchase.id);
    const consumed = own.some((b) => b.used + b.transferredOut > 0);
    const state: RedeemablePurchase = {
      id: purchase.id,
      patientId: purchase.patientId,
      kind: purchase.kind,
      status: purchase.status,
      startDate: purchase.startDate,
      expiresOn: purchase.expiresOn,
      cancelAt: purchase.cancelAt,
      createdAt: purchase.createdAt.toISOString(),
      price: purchase.price,
      amountPaid: paidBy.get(purchase.id) ?? 0,
      insuranceFriendly: purchase.insuranceFriendly,
      onlineRedemption: purchase.onlineRedemption,
      firstVisitExtra: consumed ? 0 : purchase.firstVisitExtra,
      balances: own.map((b) => ({
        serviceId: b.serviceId,
        total: b.total,
        used: b.used,
        transferredOut: b.transferredOut,
        transferredIn: b.transferredIn,
        visitValue: b.visitValue,
        listPrice: b.listPrice,
      })),
    };
    if (purchase.kind === 'membership') {
      const usedByCycle: Record<string, Record<IsoDate, number>> = {};
      for (const row of usage.filter((u) => u.purchase_id === purchase.id)) {
        (usedByCycle[row.service_id] ??= {})[row.cycle_start] = Number(row.used);
      }
      state.membership = {
        billingInterval: purchase.billingInterval ?? 'month',
        rollover: purchase.rollover,
        perCycle: Object.fromEntries(own.map((b) => [b.serviceId, b.total])),
        usedByCycle,
        cycleInvoices: cycleInvoices
          .filter((i) => i.purchase_id === purchase.id)
          .map((i): MembershipCycleInvoice => ({ cycleStart: i.cycle_start, dueDate: i.due_date, status: i.status })),
      };
    }
    return { purchase, balances: own, state };
  });
}
