import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import { urlencoded } from 'express';
import { CommandsModule } from '../commands/commands.module.js';
import { PatientsModule } from '../patients/patients.module.js';
import { DashboardActionsController } from './dashboard-actions.controller.js';
import { DashboardApiController } from './dashboard-api.controller.js';
import { DashboardAuthController } from './dashboard-auth.controller.js';
import { DashboardEventsController } from './dashboard-events.controller.js';
import { DashboardPagesController } from './dashboard-pages.controller.js';
import { DashboardPagesService } from './dashboard-pages.service.js';
import { DashboardSessionModule } from './session/dashboard-session.module.js';

/** GET /v1/dashboard (JSON) and the staff web pages under /dashboard. */
@Module({
  imports: [DashboardSessionModule, PatientsModule, CommandsModule],
  controllers: [DashboardApiController, DashboardAuthController, DashboardPagesController, DashboardEventsController, DashboardActionsController],
  providers: [DashboardPagesService],
})
export class DashboardModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The browser routes read the session cookie, and the sign-in form posts a urlencoded body
    // (the app itself only parses JSON).
    consumer.apply(cookieParser(), urlencoded({ extended: false, limit: '8kb', parameterLimit: 12 })).forRoutes(DashboardAuthController, DashboardPagesController, DashboardEventsController, DashboardActionsController);
  }
}
