import { decideReversal, type ReversalState } from '../../domain/reversal.js';
import type { CommandStatus } from '../../domain/transitions.js';
import type { RedemptionResult } from '../catalogue.js';
import { rejected, succeeded, type CommandHandler } from '../handler.js';
import { giveBackWrites } from './give-back.effects.js';
import { giveBackTarget, lockInvoice, lockPurchases, redeemedLines, wasGivenBack } from './give-back.repository.js';

/**
 * Reverses a redemption (billing-rules.md "Correcting"): the visit back as a new ledger entry,
 * the line free to be redeemed again, an insurance-friendly visit's package credit voided.
 */
export const reversalHandler: CommandHandler<'reversal'> = {
  async handle({ em, command, request, clinic }) {
    const [redemption] = await em.execute<{ type: string; status: CommandStatus; result: RedemptionResult | string | null }[]>(
      'select type, status, result from command where id = ? and clinic_id = ?',
      [request.redemptionId, clinic.id],
    );
    if (!redemption) return rejected('not_reversible', 'The redemption does not exist');
    const state: ReversalState = { command: { type: redemption.type, status: redemption.status }, alreadyReversed: false, target: null };
    const result = typeof redemption.result === 'string' ? (JSON.parse(redemption.result) as RedemptionResult) : redemption.result;
    if (redemption.type === 'redemption' && redemption.status === 'succeeded' && result) {
      // Purchase before invoice, as every command locks them.
      const purchase = (await lockPurchases(em, clinic.id, [result.purchaseId])).get(result.purchaseId);
      const invoice = await lockInvoice(em, clinic.id, result.invoiceId);
      state.alreadyReversed = await wasGivenBack(em, request.redemptionId);
      const [line] = invoice ? await redeemedLines(em, invoice.id, result.lineId) : [];
      if (purchase && invoice && line && line.redemptionId === request.redemptionId) state.target = giveBackTarget(line, invoice, purchase);
    }
    const decision = decideReversal(state, { reason: request.reason });
    if (!decision.ok) return rejected(decision.rejected);
    const e = decision.effects;
    const writes = giveBackWrites(command, clinic.id, [state.target!], [e], { id: e.invoiceId, final: { ...e.invoice }, voided: false });
    return succeeded<'reversal'>({ redemptionId: e.redemptionId, invoiceId: e.invoiceId, lineId: e.lineId, purchaseId: e.purchaseId, quantity: e.quantity }, writes);
  },
};
