import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module.js';
import { CorrectionsController } from './corrections.controller.js';

@Module({ imports: [CommandsModule], controllers: [CorrectionsController] })
export class CorrectionsModule {}
