import { decideExtension } from '../../domain/extension.js';
import { assertTransition } from '../../domain/transitions.js';
import { newId } from '../../entities/base.js';
import { db, json } from '../../db/query.js';
import { rejected, shapedWrite, succeeded, varyingColumns, type CommandHandler, type ShapedWrite } from '../handler.js';
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
    const set = varyingColumns({ expires_on: expiresOn, ...(status ? { status } : {}) });
    const writes: ShapedWrite[] = [
      shapedWrite(`extension.purchase(${set.names})`, [purchase.id, ...set.args], (id, ...values) => db.updateTable('purchase').set(set.from(values)).where('id', '=', id)),
      shapedWrite(
        'extension.ledger',
        [newId(), purchase.clinicId, purchase.id, command.id, `${command.id}:extended`, json({ previousExpiresOn, expiresOn, note: request.reason }), command.requestedByKeyId],
        (id, clinic_id, purchase_id, command_id, effect_key, details, by_key_id) =>
          db.insertInto('ledger_entry').values({ id, clinic_id, purchase_id, type: 'extended', amount: 0, command_id, effect_key, details, by_key_id }),
      ),
    ];
    return succeeded<'extension'>({ purchaseId: purchase.id, previousExpiresOn, expiresOn, status: status ?? purchase.status }, writes);
  },
};
