import { Module } from '@nestjs/common';
import { ExportsController } from './exports.controller.js';
import { ReportsController } from './reports.controller.js';

/** GET /v1/reports/* and /v1/exports/* (billing and owner): read models of the ledger, no commands. */
@Module({ controllers: [ReportsController, ExportsController] })
export class ReportsModule {}
