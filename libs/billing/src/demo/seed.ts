import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CommandRunner } from '../commands/command-runner.js';
import { submitCommand } from '../commands/command-store.js';
import { COMMAND_HANDLERS } from '../commands/handlers/index.js';
import { addDays, todayIn, type IsoDate } from '../domain/dates.js';
import { balanceDue, decidePayment } from '../domain/invoice.js';
import type { Role } from '../entities/api-key.entity.js';
import { build } from '../entities/base.js';
import { Family } from '../entities/family.entity.js';
import { Invoice } from '../entities/invoice.entity.js';
import { InvoiceLine } from '../entities/invoice-line.entity.js';
import { Patient } from '../entities/patient.entity.js';
import { Payment } from '../entities/payment.entity.js';
import { Plan } from '../entities/plan.entity.js';
import { PlanItem } from '../entities/plan-item.entity.js';
import { Service } from '../entities/service.entity.js';
import { nextInvoiceNumber } from '../invoices/invoice-numbers.js';
import { createPurchase } from '../sales/create-purchase.js';
import { createApiKey, createClinicWithOwnerKey } from '../cli/clinic-setup.js';

export interface DemoSeed {
  clinicId: string;
  clinicName: string;
  keys: Record<Role, string>;
  counts: { services: number; plans: number; patients: number; purchases: number; redemptions: number };
}

type PlanSpec = Pick<Plan, 'kind' | 'name' | 'price'> & Partial<Plan> & { items: [Service, number][] };

/**
 * A demo clinic through the library itself (no HTTP server): services, one plan of each kind,
 * a family of patients, sold packages and memberships, redemptions applied by the command runner
 * as a worker would, an overdue instalment and an unpaid membership invoice for the dashboard.
 */
export async function seedDemo(em: EntityManager, options: { name?: string; timezone?: string } = {}): Promise<DemoSeed> {
  const timezone = options.timezone ?? 'America/Toronto';
  const { clinic, ownerKey, ownerKeyId } = await createClinicWithOwnerKey(em, { name: options.name ?? 'Harbour Physio (demo)', currency: 'CAD', timezone });
  const keys = { owner: ownerKey } as Record<Role, string>;
  const keyIds = { owner: ownerKeyId } as Record<Role, string>;
  for (const [role, name] of [['billing', 'Back office'], ['front_desk', 'Front desk'], ['online', 'Online booking']] as const) {
    const created = await createApiKey(em, { clinicId: clinic.id, role, name });
    keys[role] = created.key;
    keyIds[role] = created.id;
  }
  const clinicId = clinic.id;
  const today = todayIn(timezone);
  const tx = em.fork();

  const service = (name: string, price: number, durationMinutes: number) => build(Service, { clinicId, name, price, durationMinutes });
  const massage = service('Massage, 60 min', 12000, 60);
  const physio = service('Physiotherapy, 45 min', 9500, 45);
  const facial = service('Facial', 9000, 50);
  const acupuncture = service('Acupuncture', 8500, 45);
  tx.persist([massage, physio, facial, acupuncture]);

  const plans: { plan: Plan; items: [Service, number][] }[] = [];
  const plan = (spec: PlanSpec) => {
    const { items, ...fields } = spec;
    const row = build(Plan, { clinicId, ...fields });
    tx.persist(row);
    items.forEach(([s, quantity], position) => tx.persist(build(PlanItem, { clinicId, planId: row.id, serviceId: s.id, quantity, position })));
    plans.push({ plan: row, items });
    return row;
  };
  const tenMassages = plan({ kind: 'package', name: '10 massages', price: 100000, validityDays: 365, items: [[massage, 10]] });
  const physioInstalments = plan({ kind: 'package', name: 'Physio 12-pack in 3 payments', price: 108000, installments: { count: 3, intervalDays: 30 }, items: [[physio, 12]] });
  const physioInsurance = plan({ kind: 'package', name: 'Physio 5-pack (insurance receipts)', price: 45000, insuranceFriendly: true, items: [[physio, 5]] });
  const wellness = plan({
    kind: 'membership',
    name: 'Wellness membership',
    price: 15000,
    billingInterval: 'month',
    rollover: true,
    onlineRedemption: true,
    items: [[massage, 2], [facial, 1]],
  });
  const acuMonthly = plan({ kind: 'membership', name: 'Acupuncture monthly', price: 7500, billingInterval: 'month', items: [[acupuncture, 1]] });

  const family = build(Family, { clinicId, name: 'Lovelace household' });
  tx.persist(family);
  const patient = (firstName: string, lastName: string, extra: Partial<Patient> = {}) => build(Patient, { clinicId, firstName, lastName, ...extra });
  const ada = patient('Ada', 'Lovelace', { familyId: family.id, email: 'ada@example.com', phone: '+1 416 555 0100', dateOfBirth: '1985-12-10' });
  const byron = patient('Byron', 'Lovelace', { familyId: family.id, dateOfBirth: '1982-01-22' });
  const augusta = patient('Augusta', 'Lovelace', { familyId: family.id, dateOfBirth: '2012-11-29' });
  const grace = patient('Grace', 'Hopper', { email: 'grace@example.com' });
  const alan = patient('Alan', 'Turing');
  tx.persist([ada, byron, augusta, grace, alan]);
  await tx.flush();

  const sell = async (buyer: Patient, sold: Plan, startDate: IsoDate, paymentSchedule: 'full' | 'installments' = 'full') => {
    const items = plans.find((p) => p.plan === sold)!.items;
    return em.fork().transactional((t) =>
      createPurchase(t, {
        clinicId,
        patientId: buyer.id,
        plan: sold,
        items: items.map(([s, quantity]) => ({ serviceId: s.id, serviceName: s.name, listPrice: s.price, quantity })),
        startDate,
        paymentSchedule,
        keyId: ownerKeyId,
      }),
    );
  };
  const invoicesOf = (purchaseId: string) => em.fork().find(Invoice, { purchaseId }, { orderBy: { number: 'asc' } });
  const payInFull = async (purchaseId: string, count = Infinity) => {
    for (const invoice of (await invoicesOf(purchaseId)).slice(0, count)) await pay(em, invoice.id, balanceDue(invoice), 'card', ownerKeyId);
  };

  const adaPack = await sell(ada, tenMassages, addDays(today, -60));
  await payInFull(adaPack.id);
  const adaWellness = await sell(ada, wellness, today);
  await payInFull(adaWellness.id);
  // Three instalments 30 days apart from 45 days ago: the first paid, the second overdue, the third to come.
  const byronPhysio = await sell(byron, physioInstalments, addDays(today, -45), 'installments');
  await payInFull(byronPhysio.id, 1);
  const augustaPhysio = await sell(augusta, physioInsurance, addDays(today, -20));
  await payInFull(augustaPhysio.id);
  // Grace's membership started ten days ago and was never paid: on the dashboard, 10 days overdue.
  await sell(grace, acuMonthly, addDays(today, -10));
  const alanPack = await sell(alan, tenMassages, today);
  await payInFull(alanPack.id);

  // Redemptions on visit invoices, through the same command pipeline the worker runs.
  const runner = new CommandRunner(em, COMMAND_HANDLERS);
  let redemptions = 0;
  const redeem = async (visitor: Patient, visited: Service, serviceDate: IsoDate, purchaseId?: string) => {
    const { invoiceId, lineId } = await visitInvoice(em, clinicId, visitor.id, visited, serviceDate, ownerKeyId);
    const submitted = await submitCommand(em.fork(), {
      clinicId,
      type: 'redemption',
      endpoint: 'POST /v1/redemptions',
      request: { invoiceId, lineId, ...(purchaseId ? { purchaseId } : {}) },
      idempotencyKey: `demo-${lineId}`,
      requestedByKeyId: keyIds.front_desk,
      channel: 'staff',
      correlationId: 'demo-seed',
    });
    if (submitted.outcome !== 'created') throw new Error(`demo redemption not created: ${submitted.outcome}`);
    const outcome = await runner.run(submitted.command.id, { lastAttempt: true });
    if (outcome !== 'succeeded') throw new Error(`demo redemption ${submitted.command.id}: ${outcome}`);
    redemptions += 1;
  };
  await redeem(ada, massage, addDays(today, -30), adaPack.id);
  await redeem(ada, massage, addDays(today, -14), adaPack.id);
  await redeem(ada, massage, today); // the membership comes first
  await redeem(ada, facial, today, adaWellness.id);
  await redeem(augusta, physio, addDays(today, -7), augustaPhysio.id); // insurance-friendly: a package_credit payment
  await redeem(alan, massage, today, alanPack.id);
  // One visit waiting at the desk: an open invoice with nothing redeemed yet.
  await visitInvoice(em, clinicId, byron.id, physio, today, ownerKeyId);

  return {
    clinicId,
    clinicName: clinic.name,
    keys,
    counts: { services: 4, plans: plans.length, patients: 5, purchases: 6, redemptions },
  };
}

/** A service invoice with one line, as the desk makes one for a visit. */
async function visitInvoice(em: EntityManager, clinicId: string, patientId: string, service: Service, serviceDate: IsoDate, keyId: string) {
  return em.fork().transactional(async (t) => {
    const number = await nextInvoiceNumber(t, clinicId);
    const invoice = build(Invoice, { clinicId, number, patientId, kind: 'service', serviceDate, subtotal: service.price, total: service.price, createdByKeyId: keyId });
    const line = build(InvoiceLine, { clinicId, invoiceId: invoice.id, serviceId: service.id, description: service.name, quantity: 1, unitPrice: service.price, amount: service.price });
    t.persist([invoice, line]);
    return { invoiceId: invoice.id, lineId: line.id };
  });
}

/** Money at the desk, as POST /v1/invoices/:id/payments records it (under the invoice's lock). */
async function pay(em: EntityManager, invoiceId: string, amount: number, method: 'card' | 'cash', keyId: string): Promise<void> {
  if (amount <= 0) return;
  await em.fork().transactional(async (t) => {
    const invoice = await t.findOneOrFail(Invoice, { id: invoiceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const decision = decidePayment(invoice, amount);
    if (!decision.ok) throw new Error(`demo payment refused: ${decision.rejected}`);
    const payment = build(Payment, { clinicId: invoice.clinicId, invoiceId, amount, method, createdByKeyId: keyId });
    payment.effectKey = `payment:${payment.id}`;
    invoice.amountPaid = decision.effects.amountPaid;
    invoice.status = decision.effects.status;
    t.persist(payment);
  });
}
