// The redemption decision (billing-rules.md "Redeeming"): the refusals are checked in the
// order the rules list them, because clients show the first one that applies.
import { cycleAt, daysBetween, type BillingInterval, type Cycle, type IsoDate } from './dates.js';
import { accept, reject, type Decision } from './errors.js';
import { cycleAllowanceWithPauses, isPausedOn, type PausedCycle } from './pause.js';
import { available, remaining, type BalanceCounts } from './package-balance.js';
import { planSettled, type InvoiceLineKind, type InvoiceStatus } from './invoice.js';
import { applyPatientPortion } from './patient-portion.js';
import type { PurchaseKind, PurchaseStatus } from './purchase-status.js';

// Declared with the invoice's rules; re-exported for the modules that read it from here.
export type { InvoiceStatus };
export type Channel = 'staff' | 'online';

export interface RedemptionLine {
  invoiceStatus: InvoiceStatus;
  invoicePatientId: string;
  /** The line already has a redemption. */
  lineCovered: boolean;
  serviceId: string;
  /** Only a `service` line is redeemable (a tip or charge is service_not_covered); default service. */
  kind?: InvoiceLineKind;
  quantity: number;
  amount: number;
  /** The appointment's date, else the invoice's creation date (clinic time zone). */
  serviceDate: IsoDate;
}

export interface PurchaseBalanceState extends BalanceCounts {
  serviceId: string;
  visitValue: number;
  /** The service's list price at purchase. */
  listPrice: number;
  /** What the patient still pays per visit, snapshotted at sale (patient-portion.ts); default 0. */
  patientPortion?: number;
}

export interface MembershipCycleInvoice {
  cycleStart: IsoDate;
  dueDate: IsoDate;
  status: InvoiceStatus;
  /** Its amounts: a cycle is paid for once its plan part is, whatever extras are still due (invoice.ts planSettled). */
  total?: number;
  amountPaid?: number;
  extrasTotal?: number;
}

export interface MembershipState {
  billingInterval: BillingInterval;
  rollover: boolean;
  perCycle: Record<string, number>;
  /** serviceId → cycle start → visits redeemed in that cycle. */
  usedByCycle: Record<string, Record<IsoDate, number>>;
  cycleInvoices: MembershipCycleInvoice[];
  /** Cycles paused (pause.ts): no allowance, and a visit dated in one is refused. */
  pausedCycles: readonly PausedCycle[];
}

export interface RedeemablePurchase {
  id: string;
  patientId: string;
  kind: PurchaseKind;
  status: PurchaseStatus;
  startDate: IsoDate;
  expiresOn: IsoDate | null;
  cancelAt: IsoDate | null;
  /** ISO instant; breaks ties as "oldest first". */
  createdAt: string;
  price: number;
  amountPaid: number;
  insuranceFriendly: boolean;
  onlineRedemption: boolean;
  /** The still unclaimed rounding extra; 0 once any visit was consumed. */
  firstVisitExtra: number;
  balances: PurchaseBalanceState[];
  membership?: MembershipState;
}

export interface RedemptionContext {
  channel: Channel;
  membershipGraceDays: number;
}

export interface InsuranceLinePricing {
  /** Price of the line's first unit: the visit value, plus the unclaimed extra if any. */
  unitPrice: number;
  lineAmount: number;
  /** The package_credit payment that pays the line in full. */
  paymentAmount: number;
}

export interface RedemptionEffects {
  purchaseId: string;
  serviceId: string;
  quantity: number;
  /** Memberships: the cycle the visit is counted in. */
  cycleStart: IsoDate | null;
  coveredAmount: number;
  /** Insurance-friendly packages only: how to reprice and pay the line. */
  insurance: InsuranceLinePricing | null;
  /** The package has no visit left after this redemption. */
  exhausts: boolean;
}

type Refusal = Decision<never> | null;

// Like a transfer, redeeming nothing (or part of a visit) is not a redemption.
const isPositiveCount = (n: number) => Number.isSafeInteger(n) && n >= 1;

function lineRefusal(line: RedemptionLine): Refusal {
  if (line.invoiceStatus === 'void') return reject('invoice_void');
  if (line.lineCovered) return reject('line_already_redeemed');
  return null;
}

const isServiceLine = (line: RedemptionLine) => (line.kind ?? 'service') === 'service';

function windowRefusal(p: RedeemablePurchase, on: IsoDate): Refusal {
  if (p.status === 'cancelled' || p.status === 'exhausted') return reject('purchase_not_active');
  // An end_of_cycle cancellation is already in force from cancelAt on, whatever the status says.
  if (p.cancelAt !== null && p.cancelAt <= on) return reject('purchase_not_active');
  if (p.startDate > on) return reject('purchase_not_started');
  if (p.expiresOn !== null && p.expiresOn < on) return reject('purchase_expired');
  // Status 'expired' without a date proving the visit was within validity: trust the status.
  if (p.status === 'expired' && p.expiresOn === null) return reject('purchase_expired');
  // Right after purchase_expired (billing-rules.md "Pausing a membership").
  if (p.membership && isPausedOn(p.membership.pausedCycles, on)) return reject('purchase_paused');
  return null;
}

function membershipOf(p: RedeemablePurchase): MembershipState {
  if (!p.membership) throw new TypeError(`membership purchase ${p.id} has no membership state`);
  return p.membership;
}

function decideMembership(line: RedemptionLine, p: RedeemablePurchase, ctx: RedemptionContext): Decision<RedemptionEffects> {
  const m = membershipOf(p);
  if (!isServiceLine(line) || !Object.hasOwn(m.perCycle, line.serviceId)) return reject('service_not_covered');
  if (ctx.channel === 'online' && !p.onlineRedemption) return reject('online_redemption_not_allowed');

  // Not null: the window check already made sure startDate ≤ serviceDate.
  const cycle = cycleAt(p.startDate, m.billingInterval, line.serviceDate) as Cycle;
  const usage = { perCycle: m.perCycle[line.serviceId], usedByCycle: m.usedByCycle[line.serviceId] ?? {} };
  const allowance = cycleAllowanceWithPauses(p.startDate, m.billingInterval, m.rollover, usage, cycle.index, m.pausedCycles);
  if (!isPositiveCount(line.quantity) || allowance.remaining < line.quantity) return reject('insufficient_balance');

  // A free membership owes nothing, so no invoice of it can hold a visit back.
  if (p.price > 0) {
    const overdue = m.cycleInvoices.some(
      (inv) =>
        inv.cycleStart < cycle.start &&
        inv.status === 'open' &&
        !planSettled(inv) &&
        daysBetween(inv.dueDate, line.serviceDate) > ctx.membershipGraceDays,
    );
    if (overdue) return reject('membership_invoice_unpaid');
    const current = m.cycleInvoices.find((inv) => inv.cycleStart === cycle.start);
    if (!current || !planSettled(current)) return reject('payment_required');
  }

  const portion = p.balances.find((b) => b.serviceId === line.serviceId)?.patientPortion ?? 0;
  return accept(applyPatientPortion({
    purchaseId: p.id,
    serviceId: line.serviceId,
    quantity: line.quantity,
    cycleStart: cycle.start,
    coveredAmount: line.amount,
    insurance: null,
    exhausts: false,
  }, portion));
}

function decidePackage(line: RedemptionLine, p: RedeemablePurchase, ctx: RedemptionContext): Decision<RedemptionEffects> {
  const balance = isServiceLine(line) ? p.balances.find((b) => b.serviceId === line.serviceId) : undefined;
  if (!balance) return reject('service_not_covered');
  if (ctx.channel === 'online' && !p.onlineRedemption) return reject('online_redemption_not_allowed');
  if (!isPositiveCount(line.quantity) || remaining(balance) < line.quantity) return reject('insufficient_balance');
  if (available(balance, p.price, p.amountPaid) < line.quantity) return reject('payment_required');

  const exhausts = p.balances.every((b) => remaining(b) - (b === balance ? line.quantity : 0) <= 0);
  const portion = balance.patientPortion ?? 0;
  if (!p.insuranceFriendly) {
    return accept(applyPatientPortion({
      purchaseId: p.id,
      serviceId: line.serviceId,
      quantity: line.quantity,
      cycleStart: null,
      coveredAmount: line.amount,
      insurance: null,
      exhausts,
    }, portion));
  }
  // Insurance-friendly: the visit is billed at its visit value and paid from the package credit,
  // so the receipt shows money actually paid; the first visit also claims the rounding extra.
  const extra = Math.max(0, p.firstVisitExtra);
  const lineAmount = balance.visitValue * line.quantity + extra;
  return accept(applyPatientPortion({
    purchaseId: p.id,
    serviceId: line.serviceId,
    quantity: line.quantity,
    cycleStart: null,
    coveredAmount: 0,
    insurance: { unitPrice: balance.visitValue + extra, lineAmount, paymentAmount: lineAmount },
    exhausts,
  }, portion));
}

/** May `purchase` cover `line`? The first rule that applies refuses it. */
export function decideRedemption(line: RedemptionLine, purchase: RedeemablePurchase, ctx: RedemptionContext): Decision<RedemptionEffects> {
  const refusal =
    lineRefusal(line) ??
    (purchase.patientId !== line.invoicePatientId ? reject('patient_mismatch') : null) ??
    windowRefusal(purchase, line.serviceDate);
  if (refusal) return refusal;
  return purchase.kind === 'membership' ? decideMembership(line, purchase, ctx) : decidePackage(line, purchase, ctx);
}

function instant(s: string): number {
  const t = Date.parse(s);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/**
 * Preference among eligible purchases: a membership first (its allowance lapses with the cycle),
 * then the package expiring soonest (never-expiring last), then the oldest; id last so the
 * choice is stable.
 */
export function comparePurchasesForRedemption(a: RedeemablePurchase, b: RedeemablePurchase): number {
  const kind = (p: RedeemablePurchase) => (p.kind === 'membership' ? 0 : 1);
  if (kind(a) !== kind(b)) return kind(a) - kind(b);
  if (a.expiresOn !== b.expiresOn) {
    if (a.expiresOn === null) return 1;
    if (b.expiresOn === null) return -1;
    return a.expiresOn < b.expiresOn ? -1 : 1;
  }
  const age = instant(a.createdAt) - instant(b.createdAt);
  if (age !== 0 && !Number.isNaN(age)) return age;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Without a purchaseId: the best purchase that may cover the line, or `no_eligible_purchase`. */
export function chooseRedemption(line: RedemptionLine, purchases: RedeemablePurchase[], ctx: RedemptionContext): Decision<RedemptionEffects> {
  const refusal = lineRefusal(line);
  if (refusal) return refusal;
  // No purchase can cover a tip or a charge: say why rather than no_eligible_purchase.
  if (!isServiceLine(line)) return reject('service_not_covered');
  const eligible = purchases
    .map((p) => ({ p, d: decideRedemption(line, p, ctx) }))
    .filter((c) => c.d.ok)
    .sort((x, y) => comparePurchasesForRedemption(x.p, y.p));
  return eligible.length > 0 ? eligible[0].d : reject('no_eligible_purchase');
}

/** Every purchase that may cover the line, best first (for GET /invoices/:id/redeemable). */
export function redeemableOptions(line: RedemptionLine, purchases: RedeemablePurchase[], ctx: RedemptionContext): RedeemablePurchase[] {
  if (lineRefusal(line)) return [];
  return purchases.filter((p) => decideRedemption(line, p, ctx).ok).sort(comparePurchasesForRedemption);
}

/** Visits of a service left on a purchase for a visit on `date` (a membership: that cycle's allowance). */
export function remainingOn(p: RedeemablePurchase, serviceId: string, date: IsoDate): number {
  if (p.kind === 'package') {
    const balance = p.balances.find((b) => b.serviceId === serviceId);
    return balance ? remaining(balance) : 0;
  }
  const m = membershipOf(p);
  const cycle = cycleAt(p.startDate, m.billingInterval, date);
  if (!cycle || !Object.hasOwn(m.perCycle, serviceId)) return 0;
  const usage = { perCycle: m.perCycle[serviceId], usedByCycle: m.usedByCycle[serviceId] ?? {} };
  return cycleAllowanceWithPauses(p.startDate, m.billingInterval, m.rollover, usage, cycle.index, m.pausedCycles).remaining;
}
