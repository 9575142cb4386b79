import type { Type } from '@nestjs/common';
import { BookingsModule } from './bookings/bookings.module.js';
import { CommandsModule } from './commands/commands.module.js';
import { CorrectionsModule } from './corrections/corrections.module.js';
import { PurchasesModule } from './purchases/purchases.module.js';
import { ReconciliationsModule } from './reconciliations/reconciliations.module.js';

/** Purchases and the money-moving commands queued to the worker. */
export const COMMAND_MODULES: Type[] = [CommandsModule, PurchasesModule, BookingsModule, ReconciliationsModule, CorrectionsModule];
