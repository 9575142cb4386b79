// Refunds (billing-rules.md "Refunding"): what the patient got is kept, the rest may go back.
import { accept, reject, type Decision } from './errors.js';
import { planPaid, planSubtotal, planTotal } from './invoice.js';
import { mulDiv } from './money.js';
import type { PurchaseKind } from './purchase-status.js';
import type { PurchaseBalanceState } from './redemption.js';
import { refundTaxAmount, taxInclusiveValue } from './taxes.js';

export type RefundPolicy = 'prorated' | 'full_price';

export interface RefundMembershipState {
  fee: number;
  /** Cycles started so far, the current one included; paused cycles (pause.ts, unpausedCycleStarts) left out. */
  startedCycles: number;
  /** Visits of the current cycle not used yet. */
  currentCycleUnused: number;
  visitsPerCycle: number;
}

export interface RefundInvoice {
  id: string;
  createdAt: string;
  amountPaid: number;
  amountRefunded: number;
  /** Its total and taxes (the tax a refund drawn from it returns); absent: untaxed. */
  total?: number;
  taxTotal?: number;
  /** Its extras (tip and charge lines) with and before taxes: a purchase refund returns plan money only; default 0. */
  extrasTotal?: number;
  extrasSubtotal?: number;
}

export interface RefundState {
  kind: PurchaseKind;
  status: string;
  price: number;
  amountPaid: number;
  amountRefunded: number;
  policy: RefundPolicy;
  balances: PurchaseBalanceState[];
  /** The purchase's original rounding extra, charged once with the first visit used. */
  firstVisitExtra: number;
  /** Made by a transfer (price 0): nothing was paid, nothing goes back. */
  isTransferTarget: boolean;
  membership?: RefundMembershipState;
  invoices: RefundInvoice[];
  /** Σ totals and Σ subtotals of the purchase's invoices that are not void; absent: untaxed. */
  invoiced?: { totals: number; subtotals: number };
}

export interface RefundRequest {
  /** Staff override; without it, the policy amount. */
  amount?: number;
}

export interface RefundAllocation {
  invoiceId: string;
  amount: number;
}

export interface RefundEffects {
  amount: number;
  /** Newest invoice first; adds up to `amount`. */
  allocations: RefundAllocation[];
  /** A refund of an active purchase cancels it in the same transaction. */
  cancels: boolean;
  /** The tax returned with `amount`: round half up(amount × Σ taxTotal ÷ Σ total) over the invoices drawn from. */
  taxAmount: number;
}

/** Value the patient already received, under the clinic's policy. Transferred visits count as used. */
export function valueUsed(state: RefundState): number {
  if (state.kind === 'membership') {
    const m = state.membership;
    if (!m) throw new TypeError('membership refund state has no membership part');
    const unused = Math.min(Math.max(0, m.currentCycleUnused), m.visitsPerCycle);
    const unusedShare = m.visitsPerCycle > 0 && m.startedCycles > 0 ? mulDiv(m.fee, unused, m.visitsPerCycle) : 0;
    return Math.max(0, m.startedCycles * m.fee - unusedShare);
  }
  const consumed = (b: PurchaseBalanceState) => Math.max(0, b.used + b.transferredOut);
  if (state.policy === 'full_price') {
    return state.balances.reduce((v, b) => v + consumed(b) * b.listPrice, 0);
  }
  const visits = state.balances.reduce((v, b) => v + consumed(b) * b.visitValue, 0);
  const anyConsumed = state.balances.some((b) => consumed(b) > 0);
  return visits + (anyConsumed ? Math.max(0, state.firstVisitExtra) : 0);
}

function netPaid(state: RefundState): number {
  return Math.max(0, state.amountPaid - state.amountRefunded);
}

/**
 * The value used with the purchase's taxes (billing-rules.md "Taxes"), once on the whole: money
 * paid includes taxes, so what the patient got is counted the same way.
 */
export function valueUsedWithTaxes(state: RefundState): number {
  const used = valueUsed(state);
  return state.invoiced ? taxInclusiveValue(used, state.invoiced.totals, state.invoiced.subtotals) : used;
}

export function refundableAmount(state: RefundState): number {
  return Math.max(0, netPaid(state) - valueUsedWithTaxes(state));
}

/** The tax a refund returns, over the invoices its allocations draw from (0 without taxes). */
export function refundTax(amount: number, allocations: readonly RefundAllocation[], invoices: readonly RefundInvoice[]): number {
  const drawn = invoices.filter((inv) => allocations.some((a) => a.invoiceId === inv.id));
  // The plan lines' total and taxes: the extras' are not what a purchase refund returns.
  const extrasTax = (inv: RefundInvoice) => (inv.extrasTotal ?? 0) - (inv.extrasSubtotal ?? 0);
  const total = drawn.reduce((n, inv) => n + (inv.total ?? 0) - (inv.extrasTotal ?? 0), 0);
  const taxTotal = drawn.reduce((n, inv) => n + (inv.taxTotal ?? 0) - extrasTax(inv), 0);
  return refundTaxAmount(amount, taxTotal, total);
}

function byNewest(a: RefundInvoice, b: RefundInvoice): number {
  const t = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (t !== 0 && !Number.isNaN(t)) return t;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** What an invoice can give back: its plan money paid (payments pay the plan first) less what it returned. */
const invoiceRoom = (inv: RefundInvoice) =>
  Math.max(0, (inv.total === undefined ? inv.amountPaid : planPaid({ total: inv.total, amountPaid: inv.amountPaid, extrasTotal: inv.extrasTotal ?? 0 })) - inv.amountRefunded);

/** Spread a refund over the invoices, newest first, each up to what it has left to give back. */
export function allocateRefund(amount: number, invoices: readonly RefundInvoice[]): RefundAllocation[] {
  const allocations: RefundAllocation[] = [];
  let left = amount;
  for (const inv of [...invoices].sort(byNewest)) {
    if (left <= 0) break;
    const take = Math.min(left, invoiceRoom(inv));
    if (take > 0) allocations.push({ invoiceId: inv.id, amount: take });
    left -= take;
  }
  return allocations;
}

export function decideRefund(state: RefundState, request: RefundRequest): Decision<RefundEffects> {
  if (state.isTransferTarget) return reject('nothing_to_refund');
  // The invoices are where the money sits; never give back more than they hold.
  const ceiling = Math.min(netPaid(state), state.invoices.reduce((n, inv) => n + invoiceRoom(inv), 0));
  let amount: number;
  if (request.amount === undefined) {
    amount = Math.min(refundableAmount(state), ceiling);
    if (amount <= 0) return reject('nothing_to_refund');
  } else {
    amount = request.amount;
    if (!Number.isSafeInteger(amount) || amount < 1 || ceiling <= 0) return reject('nothing_to_refund');
    if (amount > ceiling) return reject('refund_exceeds_paid');
  }
  const allocations = allocateRefund(amount, state.invoices);
  return accept({ amount, allocations, cancels: state.status === 'active', taxAmount: refundTax(amount, allocations, state.invoices) });
}

/** A purchase invoice as a refund reads it (the entity's fields). */
export interface PurchaseInvoiceMoney {
  status: string;
  total: number;
  subtotal: number;
  amountPaid: number;
  amountRefunded: number;
  extrasTotal?: number;
  extrasSubtotal?: number;
}

/**
 * The purchase's money from its invoices' plan parts (billing-rules.md "Extras on a purchase
 * invoice"): plan money paid, refunded, and Σ plan totals and subtotals of those not void.
 */
export function purchasePlanMoney(invoices: readonly PurchaseInvoiceMoney[]): Pick<RefundState, 'amountPaid' | 'amountRefunded'> & { invoiced: { totals: number; subtotals: number } } {
  const live = invoices.filter((i) => i.status !== 'void');
  return {
    amountPaid: invoices.reduce((sum, i) => sum + planPaid(i), 0),
    amountRefunded: invoices.reduce((sum, i) => sum + i.amountRefunded, 0),
    invoiced: { totals: live.reduce((sum, i) => sum + planTotal(i), 0), subtotals: live.reduce((sum, i) => sum + planSubtotal(i), 0) },
  };
}
