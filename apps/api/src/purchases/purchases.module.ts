import { Module } from '@nestjs/common';
import { PurchaseCommandsController } from './purchase-commands.controller.js';
import { PurchasesController } from './purchases.controller.js';
import { CommandsModule } from '../commands/commands.module.js';
import { PurchasesService } from './purchases.service.js';

@Module({ imports: [CommandsModule], controllers: [PurchasesController, PurchaseCommandsController], providers: [PurchasesService], exports: [PurchasesService] })
export class PurchasesModule {}
