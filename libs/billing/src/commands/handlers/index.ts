import type { CommandHandler } from '../handler.js';
import { cancellationHandler } from './cancellation.handler.js';
import { reconciliationHandler } from './reconciliation.handler.js';
import { redemptionHandler } from './redemption.handler.js';
import { refundHandler } from './refund.handler.js';
import { transferHandler } from './transfer.handler.js';

/** One handler per command type. */
export const COMMAND_HANDLERS: CommandHandler[] = [redemptionHandler, cancellationHandler, refundHandler, transferHandler, reconciliationHandler];
