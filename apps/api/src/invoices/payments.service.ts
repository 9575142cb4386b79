import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { recordPayment } from '@app/billing';
import { answer } from './invoice-edit-answer.js';
import { toPaymentResponse, type PaymentResponse } from './dto/invoice.response.js';
import type { CreatePaymentDto } from './dto/create-payment.dto.js';

/** Money received at the desk, against one invoice (the library's invoice-edits decide and write it). */
@Injectable()
export class PaymentsService {
  constructor(private readonly em: EntityManager) {}

  async record(clinicId: string, invoiceId: string, dto: CreatePaymentDto, keyId: string, idempotencyKey?: string): Promise<PaymentResponse> {
    const payment = answer(
      await recordPayment(this.em, { clinicId, invoiceId, amount: dto.amount, method: dto.method, reference: dto.reference ?? null, keyId, idempotencyKey }),
    );
    return toPaymentResponse(payment);
  }
}
