import { Module } from '@nestjs/common';
import { RedeemableController } from '../redemptions/redeemable.controller.js';
import { RedemptionsController } from '../redemptions/redemptions.controller.js';
import { CommandEventsService } from './command-events.service.js';
import { CommandsController } from './commands.controller.js';
import { CommandsService } from './commands.service.js';

@Module({
  controllers: [CommandsController, RedemptionsController, RedeemableController],
  providers: [CommandsService, CommandEventsService],
  exports: [CommandsService, CommandEventsService],
})
export class CommandsModule {}
