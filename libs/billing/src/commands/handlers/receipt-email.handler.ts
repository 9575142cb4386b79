import { receiptRecipient } from '../../domain/receipt-email.js';
import { rejected, succeeded, type CommandHandler } from '../handler.js';

/**
 * receipt_email decides, in the billing pipeline, whom the receipt goes to; it sends nothing.
 * The notifications queue sends it after this command has succeeded (the worker hears of it on
 * commit, a sweep catches what it missed) and stores the message id on this command's result,
 * so a slow mail server never holds a billing job or its transaction.
 */
export const receiptEmailHandler: CommandHandler<'receipt_email'> = {
  async handle({ em, request, clinic }) {
    const [row] = await em.execute<{ email: string | null }[]>(
      `select p.email from invoice i join patient p on p.id = i.patient_id and p.clinic_id = i.clinic_id where i.id = ? and i.clinic_id = ?`,
      [request.invoiceId, clinic.id],
    );
    // Stored commands refer to an invoice of the clinic (checked when stored); invoices are not deleted.
    if (!row) throw new Error(`Invoice ${request.invoiceId} not found`);
    const decision = receiptRecipient(request.to, row.email);
    if (!decision.ok) return rejected(decision.rejected, 'Give `to`, or record an e-mail address for the patient');
    return succeeded<'receipt_email'>({ to: decision.effects.to, messageId: null });
  },
};
