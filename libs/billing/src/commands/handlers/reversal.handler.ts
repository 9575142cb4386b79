import { decideReversal, type ReversalState } from '../../domain/reversal.js';
import { rejected, succeeded, type CommandHandler } from '../handler.js';
import { giveBackWrites } from './give-back.effects.js';
import { giveBackTarget, loadReversal } from './give-back.repository.js';

/**
 * Reverses a redemption (billing-rules.md "Correcting"): the visit back as a new ledger entry,
 * the line free to be redeemed again, an insurance-friendly visit's package credit voided. Two
 * round trips of its own, as a redemption: lock its purchase and invoice, read what it decides on.
 */
export const reversalHandler: CommandHandler<'reversal'> = {
  async handle({ em, command, request, clinic }) {
    const read = await loadReversal(em, clinic.id, request.redemptionId);
    if (!read.command) return rejected('not_reversible', 'The redemption does not exist');
    const state: ReversalState = { command: read.command, alreadyReversed: read.alreadyReversed, target: null };
    const { purchase, invoice, line } = read;
    if (purchase && invoice && line && line.redemptionId === request.redemptionId) state.target = giveBackTarget(line, invoice, purchase);
    const decision = decideReversal(state, { reason: request.reason });
    if (!decision.ok) return rejected(decision.rejected);
    const e = decision.effects;
    const writes = giveBackWrites(command, clinic.id, [state.target!], [e], { id: e.invoiceId, final: { ...e.invoice }, voided: false });
    return succeeded<'reversal'>({ redemptionId: e.redemptionId, invoiceId: e.invoiceId, lineId: e.lineId, purchaseId: e.purchaseId, quantity: e.quantity }, writes);
  },
};
