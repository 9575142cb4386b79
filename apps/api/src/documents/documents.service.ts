import { Injectable } from '@nestjs/common';
import { IsolationLevel } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { loadReceipt, loadStatement, receiptFileName, renderReceipt, renderStatement, statementFileName } from '@app/billing';
import { notFound } from '../common/problem.exception.js';

export interface RenderedDocument {
  pdf: Buffer;
  fileName: string;
}

/** Receipts and statements as PDFs, read in one snapshot (figures agree with each other). */
@Injectable()
export class DocumentsService {
  constructor(private readonly em: EntityManager) {}

  async receipt(clinicId: string, invoiceId: string): Promise<RenderedDocument> {
    const model = await this.snapshot((em) => loadReceipt(em, clinicId, invoiceId));
    if (!model) throw notFound('Invoice');
    return { pdf: await renderReceipt(model), fileName: receiptFileName(model) };
  }

  async statement(clinicId: string, purchaseId: string): Promise<RenderedDocument> {
    const model = await this.snapshot((em) => loadStatement(em, clinicId, purchaseId));
    if (!model) throw notFound('Purchase');
    return { pdf: await renderStatement(model), fileName: statementFileName(model) };
  }

  private snapshot<T>(read: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(read, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
  }
}
