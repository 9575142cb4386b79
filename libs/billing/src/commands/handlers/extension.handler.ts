import { decideExtension } from '../../domain/extension.js';
import { assertTransition } from '../../domain/transitions.js';
import { newId } from '../../entities/base.js';
import { db, json } from '../../db/query.js';
import { rejected, succeeded, type CommandHandler, type EffectWrite } from '../handler.js';
import { lockPurchase } from './purchase.repository.js';

/**
 * A later expiry for a package (billing-rules.md "Extending a package"); an expired package whose
 * new expiry is today or later (clinic time zone) is active again. History entry `extended`.
 */
export const extensionHandler: CommandHandler<'extension'> = {
  async handle({ command, em, request, clinic, today }) {
    const purchase = await lockPurchase(em, clinic.id, request.purchaseId);
    if (!purchase) return rejected('purchase_not_active', 'The purchase does not exist');
    const decision = decideExtension(
      { kind: purchase.kind, status: purchase.status, expiresOn: purchase.expiresOn },
      { expiresOn: request.expiresOn, today },
    );
    if (!decision.ok) return rejected(decision.rejected);
    const { previousExpiresOn, expiresOn, status } = decision.effects;
    if (status) assertTransition('purchase', purchase.status, status);
    const writes: EffectWrite[] = [
      db.updateTable('purchase').set({ expires_on: expiresOn, ...(status ? { status } : {}) }).where('id', '=', purchase.id),
      db.insertInto('ledger_entry').values({
        id: newId(), clinic_id: purchase.clinicId, purchase_id: purchase.id, type: 'extended', amount: 0, command_id: command.id, effect_key: `${command.id}:extended`,
        details: json({ previousExpiresOn, expiresOn, note: request.reason }), by_key_id: command.requestedByKeyId,
      }),
    ];
    return succeeded<'extension'>({ purchaseId: purchase.id, previousExpiresOn, expiresOn, status: status ?? purchase.status }, writes);
  },
};
