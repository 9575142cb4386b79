import { Module } from '@nestjs/common';
import { DashboardApiController } from './dashboard-api.controller.js';

@Module({ controllers: [DashboardApiController] })
export class DashboardModule {}
