import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  Clinic,
  createPurchase,
  deletePurchase,
  isIsoDate,
  isWithinStartBounds,
  Patient,
  Plan,
  PlanItem,
  Purchase,
  purchaseDetails,
  purchaseDetailsMany,
  rerunDeadlocked,
  Service,
  startDateBounds,
  todayIn,
  type PurchaseDetails,
} from '@app/billing';
import type { AuthContext } from '../auth/auth-context.js';
import { notFound, ProblemException } from '../common/problem.exception.js';
import { toPage, type Page } from '../common/pagination.js';
import type { CreatePurchaseDto } from './dto/create-purchase.dto.js';

@Injectable()
export class PurchasesService {
  constructor(private readonly em: EntityManager) {}

  async create(auth: AuthContext, patientId: string, dto: CreatePurchaseDto): Promise<PurchaseDetails> {
    const clinic = await this.em.findOneOrFail(Clinic, { id: auth.clinicId });
    const today = todayIn(clinic.timezone);
    const startDate = dto.startDate ?? today;
    if (!isIsoDate(startDate) || !isWithinStartBounds(today, startDate)) {
      const { earliest, latest } = startDateBounds(today);
      throw invalid('startDate', `startDate must be a real date from ${earliest} to ${latest} (5 years before to 1 year after today)`);
    }
    const [patient, plan] = await Promise.all([
      this.em.findOne(Patient, { id: patientId, clinicId: auth.clinicId }),
      this.em.findOne(Plan, { id: dto.planId, clinicId: auth.clinicId }),
    ]);
    if (!patient) throw notFound('Patient');
    if (!plan) throw notFound('Plan');
    if (!plan.active) throw new ProblemException('plan_archived', `The plan ${plan.name} is archived and cannot be sold`);
    const schedule = dto.paymentSchedule ?? 'full';
    if (schedule === 'installments' && (plan.kind !== 'package' || !plan.installments)) {
      throw invalid('paymentSchedule', 'paymentSchedule installments needs a package plan with installments');
    }
    const items = await this.em.find(PlanItem, { planId: plan.id }, { orderBy: { position: 'asc' } });
    const services = await this.em.find(Service, { id: { $in: items.map((i) => i.serviceId) } });
    const byId = new Map(services.map((s) => [s.id, s]));
    const purchase = await this.em.transactional((tx) =>
      createPurchase(tx, {
        clinicId: auth.clinicId,
        patientId: patient.id,
        plan,
        items: items.map((i) => ({ serviceId: i.serviceId, serviceName: byId.get(i.serviceId)!.name, listPrice: byId.get(i.serviceId)!.price, quantity: i.quantity, patientPortion: i.patientPortion })),
        startDate,
        paymentSchedule: schedule,
        keyId: auth.keyId,
      }),
    );
    return (await this.details(auth, purchase.id))!;
  }

  async delete(auth: AuthContext, purchaseId: string): Promise<void> {
    const outcome = await rerunDeadlocked(() => this.em.fork().transactional((tx) => deletePurchase(tx, auth.clinicId, purchaseId)));
    if (outcome === 'not_found') throw notFound('Purchase');
    if (outcome === 'in_use') throw new ProblemException('purchase_in_use', 'The purchase was redeemed, paid, refunded or transferred: cancel it instead');
  }

  async details(auth: AuthContext, purchaseId: string): Promise<PurchaseDetails> {
    const clinic = await this.em.findOneOrFail(Clinic, { id: auth.clinicId });
    const details = await purchaseDetails(this.em.fork(), auth.clinicId, purchaseId, todayIn(clinic.timezone));
    if (!details) throw notFound('Purchase');
    return details;
  }

  /** A page of a patient's purchases with their details, in a fixed number of queries (never one per purchase). */
  async listForPatient(auth: AuthContext, patientId: string, status: Purchase['status'] | undefined, limit: number, cursor: string | undefined): Promise<Page<PurchaseDetails>> {
    const patient = await this.em.count(Patient, { id: patientId, clinicId: auth.clinicId });
    if (!patient) throw notFound('Patient');
    const rows = await this.em.find(
      Purchase,
      { clinicId: auth.clinicId, patientId, deletedAt: null, ...(status ? { status } : {}), ...(cursor ? { id: { $lt: cursor } } : {}) },
      { orderBy: { id: 'desc' }, limit: limit + 1 },
    );
    const page = toPage(rows, limit, (p) => p.id);
    const clinic = await this.em.findOneOrFail(Clinic, { id: auth.clinicId });
    return { data: await purchaseDetailsMany(this.em.fork(), auth.clinicId, page.data, todayIn(clinic.timezone)), nextCursor: page.nextCursor };
  }
}

const invalid = (field: string, message: string) => new ProblemException('validation_failed', message, { errors: [{ field, message }] });
