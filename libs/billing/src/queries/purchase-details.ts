import type { EntityManager } from '@mikro-orm/postgresql';
import { cycleAt, daysBetween, type IsoDate } from '../domain/dates.js';
import { cycleAllowanceWithPauses } from '../domain/pause.js';
import { balanceDue, planSettled, type InvoiceStatus } from '../domain/invoice.js';
import { available, remaining } from '../domain/package-balance.js';
import { Invoice } from '../entities/invoice.entity.js';
import { LedgerEntry } from '../entities/ledger-entry.entity.js';
import { Purchase } from '../entities/purchase.entity.js';
import { PurchaseBalance } from '../entities/purchase-balance.entity.js';
import { loadPurchaseStates, type PurchaseRows } from './purchase-states.js';

/** GET /v1/purchases/:id, as of `today` in the clinic's time zone. */
export async function purchaseDetails(em: EntityManager, clinicId: string, purchaseId: string, today: IsoDate) {
  const [details] = await purchaseDetailsMany(em, clinicId, [purchaseId], today);
  return details ?? null;
}

/**
 * Several purchases' details (a patient's list) in three queries whatever their number: the
 * purchases with their balances, then all their invoices, then all their ledger entries. In the
 * order of `purchaseIds`; ids not found (or of another clinic) are left out.
 */
export async function purchaseDetailsMany(em: EntityManager, clinicId: string, purchaseIds: string[], today: IsoDate) {
  if (purchaseIds.length === 0) return [];
  const states = await loadPurchaseStates(em, clinicId, { ids: purchaseIds });
  const found = states.map((s) => s.purchase.id);
  const [invoices, ledger] = found.length === 0
    ? [[], []]
    : await Promise.all([
        em.find(Invoice, { clinicId, purchaseId: { $in: found } }, { orderBy: { number: 'asc' } }),
        em.find(LedgerEntry, { clinicId, purchaseId: { $in: found } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      ]);
  const byId = new Map(states.map((s) => [s.purchase.id, s]));
  return purchaseIds.flatMap((id) => {
    const rows = byId.get(id);
    return rows ? [detailsOf(rows, invoices.filter((i) => i.purchaseId === id), ledger.filter((e) => e.purchaseId === id), today)] : [];
  });
}

function detailsOf(rows: PurchaseRows, invoices: Invoice[], ledger: LedgerEntry[], today: IsoDate) {
  const { purchase, balances, state } = rows;
  const amountRefunded = invoices.reduce((sum, i) => sum + i.amountRefunded, 0);
  const cycle = purchase.kind === 'membership' ? cycleAt(purchase.startDate, purchase.billingInterval ?? 'month', today) : null;
  const cycleInvoice = cycle ? invoices.find((i) => i.cycleStart === cycle.start) : undefined;

  return {
    id: purchase.id,
    patientId: purchase.patientId,
    planId: purchase.planId,
    planName: purchase.planName,
    kind: purchase.kind,
    status: purchase.status,
    ...(purchase.cancelAt ? { cancelAt: purchase.cancelAt } : {}),
    startDate: purchase.startDate,
    expiresOn: purchase.expiresOn,
    insuranceFriendly: purchase.insuranceFriendly,
    onlineRedemption: purchase.onlineRedemption,
    price: purchase.price,
    paymentSchedule: purchase.paymentSchedule,
    amountPaid: state.amountPaid,
    amountRefunded,
    balances: balances.map((b) => balanceView(purchase, b, state.price, state.amountPaid, cycle, cycleInvoice, state.membership?.usedByCycle[b.serviceId] ?? {})),
    ...(purchase.kind === 'membership'
      ? { billingInterval: purchase.billingInterval, rollover: purchase.rollover, currentCycle: cycle ? { start: cycle.start, end: cycle.end, invoiceId: cycleInvoice?.id ?? null } : null }
      : {}),
    ...(purchase.paymentSchedule === 'installments'
      ? {
          installments: invoices
            .filter((i) => i.kind === 'installment')
            .map((i) => ({ number: i.installmentNumber, dueDate: i.dueDate, amount: i.total, invoiceId: i.id, status: installmentStatus(i, today), amountWrittenOff: i.amountWrittenOff, balanceDue: balanceDue(i) })),
        }
      : {}),
    // One entry per paused cycle, oldest first ([] for a package or a membership never paused).
    pausedCycles: (purchase.pausedCycles ?? []).map((c) => ({ start: c.start, end: c.end })),
    invoices: invoices.map((i) => ({ id: i.id, number: i.number, kind: i.kind, total: i.total, amountPaid: i.amountPaid, amountRefunded: i.amountRefunded, amountWrittenOff: i.amountWrittenOff, balanceDue: balanceDue(i), status: i.status, dueDate: i.dueDate })),
    history: ledger.map(historyEntry),
    ...(purchase.sourcePurchaseId ? { sourcePurchaseId: purchase.sourcePurchaseId } : {}),
    createdAt: purchase.createdAt.toISOString(),
  };
}

function balanceView(
  purchase: Purchase,
  b: PurchaseBalance,
  price: number,
  amountPaid: number,
  cycle: ReturnType<typeof cycleAt>,
  cycleInvoice: Invoice | undefined,
  usedByCycle: Record<IsoDate, number>,
) {
  const base = { serviceId: b.serviceId, serviceName: b.serviceName };
  if (purchase.kind === 'membership') {
    if (!cycle) return { ...base, total: 0, used: 0, transferredOut: 0, transferredIn: 0, remaining: 0, available: 0, perCycle: b.total };
    const allowance = cycleAllowanceWithPauses(purchase.startDate, purchase.billingInterval ?? 'month', purchase.rollover, { perCycle: b.total, usedByCycle }, cycle.index, purchase.pausedCycles ?? []);
    const paid = purchase.price === 0 || (cycleInvoice !== undefined && planSettled(cycleInvoice));
    const usable = purchase.status === 'active' && (!purchase.cancelAt || purchase.cancelAt > cycle.start);
    return {
      ...base,
      total: allowance.allowance,
      used: allowance.used,
      transferredOut: 0,
      transferredIn: 0,
      remaining: allowance.remaining,
      available: paid && usable ? allowance.remaining : 0,
      perCycle: b.total,
      carriedIn: allowance.carriedIn,
    };
  }
  const counts = { total: b.total, used: b.used, transferredOut: b.transferredOut, transferredIn: b.transferredIn };
  const usable = purchase.status === 'active';
  return { ...base, ...counts, remaining: remaining(counts), available: usable ? available(counts, price, amountPaid) : 0, visitValue: b.visitValue };
}

/** An instalment as the purchase's schedule shows it: its invoice's status, or overdue once an open one is past due. */
export const INSTALLMENT_STATUSES = ['paid', 'open', 'overdue', 'void', 'written_off'] as const satisfies readonly (InvoiceStatus | 'overdue')[];
export type InstallmentStatus = (typeof INSTALLMENT_STATUSES)[number];

export function installmentStatus(invoice: Pick<Invoice, 'status' | 'dueDate'>, today: IsoDate): InstallmentStatus {
  if (invoice.status !== 'open') return invoice.status;
  return invoice.dueDate && daysBetween(invoice.dueDate, today) > 0 ? 'overdue' : 'open';
}

function historyEntry(e: LedgerEntry) {
  const quantity = e.visits !== 0 ? Math.abs(e.visits) : e.details?.quantity;
  return {
    at: e.createdAt.toISOString(),
    type: e.type,
    ...(quantity !== undefined ? { quantity } : {}),
    ...(e.amount !== 0 ? { amount: Math.abs(e.amount) } : {}),
    ...(e.serviceId ? { serviceId: e.serviceId } : {}),
    ...(e.invoiceId ? { invoiceId: e.invoiceId } : {}),
    ...(e.cycleStart ? { cycleStart: e.cycleStart } : {}),
    ...(e.commandId ? { commandId: e.commandId } : {}),
    ...(e.byKeyId ? { byKeyId: e.byKeyId } : {}),
    ...(e.details?.note ? { note: e.details.note } : {}),
    ...(e.details?.otherPurchaseId ? { otherPurchaseId: e.details.otherPurchaseId } : {}),
    ...(e.details?.previousExpiresOn ? { previousExpiresOn: e.details.previousExpiresOn } : {}),
    ...(e.details?.expiresOn ? { expiresOn: e.details.expiresOn } : {}),
    ...(e.details?.cycles ? { cycles: e.details.cycles } : {}),
  };
}

export type PurchaseDetails = ReturnType<typeof detailsOf>;
