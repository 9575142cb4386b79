import { Injectable } from '@nestjs/common';
import { LockMode, type FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { build, decideLineAddition, decideLineRemoval, Invoice, InvoiceLine, nextInvoiceNumber, Patient, Service, todayIn } from '@app/billing';
import { ClinicsService } from '../clinics/clinics.service.js';
import { decodeCursor, pageLimit, toPage, type Page } from '../common/pagination.js';
import { notFound, ProblemException } from '../common/problem.exception.js';
import type { AddLineDto } from './dto/add-line.dto.js';
import { toLineResponse, type InvoiceLineResponse, type InvoiceResponse } from './dto/invoice.response.js';
import type { ListInvoicesQuery } from './dto/list-invoices.query.js';
import { InvoiceViewsService } from './invoice-views.service.js';

/** Service invoices made at the desk: blank ones, their lines, and the list. */
@Injectable()
export class InvoicesService {
  constructor(
    private readonly em: EntityManager,
    private readonly clinics: ClinicsService,
    private readonly views: InvoiceViewsService,
  ) {}

  /** A blank service invoice dated today in the clinic's time zone. */
  async createBlank(clinicId: string, patientId: string, keyId: string): Promise<InvoiceResponse> {
    const patient = await this.em.count(Patient, { id: patientId.toLowerCase(), clinicId });
    if (!patient) throw notFound('Patient');
    const serviceDate = todayIn(await this.clinics.timezoneOf(clinicId));
    const id = await this.em.fork().transactional(async (tx) => {
      // The number last, just before the insert: the clinic's counter row stays locked until commit.
      const number = await nextInvoiceNumber(tx, clinicId);
      const invoice = build(Invoice, { clinicId, number, patientId: patientId.toLowerCase(), kind: 'service', serviceDate, createdByKeyId: keyId });
      tx.persist(invoice);
      return invoice.id;
    });
    return this.views.one(clinicId, id);
  }

  /** A line at the service's list price; the invoice's total grows in the same transaction. */
  async addLine(clinicId: string, invoiceId: string, dto: AddLineDto): Promise<InvoiceLineResponse> {
    return this.em.fork().transactional(async (tx) => {
      const invoice = await lockInvoice(tx, clinicId, invoiceId);
      const service = await tx.findOne(Service, { id: dto.serviceId.toLowerCase(), clinicId });
      if (!service) throw notFound('Service');
      const quantity = dto.quantity ?? 1;
      const decision = decideLineAddition(invoice, { amount: service.price * quantity });
      if (!decision.ok) throw new ProblemException(decision.rejected, decision.detail);
      const line = build(InvoiceLine, {
        clinicId,
        invoiceId,
        serviceId: service.id,
        description: service.name,
        quantity,
        unitPrice: service.price,
        amount: service.price * quantity,
      });
      invoice.total = decision.effects.total;
      tx.persist(line);
      return toLineResponse(line);
    });
  }

  /** Only a line nobody relies on yet (domain/invoice.ts decides). */
  async deleteLine(clinicId: string, invoiceId: string, lineId: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const invoice = await lockInvoice(tx, clinicId, invoiceId);
      const line = await tx.findOne(InvoiceLine, { id: lineId, invoiceId });
      if (!line) throw notFound('Invoice line');
      const decision = decideLineRemoval(invoice, { amount: line.amount, redeemed: line.redemptionCommandId !== null });
      if (!decision.ok) throw new ProblemException(decision.rejected, decision.detail);
      invoice.total = decision.effects.total;
      invoice.status = decision.effects.status;
      tx.remove(line);
    });
  }

  async list(clinicId: string, query: ListInvoicesQuery): Promise<Page<InvoiceResponse>> {
    const limit = pageLimit(query);
    const cursor = decodeCursor(query.cursor);
    const where: FilterQuery<Invoice> = { clinicId };
    const and: FilterQuery<Invoice>[] = [];
    if (cursor) and.push({ id: { $lt: cursor } });
    if (query.patientId) and.push({ patientId: query.patientId.toLowerCase() });
    if (query.kind) and.push({ kind: query.kind });
    if (query.status) and.push({ status: query.status });
    if (query.overdue) {
      const today = todayIn(await this.clinics.timezoneOf(clinicId));
      // Spelled out both ways: NOT (… due_date < today) would also drop invoices without a due date.
      and.push(
        query.overdue === 'true'
          ? { status: 'open', dueDate: { $lt: today } }
          : { $or: [{ status: { $ne: 'open' } }, { dueDate: null }, { dueDate: { $gte: today } }] },
      );
    }
    if (and.length) where.$and = and;
    const { rows, views } = await this.views.page(where, limit);
    return toPage(rows, limit, (row) => views.get(row.id)!);
  }
}

/** The invoice row, locked until commit: lines and payments change its running totals. */
export async function lockInvoice(tx: EntityManager, clinicId: string, id: string): Promise<Invoice> {
  const invoice = await tx.findOne(Invoice, { id, clinicId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!invoice) throw notFound('Invoice');
  return invoice;
}
