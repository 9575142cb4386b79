import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { isLineCovered, type InvoiceLineKind } from '../domain/invoice.js';
import { unlockPrice } from '../domain/package-balance.js';
import type { PackageVisitTaxes } from '../domain/redemption-taxes.js';
import { sumTaxes, taxesByCode, visitTaxes, type LineTax } from '../domain/taxes.js';
import type { VisitValueItem } from '../domain/visit-values.js';
import type { MembershipCycleInvoice, RedeemablePurchase, RedemptionLine } from '../domain/redemption.js';
import type { InvoiceStatus } from '../domain/redemption.js';
import { Purchase } from '../entities/purchase.entity.js';
import { PurchaseBalance } from '../entities/purchase-balance.entity.js';
import { columnsOf } from '../database/prepared.js';
import { PLAN_PAID, PLAN_TOTAL } from '../invoices/plan-money-sql.js';

/** Loaded rows and their plain-data view for the redemption decision. */
export interface PurchaseRows {
  purchase: Purchase;
  balances: PurchaseBalance[];
  state: RedeemablePurchase;
  /** An insurance-friendly package's taxes spread over its visits; null otherwise (billing-rules.md "Taxes"). */
  packageTaxes: PackageVisitTaxes | null;
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
  /** Σ of its lines' taxes. */
  taxTotal?: number;
  line: { id: string; serviceId: string | null; kind?: InvoiceLineKind; quantity: number; amount: number; redemptionCommandId: string | null; taxes?: LineTax[] } | null;
}

type LineFields = Pick<NonNullable<InvoiceLineState['line']>, 'serviceId' | 'kind' | 'quantity' | 'amount' | 'redemptionCommandId'> & { taxes?: readonly { amount: number }[] };
type InvoiceFields = Pick<InvoiceLineState, 'status' | 'patientId' | 'serviceDate' | 'total' | 'coveredAmount' | 'amountPaid' | 'amountWrittenOff'>;

export function redemptionLine(invoice: InvoiceFields, line: LineFields): RedemptionLine {
  return {
    invoiceStatus: invoice.status,
    invoicePatientId: invoice.patientId,
    // Money paid on the invoice may have paid the line with its taxes.
    lineCovered: isLineCovered(invoice, { amount: line.amount + sumTaxes(line.taxes ?? []), redeemed: line.redemptionCommandId !== null }),
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
            (select coalesce(sum(${PLAN_PAID('i')}), 0) from invoice i where i.purchase_id = p.id) as amount_paid_sum,
            (select coalesce(sum(${PLAN_TOTAL('i')}), 0) from invoice i where i.purchase_id = p.id and i.status <> 'void') as invoiced_total,
            case when p.kind = 'membership' then
              (select coalesce(json_agg(json_build_object('cycleStart', i.cycle_start::text, 'dueDate', i.due_date::text, 'status', i.status,
                                                          'total', i.total, 'amountPaid', i.amount_paid, 'extrasTotal', i.extras_total)), '[]')
                 from invoice i where i.purchase_id = p.id and i.kind = 'membership') end as cycle_invoices_json,
            case when p.kind = 'membership' then
              (select coalesce(json_agg(json_build_object('serviceId', u.service_id, 'cycleStart', u.cycle_start::text, 'used', u.used)), '[]')
                 from (select service_id, cycle_start, -sum(visits) as used from ledger_entry
                        where purchase_id = p.id and type in ('redeemed', 'redemption_reversed') and cycle_start is not null group by service_id, cycle_start) u) end as usage_json,
            case when p.kind = 'package' and p.insurance_friendly then json_build_object(
              'lineTaxes', (select coalesce(json_agg(l.taxes), '[]') from invoice i join invoice_line l on l.invoice_id = i.id
                             where i.purchase_id = coalesce(p.source_purchase_id, p.id) and i.status <> 'void' and l.kind = 'plan'),
              'items', (select coalesce(json_agg(json_build_object('serviceId', b.service_id, 'quantity', b.total, 'listPrice', b.list_price) order by b.position), '[]')
                          from purchase_balance b where b.purchase_id = coalesce(p.source_purchase_id, p.id))) end as package_taxes_json`;

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
  const { balances_json, amount_paid_sum, invoiced_total, cycle_invoices_json, usage_json, package_taxes_json, ...purchaseRow } = row;
  const purchase = em.map(Purchase, purchaseRow);
  const balances = parseJson<Record<string, unknown>[]>(balances_json).map((b) => em.map(PurchaseBalance, b));
  const state = purchaseState(purchase, balances, Number(amount_paid_sum), Number(invoiced_total), cycle_invoices_json, usage_json);
  return { purchase, balances, state, packageTaxes: packageTaxesOf(purchase, balances, package_taxes_json) };
}

/**
 * The taxes an insurance-friendly package was sold with (Σ over its invoices that are not void,
 * per code: the instalments add up to the taxes of the whole price), spread over its visits like
 * the price (a transferred package: its source's). The first visit consumed claims each tax's
 * remainder; a transferred package's source keeps that claim.
 */
function packageTaxesOf(purchase: Purchase, balances: PurchaseBalance[], json: unknown): PackageVisitTaxes | null {
  if (json === null || json === undefined) return null;
  const { lineTaxes, items } = parseJson<{ lineTaxes: LineTax[][]; items: { serviceId: string; quantity: number | string; listPrice: number | string }[] }>(json);
  const taxes = taxesByCode(lineTaxes.map((t) => ({ taxes: t.map((x) => ({ ...x, amount: Number(x.amount) })) })));
  if (taxes.length === 0) return null;
  const visitItems: VisitValueItem[] = items.map((i) => ({ serviceId: i.serviceId, quantity: Number(i.quantity), listPrice: Number(i.listPrice) }));
  const consumed = balances.some((b) => b.used + b.transferredOut > 0);
  return { perVisit: visitTaxes(taxes, visitItems), firstVisitUnclaimed: !consumed && purchase.sourcePurchaseId === null };
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
