import { Injectable } from '@nestjs/common';
import { IsolationLevel, type FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Invoice, InvoiceLine, Payment } from '@app/billing';
import { notFound } from '../common/problem.exception.js';
import { toInvoiceResponse, type InvoiceResponse } from './dto/invoice.response.js';

/**
 * Invoices as the API shows them, lines and payments included. Read in one snapshot
 * (repeatable read) so totals always agree with the lines and payments shown beside them.
 */
@Injectable()
export class InvoiceViewsService {
  constructor(private readonly em: EntityManager) {}

  async one(clinicId: string, id: string): Promise<InvoiceResponse> {
    return this.snapshot(async (em) => {
      const invoice = await em.findOne(Invoice, { id, clinicId });
      if (!invoice) throw notFound('Invoice');
      return (await this.views(em, [invoice]))[0];
    });
  }

  /** Up to `limit` invoices matching `where`, newest first, plus whether more follow. */
  async page(where: FilterQuery<Invoice>, limit: number): Promise<{ rows: Invoice[]; views: Map<string, InvoiceResponse> }> {
    return this.snapshot(async (em) => {
      const rows = await em.find(Invoice, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
      const views = await this.views(em, rows.slice(0, limit));
      return { rows, views: new Map(views.map((v) => [v.id, v])) };
    });
  }

  private snapshot<T>(read: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(read, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
  }

  private async views(em: EntityManager, invoices: Invoice[]): Promise<InvoiceResponse[]> {
    if (invoices.length === 0) return [];
    const ids = invoices.map((i) => i.id);
    const lines = await em.find(InvoiceLine, { invoiceId: { $in: ids } }, { orderBy: { id: 'asc' } });
    const payments = await em.find(Payment, { invoiceId: { $in: ids } }, { orderBy: { id: 'asc' } });
    return invoices.map((invoice) =>
      toInvoiceResponse(
        invoice,
        lines.filter((l) => l.invoiceId === invoice.id),
        payments.filter((p) => p.invoiceId === invoice.id),
      ),
    );
  }
}
