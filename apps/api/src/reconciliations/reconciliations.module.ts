import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module.js';
import { ReconciliationsController } from './reconciliations.controller.js';

@Module({ imports: [CommandsModule], controllers: [ReconciliationsController] })
export class ReconciliationsModule {}
