import type { EntityManager } from '@mikro-orm/postgresql';
import { cycleAt, type IsoDate } from '../domain/dates.js';
import { installmentSchedule } from '../domain/installments.js';
import { initialStatus } from '../domain/invoice.js';
import { expiresOnFor } from '../domain/purchase-status.js';
import { visitValues } from '../domain/visit-values.js';
import { build } from '../entities/base.js';
import { Invoice, type InvoiceKind } from '../entities/invoice.entity.js';
import { InvoiceLine } from '../entities/invoice-line.entity.js';
import { LedgerEntry } from '../entities/ledger-entry.entity.js';
import type { Plan } from '../entities/plan.entity.js';
import { Purchase, type PaymentSchedule } from '../entities/purchase.entity.js';
import { PurchaseBalance } from '../entities/purchase-balance.entity.js';
import { nextInvoiceNumbers } from '../invoices/invoice-numbers.js';

export interface PlanItemWithService {
  serviceId: string;
  serviceName: string;
  listPrice: number;
  quantity: number;
  /** What the patient pays per redeemed visit; snapshotted on the balance (default 0). */
  patientPortion?: number;
}

export interface CreatePurchaseInput {
  clinicId: string;
  patientId: string;
  plan: Plan;
  items: PlanItemWithService[];
  startDate: IsoDate;
  paymentSchedule: PaymentSchedule;
  keyId: string | null;
}

interface InvoiceDraft {
  kind: InvoiceKind;
  total: number;
  dueDate: IsoDate;
  description: string;
  cycleStart?: IsoDate;
  installmentNumber?: number;
}

/**
 * Adds a plan to a patient's profile with its balances, its ledger opening entries and its
 * invoice(s), in the caller's transaction (billing-rules.md "Adding a plan to a profile").
 */
export async function createPurchase(em: EntityManager, input: CreatePurchaseInput): Promise<Purchase> {
  const { plan, items } = input;
  const values = plan.kind === 'package' ? visitValues(plan.price, items.map((i) => ({ serviceId: i.serviceId, quantity: i.quantity, listPrice: i.listPrice }))) : null;
  const purchase = build(Purchase, {
    clinicId: input.clinicId,
    patientId: input.patientId,
    planId: plan.id,
    kind: plan.kind,
    planName: plan.name,
    status: 'active',
    paymentSchedule: input.paymentSchedule,
    startDate: input.startDate,
    expiresOn: plan.kind === 'package' ? expiresOnFor(input.startDate, plan.validityDays) : null,
    price: plan.price,
    insuranceFriendly: plan.kind === 'package' && plan.insuranceFriendly,
    onlineRedemption: plan.onlineRedemption,
    billingInterval: plan.billingInterval,
    rollover: plan.kind === 'membership' && plan.rollover,
    firstVisitExtra: values?.firstVisitExtra ?? 0,
    createdByKeyId: input.keyId,
  });
  em.persist(purchase);

  items.forEach((item, position) => {
    em.persist(
      build(PurchaseBalance, {
        clinicId: purchase.clinicId,
        purchaseId: purchase.id,
        serviceId: item.serviceId,
        serviceName: item.serviceName,
        total: item.quantity,
        visitValue: values?.perVisit[item.serviceId] ?? 0,
        listPrice: item.listPrice,
        patientPortion: item.patientPortion ?? 0,
        position,
      }),
    );
    em.persist(
      build(LedgerEntry, {
        clinicId: input.clinicId,
        purchaseId: purchase.id,
        serviceId: item.serviceId,
        type: 'purchased',
        // A membership's visits are an allowance per cycle, not a balance that accumulates.
        visits: plan.kind === 'package' ? item.quantity : 0,
        amount: position === 0 ? plan.price : 0,
        details: { quantity: item.quantity },
        effectKey: `purchase:${purchase.id}:purchased:${item.serviceId}`,
        byKeyId: input.keyId,
      }),
    );
  });

  const drafts = invoiceDrafts(plan, input.startDate, input.paymentSchedule);
  const numbers = await nextInvoiceNumbers(em, input.clinicId, drafts.length);
  drafts.forEach((draft, i) => {
    const invoice = build(Invoice, {
      clinicId: input.clinicId,
      number: numbers[i],
      patientId: input.patientId,
      kind: draft.kind,
      status: initialStatus(draft.total),
      purchaseId: purchase.id,
      dueDate: draft.dueDate,
      serviceDate: draft.dueDate,
      cycleStart: draft.cycleStart ?? null,
      installmentNumber: draft.installmentNumber ?? null,
      subtotal: draft.total,
      total: draft.total,
      createdByKeyId: input.keyId,
    });
    em.persist(invoice);
    em.persist(build(InvoiceLine, { clinicId: invoice.clinicId, invoiceId: invoice.id, kind: 'plan', description: draft.description, quantity: 1, unitPrice: draft.total, amount: draft.total }));
    if (draft.cycleStart) {
      em.persist(
        build(LedgerEntry, {
          clinicId: input.clinicId,
          purchaseId: purchase.id,
          type: 'cycle_started',
          cycleStart: draft.cycleStart,
          invoiceId: invoice.id,
          effectKey: `purchase:${purchase.id}:cycle:${draft.cycleStart}`,
          byKeyId: input.keyId,
        }),
      );
    }
  });
  await em.flush();
  return purchase;
}

function invoiceDrafts(plan: Plan, startDate: IsoDate, schedule: PaymentSchedule): InvoiceDraft[] {
  if (plan.kind === 'membership') {
    const cycle = cycleAt(startDate, plan.billingInterval ?? 'month', startDate)!;
    return [membershipInvoiceDraft(plan.name, plan.price, cycle.start, cycle.end)];
  }
  if (schedule === 'installments' && plan.installments) {
    const { count, intervalDays } = plan.installments;
    return installmentSchedule(plan.price, count, intervalDays, startDate).map((i) => ({
      kind: 'installment',
      total: i.amount,
      dueDate: i.dueDate,
      installmentNumber: i.number,
      description: `${plan.name}: instalment ${i.number} of ${count}`,
    }));
  }
  return [{ kind: 'package', total: plan.price, dueDate: startDate, description: `${plan.name}: package prepayment` }];
}

export function membershipInvoiceDraft(planName: string, fee: number, start: IsoDate, end: IsoDate): InvoiceDraft {
  return { kind: 'membership', total: fee, dueDate: start, cycleStart: start, description: `${planName}: ${start} to ${end}` };
}
