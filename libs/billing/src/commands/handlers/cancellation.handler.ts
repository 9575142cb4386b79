import { LockMode } from '@mikro-orm/core';
import { decideCancellation, type CancellationEffective } from '../../domain/cancellation.js';
import { Purchase } from '../../entities/purchase.entity.js';
import { PurchaseBalance } from '../../entities/purchase-balance.entity.js';
import { applyCancellation } from '../../purchases/cancellation-effects.js';
import { rejected, succeeded, type CommandHandler } from '../handler.js';

export interface CancellationRequest {
  purchaseId: string;
  reason: string;
  effective?: CancellationEffective;
}

/** Cancels a package now, or a membership now or at the end of its cycle (billing-rules.md "Cancelling"). */
export const cancellationHandler: CommandHandler = {
  type: 'cancellation',
  async handle({ em, command, clinic, today }) {
    const request = command.request as unknown as CancellationRequest;
    const purchase = await em.findOne(Purchase, { id: request.purchaseId, clinicId: clinic.id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!purchase) return rejected('purchase_not_active', 'The purchase does not exist');
    const balances = await em.find(PurchaseBalance, { purchaseId: purchase.id });
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
    const voided = await applyCancellation(em, command, purchase, decision.effects, today, request.reason);
    return succeeded({
      purchaseId: purchase.id,
      status: decision.effects.status === 'active' ? 'active' : 'cancelled',
      ...(decision.effects.cancelAt ? { cancelAt: decision.effects.cancelAt } : {}),
      forfeitedVisits: decision.effects.forfeitedVisits,
      voidedInvoices: voided,
    });
  },
};
