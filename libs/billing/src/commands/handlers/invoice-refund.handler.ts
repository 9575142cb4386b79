import { decideInvoiceRefund } from '../../domain/invoice-refund.js';
import { refundTaxAmount } from '../../domain/taxes.js';
import { newId } from '../../entities/base.js';
import { rejected, succeeded, type CommandHandler } from '../handler.js';
import { lockInvoice, paymentsOf } from './give-back.repository.js';
import { refundedInvoice, refundPayment } from './refund.handler.js';

/**
 * Money back on a service invoice (billing-rules.md "Correcting"): a negative payment, as a
 * purchase's refund records it; amountPaid counts positive payments only, so it never reopens.
 */
export const invoiceRefundHandler: CommandHandler<'invoice_refund'> = {
  async handle({ em, command, request, clinic }) {
    const invoice = await lockInvoice(em, clinic.id, request.invoiceId);
    if (!invoice) return rejected('nothing_to_refund', 'The invoice does not exist');
    const payments = await paymentsOf(em, invoice.id);
    // The tax returned with the money, in the invoice's proportion (billing-rules.md "Taxes").
    const decision = decideInvoiceRefund(
      { kind: invoice.kind, payments, amountRefunded: invoice.amountRefunded },
      request.amount === undefined ? {} : { amount: request.amount },
      { taxAmount: (amount) => refundTaxAmount(amount, invoice.taxTotal, invoice.total) },
    );
    if (!decision.ok) return rejected(decision.rejected);
    const { amount, taxAmount } = decision.effects;
    const paymentId = newId();
    return succeeded<'invoice_refund'>({ invoiceId: invoice.id, amount, taxAmount, paymentId }, [
      refundPayment([paymentId, clinic.id, invoice.id, -amount, request.method, request.reason, command.id, `${command.id}:refund:${invoice.id}`, command.requestedByKeyId]),
      refundedInvoice(invoice.amountRefunded + amount, invoice.id),
    ]);
  },
};
