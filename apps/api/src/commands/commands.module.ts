import { Module } from '@nestjs/common';
import { RedemptionsController } from '../redemptions/redemptions.controller.js';
import { CommandEventsService } from './command-events.service.js';
import { CommandsController } from './commands.controller.js';
import { CommandsService } from './commands.service.js';

@Module({
  controllers: [CommandsController, RedemptionsController],
  providers: [CommandsService, CommandEventsService],
  exports: [CommandsService, CommandEventsService],
})
export class CommandsModule {}
