import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { build, Plan, PlanItem, Service } from '@app/billing';
import { invalidFields } from '../common/fields/invalid-field.js';
import { decodeCursor, pageLimit, toPage, type ListQuery, type Page } from '../common/pagination.js';
import { notFound } from '../common/problem.exception.js';
import { checkTaxCodes } from '../common/tax-codes.js';
import type { FieldError } from '../common/validation.js';
import type { CreatePlanDto } from './dto/create-plan.dto.js';
import type { UpdatePlanDto } from './dto/update-plan.dto.js';
import { toPlanResponse, type PlanItemResponse, type PlanResponse } from './dto/plan.response.js';

@Injectable()
export class PlansService {
  constructor(private readonly em: EntityManager) {}

  async create(clinicId: string, dto: CreatePlanDto): Promise<PlanResponse> {
    await this.checkItems(clinicId, dto);
    const isPackage = dto.kind === 'package';
    const plan = build(Plan, {
      clinicId,
      kind: dto.kind,
      name: dto.name,
      price: dto.price,
      validityDays: isPackage ? (dto.validityDays ?? null) : null,
      insuranceFriendly: dto.insuranceFriendly ?? false,
      installments: isPackage && dto.installments ? { count: dto.installments.count, intervalDays: dto.installments.intervalDays } : null,
      onlineRedemption: dto.onlineRedemption ?? false,
      billingInterval: isPackage ? null : (dto.billingInterval ?? null),
      rollover: isPackage ? false : (dto.rollover ?? false),
    });
    const items = dto.items.map((item, position) => build(PlanItem, { clinicId: plan.clinicId, planId: plan.id, serviceId: item.serviceId, quantity: item.quantity, patientPortion: item.patientPortion ?? 0, position }));
    await this.em.fork().transactional(async (tx) => {
      plan.taxCodes = await checkTaxCodes(tx, clinicId, dto.taxCodes);
      tx.persist(plan);
      for (const item of items) tx.persist(item);
    });
    return this.view(plan);
  }

  /** Every item names a distinct service of the caller's clinic (another clinic's is unknown). */
  private async checkItems(clinicId: string, dto: CreatePlanDto): Promise<void> {
    const ids = dto.items.map((i) => i.serviceId.toLowerCase());
    const found = await this.em.find(Service, { id: { $in: [...new Set(ids)] }, clinicId }, { fields: ['id'] });
    const known = new Set(found.map((s) => s.id));
    const errors: FieldError[] = [];
    ids.forEach((id, i) => {
      const field = `items[${i}].serviceId`;
      if (!known.has(id)) errors.push({ field, message: `${field} is not a service of this clinic` });
      else if (ids.indexOf(id) !== i) errors.push({ field, message: `${field} repeats items[${ids.indexOf(id)}].serviceId: give each service once` });
    });
    if (errors.length) throw invalidFields(errors);
  }

  async get(clinicId: string, id: string): Promise<Plan> {
    const plan = await this.em.findOne(Plan, { id, clinicId });
    if (!plan) throw notFound('Plan');
    return plan;
  }

  async list(clinicId: string, query: ListQuery): Promise<Page<PlanResponse>> {
    const limit = pageLimit(query);
    const cursor = decodeCursor(query.cursor);
    const rows = await this.em.find(Plan, { clinicId, ...(cursor ? { id: { $lt: cursor } } : {}) }, { orderBy: { id: 'desc' }, limit: limit + 1 });
    const items = await this.itemsOf(rows.slice(0, limit).map((p) => p.id));
    return toPage(rows, limit, (plan) => toPlanResponse(plan, items.get(plan.id) ?? []));
  }

  /** Archives or reactivates, and sets patient portions of existing items (sold purchases keep their snapshot). */
  async update(clinicId: string, id: string, dto: UpdatePlanDto): Promise<PlanResponse> {
    const em = this.em.fork();
    const plan = await em.findOne(Plan, { id, clinicId });
    if (!plan) throw notFound('Plan');
    if (dto.active !== undefined) plan.active = dto.active;
    // Sold purchases keep their invoices' taxes; later sales use the new codes.
    if (dto.taxCodes !== undefined) plan.taxCodes = await em.transactional((tx) => checkTaxCodes(tx, clinicId, dto.taxCodes));
    if (dto.items) {
      const items = new Map((await em.find(PlanItem, { planId: plan.id })).map((i) => [i.serviceId, i]));
      const errors: FieldError[] = [];
      dto.items.forEach((change, i) => {
        const item = items.get(change.serviceId.toLowerCase());
        if (item) item.patientPortion = change.patientPortion;
        else errors.push({ field: `items[${i}].serviceId`, message: `items[${i}].serviceId is not an item of this plan` });
      });
      if (errors.length) throw invalidFields(errors);
    }
    await em.flush();
    return this.view(plan);
  }

  async view(plan: Plan): Promise<PlanResponse> {
    const items = await this.itemsOf([plan.id]);
    return toPlanResponse(plan, items.get(plan.id) ?? []);
  }

  /** Items of several plans in their given order, with the services' names. */
  private async itemsOf(planIds: string[]): Promise<Map<string, PlanItemResponse[]>> {
    const byPlan = new Map<string, PlanItemResponse[]>();
    if (planIds.length === 0) return byPlan;
    const items = await this.em.find(PlanItem, { planId: { $in: planIds } }, { orderBy: { planId: 'asc', position: 'asc' } });
    const services = await this.em.find(Service, { id: { $in: [...new Set(items.map((i) => i.serviceId))] } }, { fields: ['id', 'name'] });
    const names = new Map(services.map((s) => [s.id, s.name]));
    for (const item of items) {
      const list = byPlan.get(item.planId) ?? [];
      list.push({ serviceId: item.serviceId, serviceName: names.get(item.serviceId) ?? '', quantity: item.quantity, patientPortion: item.patientPortion });
      byPlan.set(item.planId, list);
    }
    return byPlan;
  }
}
