import { Injectable } from '@nestjs/common';
import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { addInvoiceLine, createBlankInvoice, Invoice, removeInvoiceLine, todayIn, type LineInput } from '@app/billing';
import { ClinicsService } from '../clinics/clinics.service.js';
import { decodeCursor, pageLimit, toPage, type Page } from '../common/pagination.js';
import type { AddLineDto } from './dto/add-line.dto.js';
import { toLineResponse, type InvoiceLineResponse, type InvoiceResponse } from './dto/invoice.response.js';
import type { ListInvoicesQuery } from './dto/list-invoices.query.js';
import { answer } from './invoice-edit-answer.js';
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
  async createBlank(clinicId: string, patientId: string, keyId: string, idempotencyKey?: string): Promise<InvoiceResponse> {
    const serviceDate = todayIn(await this.clinics.timezoneOf(clinicId));
    const id = answer(await createBlankInvoice(this.em, { clinicId, patientId: patientId.toLowerCase(), serviceDate, keyId, idempotencyKey }));
    return this.views.one(clinicId, id);
  }

  /** A service line at its list price, or a tip or charge; the invoice's total and status follow in the same transaction. */
  async addLine(clinicId: string, invoiceId: string, dto: AddLineDto, idempotencyKey?: string): Promise<InvoiceLineResponse> {
    const at = { clinicId, invoiceId, idempotencyKey };
    const input: LineInput =
      dto.kind === 'tip'
        ? { ...at, kind: 'tip', description: dto.description!, amount: dto.amount! }
        : dto.kind === 'charge'
          ? { ...at, kind: 'charge', description: dto.description!, amount: dto.amount!, taxCodes: dto.taxCodes ?? [] }
          : { ...at, kind: 'service', serviceId: dto.serviceId!.toLowerCase(), quantity: dto.quantity ?? 1 };
    return toLineResponse(answer(await addInvoiceLine(this.em, input)));
  }

  /** Only a line nobody relies on yet (domain/invoice.ts decides). */
  async deleteLine(clinicId: string, invoiceId: string, lineId: string): Promise<void> {
    answer(await removeInvoiceLine(this.em, clinicId, invoiceId, lineId));
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
