import { decideCancellation } from '../../domain/cancellation.js';
import { rejected, succeeded, type CommandHandler } from '../handler.js';
import { cancellationWrites } from './cancellation.effects.js';
import { balancesOf, lockPurchase } from './purchase.repository.js';

/** Cancels a package now, or a membership now or at the end of its cycle (billing-rules.md "Cancelling"). */
export const cancellationHandler: CommandHandler<'cancellation'> = {
  async handle({ em, command, request, clinic, today }) {
    const purchase = await lockPurchase(em, clinic.id, request.purchaseId);
    if (!purchase) return rejected('purchase_not_active', 'The purchase does not exist');
    const balances = await balancesOf(em, purchase.id);
    const decision = decideCancellation(
      {
        kind: purchase.kind,
        status: purchase.status,
        startDate: purchase.startDate,
        ...(purchase.billingInterval ? { billingInterval: purchase.billingInterval } : {}),
        cancelAt: purchase.cancelAt,
        balances,
      },
      { ...(request.effective ? { effective: request.effective } : {}), today },
    );
    if (!decision.ok) return rejected(decision.rejected);
    const { writes, voided } = await cancellationWrites(em, command, purchase, decision.effects, today, request.reason);
    return succeeded<'cancellation'>({
      purchaseId: purchase.id,
      status: decision.effects.status === 'active' ? 'active' : 'cancelled',
      ...(decision.effects.cancelAt ? { cancelAt: decision.effects.cancelAt } : {}),
      forfeitedVisits: decision.effects.forfeitedVisits,
      voidedInvoices: voided,
    }, writes);
  },
};
