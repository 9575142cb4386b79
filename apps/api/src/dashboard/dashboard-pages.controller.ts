import { Controller, Get, Param, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator.js';
import { DashboardHtmlFilter } from './dashboard-html.filter.js';
import { DashboardPagesService, SEARCH_LIMIT } from './dashboard-pages.service.js';
import { newNonce, sendHtml } from './send-html.js';
import { CurrentSession, DashboardSessionGuard } from './session/dashboard-session.guard.js';
import type { DashboardSession } from './session/dashboard-session.service.js';
import { dashboardContent, dashboardLive } from './views/dashboard.view.js';
import type { SafeHtml } from './views/html.js';
import { page, type PageChrome } from './views/layout.js';
import { patientsContent, patientsLive } from './views/patients.view.js';
import { purchaseContent, purchaseLive } from './views/purchase.view.js';

/**
 * The staff dashboard (GET /dashboard and its pages). Read-only: no page posts a billing
 * action. Each page has a live region whose fragment route the page's script re-fetches
 * when /dashboard/events announces a finished command.
 */
@ApiExcludeController()
@Public()
@UseGuards(DashboardSessionGuard)
@UseFilters(DashboardHtmlFilter)
@Controller('dashboard')
export class DashboardPagesController {
  constructor(private readonly pages: DashboardPagesService) {}

  @Get()
  async dashboard(@Query('asOf') rawAsOf: unknown, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const pinned = this.pages.parseAsOf(rawAsOf);
    const { clinic, today, fmt } = await this.pages.clinic(session);
    const view = await this.pages.dashboard(session, pinned ?? today);
    this.sendPage(res, session, clinic.name, 'Dashboard', 'dashboard', dashboardContent(view, today, pinned, fmt));
  }

  @Get('fragment')
  async dashboardFragment(@Query('asOf') rawAsOf: unknown, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const pinned = this.pages.parseAsOf(rawAsOf);
    const { today, fmt } = await this.pages.clinic(session);
    sendHtml(res, 200, dashboardLive(await this.pages.dashboard(session, pinned ?? today), fmt));
  }

  @Get('patients')
  async patients(@Query('search') rawSearch: unknown, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const search = this.pages.parseSearch(rawSearch);
    const { clinic, fmt } = await this.pages.clinic(session);
    const hits = await this.pages.searchPatients(session, search);
    this.sendPage(res, session, clinic.name, search ? `Patients: ${search}` : 'Patients', 'patients', patientsContent(search, hits, SEARCH_LIMIT, fmt));
  }

  @Get('patients/fragment')
  async patientsFragment(@Query('search') rawSearch: unknown, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const search = this.pages.parseSearch(rawSearch);
    const { fmt } = await this.pages.clinic(session);
    sendHtml(res, 200, patientsLive(search, await this.pages.searchPatients(session, search), SEARCH_LIMIT, fmt));
  }

  @Get('purchases/:id')
  async purchase(@Param('id') id: string, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const { clinic, today, fmt } = await this.pages.clinic(session);
    const data = await this.pages.purchase(session, id, today);
    this.sendPage(res, session, clinic.name, data.details.planName, 'patients', purchaseContent(data, fmt));
  }

  @Get('purchases/:id/fragment')
  async purchaseFragment(@Param('id') id: string, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const { today, fmt } = await this.pages.clinic(session);
    sendHtml(res, 200, purchaseLive(await this.pages.purchase(session, id, today), fmt));
  }

  private sendPage(res: Response, session: DashboardSession, clinicName: string, title: string, current: PageChrome['current'], content: SafeHtml): void {
    const nonce = newNonce();
    sendHtml(res, 200, page({ title, nonce, clinicName, keyName: session.keyName, role: session.role, current }, content), nonce);
  }
}
