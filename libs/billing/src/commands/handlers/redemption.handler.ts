import { chooseRedemption, decideRedemption, type RedemptionEffects } from '../../domain/redemption.js';
import { newId } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import { loadRedemptionState, lockForRedemption, redemptionLine, type InvoiceLineState } from '../../purchases/redemption-state.js';
import { rejected, succeeded, type CommandHandler, type DeferredWrites, type HandlerContext } from '../handler.js';

export interface RedemptionRequest {
  invoiceId: string;
  lineId: string;
  purchaseId?: string;
}

/**
 * Redeems a package or membership on one invoice line (billing-rules.md "Redeeming"). The hot
 * path of the product, so it is two round trips of its own: lock the candidate purchases and the
 * invoice, read them; then it decides, and the runner writes every effect with the outcome.
 */
export const redemptionHandler: CommandHandler = {
  type: 'redemption',
  async handle({ em, command, clinic }: HandlerContext) {
    const request = command.request as unknown as RedemptionRequest;
    const locked = await lockForRedemption(em, clinic.id, request.invoiceId, request.purchaseId);
    if (!locked) return rejected('invoice_void', 'The invoice does not exist');
    const { candidates, invoice } = (await loadRedemptionState(em, clinic.id, locked.purchaseIds, request.invoiceId, request.lineId))!;
    if (!invoice.line) return rejected('line_already_redeemed', 'The line does not exist on this invoice');
    if (request.purchaseId && candidates.length === 0) return rejected('purchase_not_active', 'The purchase does not exist');

    const ctx = { channel: command.channel === 'online' ? ('online' as const) : ('staff' as const), membershipGraceDays: clinic.settings.membershipGraceDays };
    const lineState = redemptionLine(invoice, invoice.line);
    const decision = request.purchaseId
      ? decideRedemption(lineState, candidates[0].state, ctx)
      : chooseRedemption(lineState, candidates.map((c) => c.state), ctx);
    if (!decision.ok) return rejected(decision.rejected);

    const purchase = candidates.find((c) => c.purchase.id === decision.effects.purchaseId)!.purchase;
    const { paymentId, writes } = redemptionWrites(command, invoice, purchase.kind, decision.effects);
    return succeeded({
      purchaseId: purchase.id,
      coveredAmount: decision.effects.coveredAmount,
      ...(paymentId ? { paymentId } : {}),
      invoiceId: invoice.invoiceId,
      lineId: invoice.line.id,
      serviceId: decision.effects.serviceId,
      quantity: decision.effects.quantity,
      ...(decision.effects.cycleStart ? { cycleStart: decision.effects.cycleStart } : {}),
    }, writes);
  },
};

/**
 * The decision's effects, written by the runner in the statement that records the outcome: the
 * ledger entry, the package-credit payment (insurance-friendly), the line's coverage, the
 * invoice's totals and status, the balance and the purchase's status. Every row carries a key
 * unique to this command.
 */
function redemptionWrites(command: Command, invoice: InvoiceLineState, kind: 'package' | 'membership', effects: RedemptionEffects): { paymentId: string | null; writes: DeferredWrites } {
  const line = invoice.line!;
  const insurance = effects.insurance;
  const paymentId = insurance && insurance.paymentAmount > 0 ? newId() : null;
  const lineAmount = insurance ? insurance.lineAmount : line.amount;
  const unitPrice = insurance ? insurance.unitPrice : null;
  const total = invoice.total + lineAmount - line.amount;
  const amountPaid = invoice.amountPaid + (paymentId ? insurance!.paymentAmount : 0);
  const coveredAmount = invoice.coveredAmount + effects.coveredAmount;
  const status = total - coveredAmount - amountPaid === 0 ? 'paid' : invoice.status;
  const writes = {
    ctes: `ledger as (
       insert into ledger_entry (id, created_at, clinic_id, purchase_id, service_id, type, visits, amount, cycle_start, invoice_id, command_id, effect_key, by_key_id)
       values (?, now(), ?, ?, ?, 'redeemed', ?, 0, ?::date, ?, ?, ?, ?)
     ), payment as (
       insert into payment (id, created_at, clinic_id, invoice_id, amount, method, reference, command_id, effect_key, created_by_key_id)
       select ?::uuid, now(), ?, ?, ?, 'package_credit', ?, ?, ?, ? where ?::uuid is not null
     ), line as (
       update invoice_line set covered_amount = ?, redemption_purchase_id = ?, redemption_command_id = ?, redemption_payment_id = ?::uuid,
                               amount = ?, unit_price = coalesce(?, unit_price)
        where id = ?
     ), balance as (
       update purchase_balance set used = used + ? where purchase_id = ? and service_id = ? and ?::text = 'package'
     ), purchase as (
       update purchase set status = 'exhausted' where id = ? and ?::boolean
     ), invoice_totals as (
       update invoice set total = ?, covered_amount = ?, amount_paid = ?, status = ? where id = ?
     )`,
    params: [
      newId(), invoice.clinicId, effects.purchaseId, effects.serviceId, -effects.quantity, effects.cycleStart, invoice.invoiceId, command.id, `${command.id}:redeemed`, command.requestedByKeyId,
      paymentId, invoice.clinicId, invoice.invoiceId, insurance?.paymentAmount ?? 0, `purchase ${effects.purchaseId}`, command.id, `${command.id}:package_credit`, command.requestedByKeyId, paymentId,
      effects.coveredAmount, effects.purchaseId, command.id, paymentId, lineAmount, unitPrice, line.id,
      effects.quantity, effects.purchaseId, effects.serviceId, kind,
      effects.purchaseId, effects.exhausts,
      total, coveredAmount, amountPaid, status, invoice.invoiceId,
    ],
  };
  return { paymentId, writes };
}
