import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { build, Service } from '@app/billing';
import { decodeCursor, pageLimit, toPage, type ListQuery, type Page } from '../common/pagination.js';
import { notFound } from '../common/problem.exception.js';
import { checkTaxCodes } from '../common/tax-codes.js';
import type { CreateServiceDto } from './dto/create-service.dto.js';
import { toServiceResponse, type ServiceResponse } from './dto/service.response.js';

/** The clinic's catalogue of billable visit types. */
@Injectable()
export class ServicesService {
  constructor(private readonly em: EntityManager) {}

  async create(clinicId: string, dto: CreateServiceDto): Promise<Service> {
    return this.em.fork().transactional(async (tx) => {
      const taxCodes = await checkTaxCodes(tx, clinicId, dto.taxCodes);
      const service = build(Service, { clinicId, name: dto.name, price: dto.price, durationMinutes: dto.durationMinutes ?? null, taxCodes });
      tx.persist(service);
      return service;
    });
  }

  /** A service of the clinic; another clinic's is a 404 like a missing one. */
  async get(clinicId: string, id: string): Promise<Service> {
    const service = await this.em.findOne(Service, { id, clinicId });
    if (!service) throw notFound('Service');
    return service;
  }

  async list(clinicId: string, query: ListQuery): Promise<Page<ServiceResponse>> {
    const limit = pageLimit(query);
    const cursor = decodeCursor(query.cursor);
    const rows = await this.em.find(Service, { clinicId, ...(cursor ? { id: { $lt: cursor } } : {}) }, { orderBy: { id: 'desc' }, limit: limit + 1 });
    return toPage(rows, limit, toServiceResponse);
  }
}
