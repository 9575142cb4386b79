import type { EntityManager } from '@mikro-orm/postgresql';
import { cycleAt, type IsoDate } from '../domain/dates.js';
import { installmentSchedule } from '../domain/installments.js';
import { taxRatesFor } from '../domain/tax-settings.js';
import { lineTaxes, splitWithTaxes, sumTaxes, type LineTax, type TaxRate } from '../domain/taxes.js';
import { initialStatus } from '../domain/invoice.js';
import { expiresOnFor } from '../domain/purchase-status.js';
import { visitValues } from '../domain/visit-values.js';
import { build } from '../entities/base.js';
import { Clinic } from '../entities/clinic.entity.js';
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
  /** The line's amount and the invoice's subtotal, before tax. */
  amount: number;
  /** The line's taxes, with the rates of the day of the sale (or of the cycle's billing). */
  taxes: LineTax[];
  /** amount + Σ taxes. */
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

  // The plan's taxes at today's rates of the clinic (billing-rules.md "Taxes"); the lines keep them.
  const clinic = await em.findOneOrFail(Clinic, { id: input.clinicId });
  const rates = taxRatesFor(clinic.settings.taxes ?? [], plan.taxCodes ?? []);
  const drafts = invoiceDrafts(plan, input.startDate, input.paymentSchedule, rates);
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
      subtotal: draft.amount,
      taxTotal: draft.total - draft.amount,
      total: draft.total,
      createdByKeyId: input.keyId,
    });
    em.persist(invoice);
    em.persist(build(InvoiceLine, { clinicId: invoice.clinicId, invoiceId: invoice.id, kind: 'plan', description: draft.description, quantity: 1, unitPrice: draft.amount, amount: draft.amount, taxes: draft.taxes }));
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

function invoiceDrafts(plan: Plan, startDate: IsoDate, schedule: PaymentSchedule, rates: readonly TaxRate[]): InvoiceDraft[] {
  if (plan.kind === 'membership') {
    const cycle = cycleAt(startDate, plan.billingInterval ?? 'month', startDate)!;
    return [membershipInvoiceDraft(plan.name, plan.price, cycle.start, cycle.end, rates)];
  }
  if (schedule === 'installments' && plan.installments) {
    const { count, intervalDays } = plan.installments;
    // The price and each tax of the whole price split alike (remainder first): they add up to the cent.
    const parts = splitWithTaxes(plan.price, rates, count);
    return installmentSchedule(plan.price, count, intervalDays, startDate).map((i, k) => ({
      kind: 'installment',
      amount: parts[k].amount,
      taxes: parts[k].taxes,
      total: parts[k].total,
      dueDate: i.dueDate,
      installmentNumber: i.number,
      description: `${plan.name}: instalment ${i.number} of ${count}`,
    }));
  }
  return [{ kind: 'package', ...taxed(plan.price, rates), dueDate: startDate, description: `${plan.name}: package prepayment` }];
}

const taxed = (amount: number, rates: readonly TaxRate[]) => {
  const taxes = lineTaxes(amount, rates);
  return { amount, taxes, total: amount + sumTaxes(taxes) };
};

/** A cycle's invoice: the fee, taxed with the rates of the day it is billed (none given: untaxed). */
export function membershipInvoiceDraft(planName: string, fee: number, start: IsoDate, end: IsoDate, rates: readonly TaxRate[] = []): InvoiceDraft {
  return { kind: 'membership', ...taxed(fee, rates), dueDate: start, cycleStart: start, description: `${planName}: ${start} to ${end}` };
}
