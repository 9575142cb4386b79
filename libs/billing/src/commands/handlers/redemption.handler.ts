import { chooseRedemption, decideRedemption, type RedemptionEffects } from '../../domain/redemption.js';
import { redemptionInvoiceEffects } from '../../domain/redemption-invoice.js';
import type { PackageVisitTaxes } from '../../domain/redemption-taxes.js';
import { assertTransition } from '../../domain/transitions.js';
import { newId } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import { db, json } from '../../db/query.js';
import { redemptionLine, type InvoiceLineState } from '../../queries/purchase-states.js';
import { rejected, shapedWrite, succeeded, type CommandHandler, type ShapedWrite } from '../handler.js';
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
 * unique to this command. Each write is a shape (compiled once per process, then filled).
 */
export function redemptionWrites(
  command: Pick<Command, 'id' | 'requestedByKeyId'>,
  invoice: InvoiceLineState,
  kind: 'package' | 'membership',
  effects: RedemptionEffects,
  packageTaxes: PackageVisitTaxes | null,
): { paymentId: string | null; writes: ShapedWrite[] } {
  const line = invoice.line!;
  const taxesBefore = line.taxes ?? [];
  const decided = redemptionInvoiceEffects({ ...invoice, taxTotal: invoice.taxTotal ?? 0 }, { amount: line.amount, taxes: taxesBefore }, effects, packageTaxes);
  const paymentId = decided.creditPayment > 0 ? newId() : null;
  const { total, subtotal, taxTotal, coveredAmount, amountPaid, status } = decided.invoice;
  const lineSet: [number, string, string, string | null, number, string, string] = [decided.line.coveredAmount, effects.purchaseId, command.id, paymentId, decided.line.amount, json(decided.line.taxes), line.id];
  const writes: ShapedWrite[] = [
    shapedWrite(
      'redemption.ledger',
      // The line's taxes before (details): a reversal brings them back at the same rates.
      [newId(), invoice.clinicId, effects.purchaseId, effects.serviceId, -effects.quantity, effects.cycleStart, invoice.invoiceId, command.id, `${command.id}:redeemed`, command.requestedByKeyId, taxesBefore.length ? json({ lineTaxesBefore: taxesBefore }) : null],
      (id, clinic_id, purchase_id, service_id, visits, cycle_start, invoice_id, command_id, effect_key, by_key_id, details) =>
        db.insertInto('ledger_entry').values({ id, clinic_id, purchase_id, service_id, type: 'redeemed', visits, amount: 0, cycle_start, invoice_id, command_id, effect_key, by_key_id, details }),
    ),
    decided.line.unitPrice !== null
      ? shapedWrite('redemption.line.repriced', [...lineSet, decided.line.unitPrice], (covered_amount, redemption_purchase_id, redemption_command_id, redemption_payment_id, amount, taxes, id, unit_price) =>
          db.updateTable('invoice_line').set({ covered_amount, redemption_purchase_id, redemption_command_id, redemption_payment_id, amount, taxes, unit_price }).where('id', '=', id))
      : shapedWrite('redemption.line', lineSet, (covered_amount, redemption_purchase_id, redemption_command_id, redemption_payment_id, amount, taxes, id) =>
          db.updateTable('invoice_line').set({ covered_amount, redemption_purchase_id, redemption_command_id, redemption_payment_id, amount, taxes }).where('id', '=', id)),
    shapedWrite('redemption.invoice', [total, subtotal, taxTotal, coveredAmount, amountPaid, status, invoice.invoiceId], (total, subtotal, tax_total, covered_amount, amount_paid, status, id) =>
      db.updateTable('invoice').set({ total, subtotal, tax_total, covered_amount, amount_paid, status }).where('id', '=', id)),
  ];
  if (paymentId) {
    writes.push(shapedWrite(
      'redemption.credit',
      [paymentId, invoice.clinicId, invoice.invoiceId, decided.creditPayment, `purchase ${effects.purchaseId}`, command.id, `${command.id}:package_credit`, command.requestedByKeyId],
      (id, clinic_id, invoice_id, amount, reference, command_id, effect_key, created_by_key_id) =>
        db.insertInto('payment').values({ id, clinic_id, invoice_id, amount, method: 'package_credit', reference, command_id, effect_key, created_by_key_id }),
    ));
  }
  // A membership counts its visits in the ledger, per cycle; a package on its balance.
  if (kind === 'package') {
    writes.push(shapedWrite('redemption.balance', [effects.quantity, effects.purchaseId, effects.serviceId], (quantity, purchaseId, serviceId) =>
      db.updateTable('purchase_balance').set((eb) => ({ used: eb('used', '+', quantity) })).where('purchase_id', '=', purchaseId).where('service_id', '=', serviceId)));
  }
  if (effects.exhausts) writes.push(shapedWrite('redemption.exhausted', [effects.purchaseId], (id) => db.updateTable('purchase').set({ status: 'exhausted' }).where('id', '=', id)));
  return { paymentId, writes };
}
