import { rejected, succeeded, type CommandHandler } from '../handler.js';
import { decideInvoiceVoid, invoiceVoidWrites, loadVoidableInvoice } from './invoice-void.effects.js';

/** Voids a service invoice, reversing every redemption on it in the same transaction (billing-rules.md "Correcting"). */
export const invoiceVoidHandler: CommandHandler<'invoice_void'> = {
  async handle({ em, command, request, clinic }) {
    const voidable = await loadVoidableInvoice(em, clinic.id, request.invoiceId);
    if (!voidable) return rejected('invoice_void', 'The invoice does not exist');
    const decision = decideInvoiceVoid(voidable.state);
    if (!decision.ok) return rejected(decision.rejected);
    const { writes, redemptions } = invoiceVoidWrites(command, clinic.id, voidable, decision.effects, request.reason);
    return succeeded<'invoice_void'>({ invoiceId: voidable.invoice.id, status: 'void', redemptions }, writes);
  },
};
