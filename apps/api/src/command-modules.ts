import type { Type } from '@nestjs/common';
import { CommandsModule } from './commands/commands.module.js';

/** Money-moving commands queued to the worker. */
export const COMMAND_MODULES: Type[] = [CommandsModule];
