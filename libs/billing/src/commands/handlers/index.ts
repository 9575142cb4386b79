import type { CommandHandlers } from '../command-runner.js';
import { cancellationHandler } from './cancellation.handler.js';
import { receiptEmailHandler } from './receipt-email.handler.js';
import { extensionHandler } from './extension.handler.js';
import { pauseHandler, resumeHandler } from './pause.handler.js';
import { reconciliationHandler } from './reconciliation.handler.js';
import { redemptionHandler } from './redemption.handler.js';
import { refundHandler } from './refund.handler.js';
import { transferHandler } from './transfer.handler.js';
import { reversalHandler } from './reversal.handler.js';
import { invoiceVoidHandler } from './invoice-void.handler.js';
import { invoiceRefundHandler } from './invoice-refund.handler.js';
import { appointmentCancellationHandler } from './appointment-cancellation.handler.js';

/** One handler per command type (a type of the catalogue without one does not compile). */
export const COMMAND_HANDLERS: CommandHandlers = {
  redemption: redemptionHandler,
  cancellation: cancellationHandler,
  receipt_email: receiptEmailHandler,
  refund: refundHandler,
  transfer: transferHandler,
  reconciliation: reconciliationHandler,
  reversal: reversalHandler,
  invoice_void: invoiceVoidHandler,
  invoice_refund: invoiceRefundHandler,
  appointment_cancellation: appointmentCancellationHandler,
  extension: extensionHandler,
  pause: pauseHandler,
  resume: resumeHandler,
};
