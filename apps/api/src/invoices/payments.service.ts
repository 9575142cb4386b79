import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { balanceDue, build, decidePayment, Payment } from '@app/billing';
import { ProblemException } from '../common/problem.exception.js';
import { toPaymentResponse, type PaymentResponse } from './dto/invoice.response.js';
import type { CreatePaymentDto } from './dto/create-payment.dto.js';
import { lockInvoice } from './invoices.service.js';

/** Money received at the desk, against one invoice. */
@Injectable()
export class PaymentsService {
  constructor(private readonly em: EntityManager) {}

  /**
   * Under the invoice's row lock, so concurrent payments can never pay more than is due. With an
   * Idempotency-Key the payment's own unique effect key is derived from it: even a retry after a
   * crash between the payment's commit and the stored answer finds the payment instead of paying twice.
   */
  async record(clinicId: string, invoiceId: string, dto: CreatePaymentDto, keyId: string, idempotencyKey?: string): Promise<PaymentResponse> {
    return this.em.fork().transactional(async (tx) => {
      const invoice = await lockInvoice(tx, clinicId, invoiceId);
      const effectKey = idempotencyKey ? `payment-key:${clinicId}:${idempotencyKey}` : null;
      const earlier = effectKey ? await tx.findOne(Payment, { effectKey }) : null;
      if (earlier) return toPaymentResponse(earlier);
      const decision = decidePayment(invoice, dto.amount);
      if (!decision.ok) {
        throw new ProblemException(decision.rejected, decision.detail, decision.rejected === 'overpayment' ? { balanceDue: balanceDue(invoice) } : undefined);
      }
      const payment = build(Payment, {
        clinicId,
        invoiceId: invoice.id,
        amount: dto.amount,
        method: dto.method,
        reference: dto.reference ?? null,
        createdByKeyId: keyId,
      });
      payment.effectKey = effectKey ?? `payment:${payment.id}`;
      invoice.amountPaid = decision.effects.amountPaid;
      invoice.status = decision.effects.status;
      tx.persist(payment);
      return toPaymentResponse(payment);
    });
  }
}
