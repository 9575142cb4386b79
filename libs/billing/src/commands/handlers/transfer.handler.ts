import { sql } from 'kysely';
import { unlockPrice } from '../../domain/package-balance.js';
import { decideTransfer } from '../../domain/transfer.js';
import { assertTransition } from '../../domain/transitions.js';
import { newId } from '../../entities/base.js';
import { PLAN_PAID, PLAN_TOTAL } from '../../invoices/plan-money-sql.js';
import type { Command } from '../../entities/command.entity.js';
import type { Purchase } from '../../entities/purchase.entity.js';
import { db, json, run } from '../../db/query.js';
import { rejected, shapedWrite, succeeded, type CommandHandler, type ShapedWrite } from '../handler.js';
import { balancesOf, lockLinkedPurchase, lockPurchase } from './purchase.repository.js';

/** Moves paid visits of a package to a family member's linked purchase (billing-rules.md "Transferring"). */
export const transferHandler: CommandHandler<'transfer'> = {
  async handle({ em, command, request, clinic, today }) {
    // The source first (every transfer from it queues here), then, read after that lock, the
    // family member's linked purchase if there is one.
    const source = await lockPurchase(em, clinic.id, request.purchaseId);
    if (!source) return rejected('purchase_not_active', 'The purchase does not exist');
    const existingTarget = await lockLinkedPurchase(em, source.id, request.toPatientId);
    const [balances, patients, paid, targetBalances] = await Promise.all([
      balancesOf(em, source.id),
      run(em, db.selectFrom('patient').select(['id', 'family_id']).where('id', 'in', [source.patientId, request.toPatientId]).where('clinic_id', '=', clinic.id)),
      // Plan money only: a purchase invoice's extras (tips, charges) pay for no visit.
      run(em, db.selectFrom('invoice').select([sql<string>`coalesce(sum(${sql.raw(PLAN_PAID('invoice'))}), 0)`.as('paid'), sql<string>`coalesce(sum(${sql.raw(PLAN_TOTAL('invoice'))}) filter (where status <> 'void'), 0)`.as('invoiced')]).where('purchase_id', '=', source.id)),
      existingTarget ? balancesOf(em, existingTarget.id) : Promise.resolve([]),
    ]);
    const from = patients.find((p) => p.id === source.patientId);
    const to = patients.find((p) => p.id === request.toPatientId);
    const decision = decideTransfer(
      { kind: source.kind, status: source.status, expiresOn: source.expiresOn, patientId: source.patientId, familyId: from?.family_id ?? null, price: source.kind === 'package' ? unlockPrice(source.price, Number(paid[0]?.invoiced ?? 0)) : source.price, amountPaid: Number(paid[0]?.paid ?? 0), balances },
      { toPatientId: request.toPatientId, toFamilyId: to?.family_id ?? null, serviceId: request.serviceId, quantity: request.quantity, today },
    );
    if (!decision.ok) return rejected(decision.rejected);

    const quantity = request.quantity;
    const sourceBalance = balances.find((b) => b.serviceId === request.serviceId)!;
    const targetId = existingTarget?.id ?? newId();
    const targetBalance = targetBalances.find((b) => b.serviceId === request.serviceId);
    if (decision.effects.exhausts) assertTransition('purchase', source.status, 'exhausted');
    if (existingTarget?.status === 'exhausted') assertTransition('purchase', existingTarget.status, 'active');
    const writes: ShapedWrite[] = [
      shapedWrite('transfer.out', [sourceBalance.transferredOut + quantity, sourceBalance.id], (transferred_out, id) => db.updateTable('purchase_balance').set({ transferred_out }).where('id', '=', id)),
      ...(decision.effects.exhausts ? [purchaseStatus('exhausted', source.id)] : []),
      // Visits arriving make an exhausted target usable again (a cancelled one stays cancelled).
      ...(!existingTarget ? [insertTarget(source, targetId, request.toPatientId, command)] : existingTarget.status === 'exhausted' ? [purchaseStatus('active', targetId)] : []),
      targetBalance
        ? shapedWrite('transfer.in', [targetBalance.transferredIn + quantity, targetBalance.id], (transferred_in, id) => db.updateTable('purchase_balance').set({ transferred_in }).where('id', '=', id))
        : shapedWrite(
            'transfer.in.balance',
            [newId(), source.clinicId, targetId, sourceBalance.serviceId, sourceBalance.serviceName, quantity, sourceBalance.visitValue, sourceBalance.listPrice, sourceBalance.position],
            (id, clinic_id, purchase_id, service_id, service_name, transferred_in, visit_value, list_price, position) =>
              db.insertInto('purchase_balance').values({ id, clinic_id, purchase_id, service_id, service_name, total: 0, transferred_in, visit_value, list_price, position }),
          ),
      ledger(command, source, 'transferred_out', -quantity, request.serviceId, targetId),
      ledger(command, { id: targetId, clinicId: source.clinicId }, 'transferred_in', quantity, request.serviceId, source.id),
    ];
    return succeeded<'transfer'>({ purchaseId: source.id, targetPurchaseId: targetId, serviceId: request.serviceId, quantity }, writes);
  },
};

const purchaseStatus = (status: 'exhausted' | 'active', purchaseId: string) =>
  shapedWrite('transfer.purchaseStatus', [status, purchaseId], (status, id) => db.updateTable('purchase').set({ status }).where('id', '=', id));

/** The family member's purchase of the same plan: price 0, same expiry, linked to the source. */
function insertTarget(source: Purchase, id: string, patientId: string, command: Command): ShapedWrite {
  return shapedWrite(
    'transfer.target',
    [id, source.clinicId, patientId, source.planId, source.id, source.planName, source.startDate, source.expiresOn, source.insuranceFriendly, source.onlineRedemption, command.requestedByKeyId],
    (id, clinic_id, patient_id, plan_id, source_purchase_id, plan_name, start_date, expires_on, insurance_friendly, online_redemption, created_by_key_id) =>
      db.insertInto('purchase').values({
        id, clinic_id, patient_id, plan_id, source_purchase_id, kind: 'package', plan_name, status: 'active', payment_schedule: 'full', start_date, expires_on, price: 0,
        insurance_friendly, online_redemption, first_visit_extra: 0, created_by_key_id,
      }),
  );
}

function ledger(command: Command, purchase: Pick<Purchase, 'id' | 'clinicId'>, type: 'transferred_out' | 'transferred_in', visits: number, serviceId: string, otherPurchaseId: string): ShapedWrite {
  return shapedWrite(
    'transfer.ledger',
    [newId(), purchase.clinicId, purchase.id, serviceId, type, visits, command.id, `${command.id}:${type}`, json({ quantity: Math.abs(visits), otherPurchaseId }), command.requestedByKeyId],
    (id, clinic_id, purchase_id, service_id, type, visits, command_id, effect_key, details, by_key_id) =>
      db.insertInto('ledger_entry').values({ id, clinic_id, purchase_id, service_id, type, visits, amount: 0, command_id, effect_key, details, by_key_id }),
  );
}
