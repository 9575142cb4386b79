import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../../domain/dates.js';
import type { InvoiceKind, InvoiceStatus } from '../../domain/invoice.js';
import type { RecordedPayment } from '../../domain/invoice-void.js';
import type { PurchaseKind, PurchaseStatus } from '../../domain/purchase-status.js';
import type { GiveBackTarget } from '../../domain/reversal.js';
import { restoredLineTaxes } from '../../domain/redemption-taxes.js';
import type { LineTax } from '../../domain/taxes.js';
import type { BillingInterval } from '../../domain/dates.js';

// What the corrections (reversal, invoice void, appointment cancellation, invoice refund) read
// and lock. Locks follow the order every command takes them: purchases (by id), then the invoice.

export interface LockedInvoice {
  id: string;
  kind: InvoiceKind;
  status: InvoiceStatus;
  total: number;
  /** Σ of its lines' taxes. */
  taxTotal: number;
  coveredAmount: number;
  amountPaid: number;
  amountRefunded: number;
  serviceDate: IsoDate;
}

export interface LockedPurchase {
  id: string;
  kind: PurchaseKind;
  status: PurchaseStatus;
  startDate: IsoDate;
  billingInterval: BillingInterval | null;
  insuranceFriendly: boolean;
}

/** A line that still carries a redemption, with what the give-back needs of it. */
export interface RedeemedLineRow {
  id: string;
  amount: number;
  quantity: number;
  coveredAmount: number;
  serviceId: string;
  servicePrice: number;
  redemptionId: string;
  purchaseId: string;
  creditPayment: { id: string; amount: number } | null;
  /** The line's taxes now, and before it was redeemed (recorded on the redeemed ledger entry). */
  taxes: LineTax[];
  taxesBefore: LineTax[];
}

const taxesFrom = (value: unknown): LineTax[] => {
  const list = (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as LineTax[];
  return list.map((t) => ({ code: t.code, rateMilliPercent: Number(t.rateMilliPercent), amount: Number(t.amount) }));
};

/** The ledger key of a redemption given back (reversed or released): once per redemption, whoever asks. */
export const givenBackKey = (redemptionId: string) => `${redemptionId}:given_back`;

export async function lockPurchases(em: EntityManager, clinicId: string, ids: readonly string[]): Promise<Map<string, LockedPurchase>> {
  if (ids.length === 0) return new Map();
  const rows = await em.execute<Record<string, unknown>[]>(
    `select id, kind, status, start_date::text as start_date, billing_interval, insurance_friendly
       from purchase where clinic_id = ? and id = any(?::uuid[]) order by id for update`,
    [clinicId, `{${[...new Set(ids)].join(',')}}`],
  );
  return new Map(rows.map((r) => [r.id as string, {
    id: r.id as string,
    kind: r.kind as PurchaseKind,
    status: r.status as PurchaseStatus,
    startDate: r.start_date as IsoDate,
    billingInterval: (r.billing_interval as BillingInterval | null) ?? null,
    insuranceFriendly: Boolean(r.insurance_friendly),
  }]));
}

export async function lockInvoice(em: EntityManager, clinicId: string, id: string): Promise<LockedInvoice | null> {
  const [r] = await em.execute<Record<string, unknown>[]>(
    `select id, kind, status, total, tax_total, covered_amount, amount_paid, amount_refunded, service_date::text as service_date
       from invoice where id = ? and clinic_id = ? for update`,
    [id, clinicId],
  );
  return r
    ? {
        id: r.id as string,
        kind: r.kind as InvoiceKind,
        status: r.status as InvoiceStatus,
        total: Number(r.total),
        taxTotal: Number(r.tax_total),
        coveredAmount: Number(r.covered_amount),
        amountPaid: Number(r.amount_paid),
        amountRefunded: Number(r.amount_refunded),
        serviceDate: r.service_date as IsoDate,
      }
    : null;
}

/** The invoice's lines that carry a redemption (one line, when lineId is given), oldest line first. */
export async function redeemedLines(em: EntityManager, invoiceId: string, lineId?: string): Promise<RedeemedLineRow[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select l.id, l.amount, l.quantity, l.covered_amount, l.redemption_command_id, l.redemption_purchase_id,
            coalesce(l.service_id::text, c.result->>'serviceId') as service_id, coalesce(s.price, 0) as service_price,
            (c.result->>'quantity')::int as redeemed_quantity, p.id as payment_id, p.amount as payment_amount,
            l.taxes, coalesce(le.details->'lineTaxesBefore', '[]'::jsonb) as taxes_before
       from invoice_line l
       join command c on c.id = l.redemption_command_id
       left join ledger_entry le on le.effect_key = c.id::text || ':redeemed'
       left join service s on s.id = l.service_id
       left join payment p on p.id = l.redemption_payment_id and not p.voided
      where l.invoice_id = ? and l.redemption_command_id is not null ${lineId ? 'and l.id = ?' : ''}
      order by l.created_at, l.id`,
    lineId ? [invoiceId, lineId] : [invoiceId],
  );
  return rows.map((r) => ({
    id: r.id as string,
    amount: Number(r.amount),
    quantity: Number(r.quantity),
    coveredAmount: Number(r.covered_amount),
    serviceId: r.service_id as string,
    servicePrice: Number(r.service_price),
    redemptionId: r.redemption_command_id as string,
    purchaseId: r.redemption_purchase_id as string,
    creditPayment: r.payment_id ? { id: r.payment_id as string, amount: Number(r.payment_amount) } : null,
    taxes: taxesFrom(r.taxes),
    taxesBefore: taxesFrom(r.taxes_before),
  }));
}

/** The purchases of an invoice's redemptions, read without locks (to know what to lock first). */
export async function redemptionPurchaseIds(em: EntityManager, invoiceId: string): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select distinct redemption_purchase_id as id from invoice_line where invoice_id = ? and redemption_purchase_id is not null order by 1`,
    [invoiceId],
  );
  return rows.map((r) => r.id);
}

/**
 * Locks an invoice after the purchases of its redemptions. The purchases are read first without
 * a lock; if a redemption landed in between, the set is read again (it cannot change once the
 * invoice is locked).
 */
export async function lockInvoiceWithPurchases(em: EntityManager, clinicId: string, invoiceId: string): Promise<{ invoice: LockedInvoice; purchases: Map<string, LockedPurchase>; lines: RedeemedLineRow[] } | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const ids = await redemptionPurchaseIds(em, invoiceId);
    const purchases = await lockPurchases(em, clinicId, ids);
    const invoice = await lockInvoice(em, clinicId, invoiceId);
    if (!invoice) return null;
    const lines = await redeemedLines(em, invoiceId);
    if (lines.every((l) => purchases.has(l.purchaseId))) return { invoice, purchases, lines };
  }
  throw new Error(`invoice ${invoiceId}: its redemptions kept changing while being locked`);
}

export async function paymentsOf(em: EntityManager, invoiceId: string): Promise<RecordedPayment[]> {
  const rows = await em.execute<Record<string, unknown>[]>('select amount, method, voided from payment where invoice_id = ? order by id', [invoiceId]);
  return rows.map((r) => ({ amount: Number(r.amount), method: r.method as string, voided: Boolean(r.voided) }));
}

export async function wasGivenBack(em: EntityManager, redemptionId: string): Promise<boolean> {
  const rows = await em.execute<unknown[]>('select 1 from ledger_entry where effect_key = ?', [givenBackKey(redemptionId)]);
  return rows.length > 0;
}

/** The line as it is and what it goes back to, with the taxes it had before at their rates. */
function lineBack(line: RedeemedLineRow, listAmount: number): GiveBackTarget['line'] {
  const restored = restoredLineTaxes(line.taxesBefore, line.taxes, listAmount);
  return { id: line.id, amount: line.amount, listAmount, restoredTax: restored.taxDelta, restoredTaxes: restored.taxes };
}

/** The domain's view of one redemption on its line. */
export function giveBackTarget(line: RedeemedLineRow, invoice: LockedInvoice, purchase: LockedPurchase): GiveBackTarget {
  return {
    redemption: {
      commandId: line.redemptionId,
      purchaseId: purchase.id,
      serviceId: line.serviceId,
      quantity: line.quantity,
      serviceDate: invoice.serviceDate,
      coveredAmount: line.coveredAmount,
      creditPayment: line.creditPayment,
    },
    // An insurance-friendly redemption repriced the line at the visit value: it goes back to the
    // service's list price; an ordinary one never changed the line's amount.
    line: lineBack(line, purchase.insuranceFriendly ? line.servicePrice * line.quantity : line.amount),
    invoice: { id: invoice.id, total: invoice.total, coveredAmount: invoice.coveredAmount, amountPaid: invoice.amountPaid, status: invoice.status },
    purchase: {
      id: purchase.id,
      kind: purchase.kind,
      status: purchase.status,
      startDate: purchase.startDate,
      ...(purchase.billingInterval ? { billingInterval: purchase.billingInterval } : {}),
    },
  };
}
