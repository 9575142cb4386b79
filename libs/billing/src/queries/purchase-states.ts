import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { isLineCovered, type InvoiceLineKind } from '../domain/invoice.js';
import { unlockPrice } from '../domain/package-balance.js';
import type { MembershipCycleInvoice, RedeemablePurchase, RedemptionLine } from '../domain/redemption.js';
import type { InvoiceStatus } from '../domain/redemption.js';
import { Purchase } from '../entities/purchase.entity.js';
import { PurchaseBalance } from '../entities/purchase-balance.entity.js';
import { columnsOf } from '../database/prepared.js';

/** Loaded rows and their plain-data view for the redemption decision. */
export interface PurchaseRows {
  purchase: Purchase;
  balances: PurchaseBalance[];
  state: RedeemablePurchase;
}

/** What a redemption needs of an invoice and one of its lines. */
export interface InvoiceLineState {
  invoiceId: string;
  clinicId: string;
  patientId: string;
  status: InvoiceStatus;
  serviceDate: IsoDate;
  total: number;
  coveredAmount: number;
  amountPaid: number;
  /** Written off (instalments only); counted in the balance due. */
  amountWrittenOff?: number;
  line: { id: string; serviceId: string | null; kind?: InvoiceLineKind; quantity: number; amount: number; redemptionCommandId: string | null } | null;
}

type LineFields = Pick<NonNullable<InvoiceLineState['line']>, 'serviceId' | 'kind' | 'quantity' | 'amount' | 'redemptionCommandId'>;
type InvoiceFields = Pick<InvoiceLineState, 'status' | 'patientId' | 'serviceDate' | 'total' | 'coveredAmount' | 'amountPaid' | 'amountWrittenOff'>;

export function redemptionLine(invoice: InvoiceFields, line: LineFields): RedemptionLine {
  return {
    invoiceStatus: invoice.status,
    invoicePatientId: invoice.patientId,
    lineCovered: isLineCovered(invoice, { amount: line.amount, redeemed: line.redemptionCommandId !== null }),
    serviceId: line.serviceId ?? '',
    kind: line.kind ?? 'service',
    quantity: line.quantity,
    amount: line.amount,
    serviceDate: invoice.serviceDate,
  };
}

/**
 * A purchase with its balances, payments and (memberships) cycle invoices and usage, as the
 * domain sees it: the select list over purchase `p`.
 */
export const purchaseStateColumns = (em: EntityManager) => `${columnsOf(em, Purchase, 'p')},
            (select coalesce(json_agg(row_to_json(b) order by b.position), '[]') from purchase_balance b where b.purchase_id = p.id) as balances_json,
            (select coalesce(sum(i.amount_paid), 0) from invoice i where i.purchase_id = p.id) as amount_paid_sum,
            (select coalesce(sum(i.total), 0) from invoice i where i.purchase_id = p.id and i.status <> 'void') as invoiced_total,
            case when p.kind = 'membership' then
              (select coalesce(json_agg(json_build_object('cycleStart', i.cycle_start::text, 'dueDate', i.due_date::text, 'status', i.status)), '[]')
                 from invoice i where i.purchase_id = p.id and i.kind = 'membership') end as cycle_invoices_json,
            case when p.kind = 'membership' then
              (select coalesce(json_agg(json_build_object('serviceId', u.service_id, 'cycleStart', u.cycle_start::text, 'used', u.used)), '[]')
                 from (select service_id, cycle_start, -sum(visits) as used from ledger_entry
                        where purchase_id = p.id and type in ('redeemed', 'redemption_reversed') and cycle_start is not null group by service_id, cycle_start) u) end as usage_json`;

/** Purchases (by ids, or a patient's active and expired ones) in one query, without locks. */
export async function loadPurchaseStates(em: EntityManager, clinicId: string, where: { ids?: string[]; patientId?: string }): Promise<PurchaseRows[]> {
  const match = where.ids ? 'p.id = any(?::uuid[])' : `p.patient_id = ? and p.status in ('active', 'expired')`;
  const rows = await em.execute<Record<string, unknown>[]>(
    `select ${purchaseStateColumns(em)} from purchase p where p.clinic_id = ? and p.deleted_at is null and ${match} order by p.id`,
    [clinicId, where.ids ? `{${where.ids.join(',')}}` : where.patientId],
  );
  return rows.map((row) => toPurchaseRows(em, row));
}

export function toPurchaseRows(em: EntityManager, row: Record<string, unknown>): PurchaseRows {
  const { balances_json, amount_paid_sum, invoiced_total, cycle_invoices_json, usage_json, ...purchaseRow } = row;
  const purchase = em.map(Purchase, purchaseRow);
  const balances = parseJson<Record<string, unknown>[]>(balances_json).map((b) => em.map(PurchaseBalance, b));
  return { purchase, balances, state: purchaseState(purchase, balances, Number(amount_paid_sum), Number(invoiced_total), cycle_invoices_json, usage_json) };
}

function purchaseState(purchase: Purchase, balances: PurchaseBalance[], amountPaid: number, invoicedTotal: number, cycleInvoicesJson: unknown, usageJson: unknown): RedeemablePurchase {
  const consumed = balances.some((b) => b.used + b.transferredOut > 0);
  const state: RedeemablePurchase = {
    id: purchase.id,
    patientId: purchase.patientId,
    kind: purchase.kind,
    status: purchase.status,
    startDate: purchase.startDate,
    expiresOn: purchase.expiresOn,
    cancelAt: purchase.cancelAt,
    createdAt: purchase.createdAt.toISOString(),
    // A package unlocks by its price with taxes (money paid is with taxes); a membership's fee only says whether it is free.
    price: purchase.kind === 'package' ? unlockPrice(purchase.price, invoicedTotal) : purchase.price,
    amountPaid,
    insuranceFriendly: purchase.insuranceFriendly,
    onlineRedemption: purchase.onlineRedemption,
    firstVisitExtra: consumed ? 0 : purchase.firstVisitExtra,
    balances: balances.map((b) => ({
      serviceId: b.serviceId,
      total: b.total,
      used: b.used,
      transferredOut: b.transferredOut,
      transferredIn: b.transferredIn,
      visitValue: b.visitValue,
      listPrice: b.listPrice,
      patientPortion: b.patientPortion,
    })),
  };
  if (purchase.kind === 'membership') {
    const usedByCycle: Record<string, Record<IsoDate, number>> = {};
    for (const u of parseJson<{ serviceId: string; cycleStart: IsoDate; used: number }[]>(usageJson)) {
      (usedByCycle[u.serviceId] ??= {})[u.cycleStart] = Number(u.used);
    }
    state.membership = {
      billingInterval: purchase.billingInterval ?? 'month',
      rollover: purchase.rollover,
      perCycle: Object.fromEntries(balances.map((b) => [b.serviceId, b.total])),
      usedByCycle,
      cycleInvoices: parseJson<MembershipCycleInvoice[]>(cycleInvoicesJson),
      pausedCycles: purchase.pausedCycles ?? [],
    };
  }
  return state;
}

export const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as T;
