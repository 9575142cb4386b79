import { chooseRedemption, decideRedemption, type RedemptionEffects } from '../../domain/redemption.js';
import { redemptionInvoiceEffects } from '../../domain/redemption-invoice.js';
import type { PackageVisitTaxes } from '../../domain/redemption-taxes.js';
import { assertTransition } from '../../domain/transitions.js';
import { newId } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import { db, json } from '../../db/query.js';
import { redemptionLine, type InvoiceLineState } from '../../queries/purchase-states.js';
import { rejected, succeeded, type CommandHandler, type EffectWrite } from '../handler.js';
import { loadRedemptionState, lockForRedemption } from './redemption.repository.js';

/**
 * Redeems a package or membership on one invoice line (billing-rules.md "Redeeming"). The hot
 * path of the product, so it is two round trips of its own: lock the candidate purchases and the
 * invoice, read them; then it decides, and the runner writes every effect with the outcome.
 */
export const redemptionHandler: CommandHandler<'redemption'> = {
  async handle({ em, command, request, clinic }) {
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

    const chosen = candidates.find((c) => c.purchase.id === decision.effects.purchaseId)!;
    const purchase = chosen.purchase;
    if (decision.effects.exhausts) assertTransition('purchase', purchase.status, 'exhausted');
    const { paymentId, writes } = redemptionWrites(command, invoice, purchase.kind, decision.effects, chosen.packageTaxes);
    return succeeded<'redemption'>({
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
function redemptionWrites(
  command: Command,
  invoice: InvoiceLineState,
  kind: 'package' | 'membership',
  effects: RedemptionEffects,
  packageTaxes: PackageVisitTaxes | null,
): { paymentId: string | null; writes: EffectWrite[] } {
  const line = invoice.line!;
  const taxesBefore = line.taxes ?? [];
  const decided = redemptionInvoiceEffects({ ...invoice, taxTotal: invoice.taxTotal ?? 0 }, { amount: line.amount, taxes: taxesBefore }, effects, packageTaxes);
  const paymentId = decided.creditPayment > 0 ? newId() : null;
  const { total, subtotal, taxTotal, coveredAmount, amountPaid, status } = decided.invoice;
  const writes: EffectWrite[] = [
    db.insertInto('ledger_entry').values({
      id: newId(), clinic_id: invoice.clinicId, purchase_id: effects.purchaseId, service_id: effects.serviceId, type: 'redeemed', visits: -effects.quantity,
      amount: 0, cycle_start: effects.cycleStart, invoice_id: invoice.invoiceId, command_id: command.id, effect_key: `${command.id}:redeemed`, by_key_id: command.requestedByKeyId,
      // The line's taxes before: a reversal brings them back at the same rates.
      ...(taxesBefore.length ? { details: json({ lineTaxesBefore: taxesBefore }) } : {}),
    }),
    db.updateTable('invoice_line')
      .set({
        covered_amount: decided.line.coveredAmount, redemption_purchase_id: effects.purchaseId, redemption_command_id: command.id, redemption_payment_id: paymentId, amount: decided.line.amount,
        taxes: json(decided.line.taxes),
        ...(decided.line.unitPrice !== null ? { unit_price: decided.line.unitPrice } : {}),
      })
      .where('id', '=', line.id),
    db.updateTable('invoice').set({ total, subtotal, tax_total: taxTotal, covered_amount: coveredAmount, amount_paid: amountPaid, status }).where('id', '=', invoice.invoiceId),
  ];
  if (paymentId) {
    writes.push(db.insertInto('payment').values({
      id: paymentId, clinic_id: invoice.clinicId, invoice_id: invoice.invoiceId, amount: decided.creditPayment, method: 'package_credit',
      reference: `purchase ${effects.purchaseId}`, command_id: command.id, effect_key: `${command.id}:package_credit`, created_by_key_id: command.requestedByKeyId,
    }));
  }
  // A membership counts its visits in the ledger, per cycle; a package on its balance.
  if (kind === 'package') {
    writes.push(db.updateTable('purchase_balance').set((eb) => ({ used: eb('used', '+', effects.quantity) })).where('purchase_id', '=', effects.purchaseId).where('service_id', '=', effects.serviceId));
  }
  if (effects.exhausts) writes.push(db.updateTable('purchase').set({ status: 'exhausted' }).where('id', '=', effects.purchaseId));
  return { paymentId, writes };
}
