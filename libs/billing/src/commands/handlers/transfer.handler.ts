import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { decideTransfer } from '../../domain/transfer.js';
import { build } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import { LedgerEntry } from '../../entities/ledger-entry.entity.js';
import { Patient } from '../../entities/patient.entity.js';
import { Purchase } from '../../entities/purchase.entity.js';
import { PurchaseBalance } from '../../entities/purchase-balance.entity.js';
import { rejected, succeeded, type CommandHandler } from '../handler.js';

export interface TransferRequest {
  purchaseId: string;
  toPatientId: string;
  serviceId: string;
  quantity: number;
}

/** Moves paid visits of a package to a family member's linked purchase (billing-rules.md "Transferring"). */
export const transferHandler: CommandHandler = {
  type: 'transfer',
  async handle({ em, command, clinic, today }) {
    const request = command.request as unknown as TransferRequest;
    const sourceId = request.purchaseId;
    // The source first (every transfer from it queues here), then, read after that lock, the
    // family member's linked purchase if there is one.
    const source = await em.findOne(Purchase, { id: sourceId, clinicId: clinic.id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!source) return rejected('purchase_not_active', 'The purchase does not exist');
    const existingTarget = await em.findOne(Purchase, { sourcePurchaseId: sourceId, patientId: request.toPatientId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const [balances, patients, paid] = await Promise.all([
      em.find(PurchaseBalance, { purchaseId: source.id }, { orderBy: { position: 'asc' } }),
      em.find(Patient, { id: { $in: [source.patientId, request.toPatientId] }, clinicId: clinic.id }),
      em.execute<{ paid: number }[]>('select coalesce(sum(amount_paid), 0) as paid from invoice where purchase_id = ?', [source.id]),
    ]);
    const from = patients.find((p) => p.id === source.patientId);
    const to = patients.find((p) => p.id === request.toPatientId);
    const decision = decideTransfer(
      { kind: source.kind, status: source.status, expiresOn: source.expiresOn, patientId: source.patientId, familyId: from?.familyId ?? null, price: source.price, amountPaid: Number(paid[0]?.paid ?? 0), balances },
      { toPatientId: request.toPatientId, toFamilyId: to?.familyId ?? null, serviceId: request.serviceId, quantity: request.quantity, today },
    );
    if (!decision.ok) return rejected(decision.rejected);

    const sourceBalance = balances.find((b) => b.serviceId === request.serviceId)!;
    sourceBalance.transferredOut += request.quantity;
    if (decision.effects.exhausts) source.status = 'exhausted';
    const target = existingTarget ?? createTarget(em, source, request.toPatientId, command);
    await addToTarget(em, target, sourceBalance, request.quantity);
    em.persist([
      ledger(command, source, 'transferred_out', -request.quantity, request.serviceId, target.id),
      ledger(command, target, 'transferred_in', request.quantity, request.serviceId, source.id),
    ]);
    await em.flush();
    return succeeded({ purchaseId: source.id, targetPurchaseId: target.id, serviceId: request.serviceId, quantity: request.quantity });
  },
};

/** The family member's purchase of the same plan: price 0, same expiry, linked to the source. */
function createTarget(em: EntityManager, source: Purchase, patientId: string, command: Command): Purchase {
  const target = build(Purchase, {
    clinicId: source.clinicId,
    patientId,
    planId: source.planId,
    sourcePurchaseId: source.id,
    kind: 'package',
    planName: source.planName,
    status: 'active',
    paymentSchedule: 'full',
    startDate: source.startDate,
    expiresOn: source.expiresOn,
    price: 0,
    insuranceFriendly: source.insuranceFriendly,
    onlineRedemption: source.onlineRedemption,
    firstVisitExtra: 0,
    createdByKeyId: command.requestedByKeyId,
  });
  em.persist(target);
  return target;
}

async function addToTarget(em: EntityManager, target: Purchase, from: PurchaseBalance, quantity: number): Promise<void> {
  let balance = await em.findOne(PurchaseBalance, { purchaseId: target.id, serviceId: from.serviceId });
  if (!balance) {
    balance = build(PurchaseBalance, { clinicId: target.clinicId, purchaseId: target.id, serviceId: from.serviceId, serviceName: from.serviceName, total: 0, visitValue: from.visitValue, listPrice: from.listPrice, position: from.position });
    em.persist(balance);
  }
  balance.transferredIn += quantity;
  // Visits arriving make an exhausted target usable again (a cancelled one stays cancelled).
  if (target.status === 'exhausted') target.status = 'active';
}

function ledger(command: Command, purchase: Purchase, type: 'transferred_out' | 'transferred_in', visits: number, serviceId: string, otherPurchaseId: string) {
  return build(LedgerEntry, {
    clinicId: purchase.clinicId,
    purchaseId: purchase.id,
    serviceId,
    type,
    visits,
    commandId: command.id,
    effectKey: `${command.id}:${type}`,
    details: { quantity: Math.abs(visits), otherPurchaseId },
    byKeyId: command.requestedByKeyId,
  });
}
