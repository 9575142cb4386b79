import type { CommandHandler } from '../handler.js';
import { redemptionHandler } from './redemption.handler.js';

/** One handler per command type. */
export const COMMAND_HANDLERS: CommandHandler[] = [redemptionHandler];
