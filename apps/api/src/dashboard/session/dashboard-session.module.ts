import { Module } from '@nestjs/common';
import { DashboardSessionGuard } from './dashboard-session.guard.js';
import { DashboardSessionService } from './dashboard-session.service.js';

/** Import this module to protect a route with `@UseGuards(DashboardSessionGuard)`. */
@Module({ providers: [DashboardSessionService, DashboardSessionGuard], exports: [DashboardSessionService, DashboardSessionGuard] })
export class DashboardSessionModule {}
