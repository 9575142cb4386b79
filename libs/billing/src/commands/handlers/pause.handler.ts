import { decidePause, decideResume, type PauseState, type PausedCycle } from '../../domain/pause.js';
import { newId } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import type { Purchase } from '../../entities/purchase.entity.js';
import { db, json } from '../../db/query.js';
import { rejected, shapedWrite, succeeded, type CommandHandler, type ShapedWrite } from '../handler.js';
import { lockPurchase } from './purchase.repository.js';

// Pausing and resuming a membership (billing-rules.md "Pausing a membership"): the purchase's
// paused cycles change, and a `paused` or `resumed` history entry says which and why. Cycle dates
// never move; reconciliation, redemptions and refunds read the paused cycles.

const pauseState = (p: Purchase): PauseState => ({
  kind: p.kind,
  status: p.status,
  cancelAt: p.cancelAt,
  startDate: p.startDate,
  ...(p.billingInterval ? { billingInterval: p.billingInterval } : {}),
  pausedCycles: p.pausedCycles ?? [],
});

function writes(command: Command, purchase: Purchase, type: 'paused' | 'resumed', cycles: PausedCycle[], pausedCycles: PausedCycle[], note: string): ShapedWrite[] {
  return [
    shapedWrite('pause.purchase', [json(pausedCycles), purchase.id], (paused_cycles, id) => db.updateTable('purchase').set({ paused_cycles }).where('id', '=', id)),
    shapedWrite(
      'pause.ledger',
      [newId(), purchase.clinicId, purchase.id, type, command.id, `${command.id}:${type}`, json({ quantity: cycles.length, cycles, note }), command.requestedByKeyId],
      (id, clinic_id, purchase_id, type, command_id, effect_key, details, by_key_id) =>
        db.insertInto('ledger_entry').values({ id, clinic_id, purchase_id, type, amount: 0, command_id, effect_key, details, by_key_id }),
    ),
  ];
}

export const pauseHandler: CommandHandler<'pause'> = {
  async handle({ command, em, request, clinic, today }) {
    const purchase = await lockPurchase(em, clinic.id, request.purchaseId);
    if (!purchase) return rejected('purchase_not_active', 'The purchase does not exist');
    const decision = decidePause(pauseState(purchase), { cycles: request.cycles, today });
    if (!decision.ok) return rejected(decision.rejected);
    const { paused, pausedCycles } = decision.effects;
    return succeeded<'pause'>({ purchaseId: purchase.id, paused, pausedCycles }, writes(command, purchase, 'paused', paused, pausedCycles, request.reason));
  },
};

export const resumeHandler: CommandHandler<'resume'> = {
  async handle({ command, em, request, clinic, today }) {
    const purchase = await lockPurchase(em, clinic.id, request.purchaseId);
    if (!purchase) return rejected('purchase_not_active', 'The purchase does not exist');
    const decision = decideResume(pauseState(purchase), { today });
    if (!decision.ok) return rejected(decision.rejected);
    const { unpaused, pausedCycles } = decision.effects;
    return succeeded<'resume'>({ purchaseId: purchase.id, unpaused, pausedCycles }, writes(command, purchase, 'resumed', unpaused, pausedCycles, request.reason));
  },
};
