import { Controller, Get, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { csvWriter, type CollectionPatient, type DashboardInvoiceItem, type IsoDate } from '@app/billing';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles.decorator.js';
import { DashboardHtmlFilter } from './dashboard-html.filter.js';
import { DashboardPagesService, SEARCH_LIMIT, type ClinicContext } from './dashboard-pages.service.js';
import { newNonce, sendHtml } from './send-html.js';
import { CurrentSession, DashboardSessionGuard } from './session/dashboard-session.guard.js';
import { DashboardSessionService, type DashboardSession } from './session/dashboard-session.service.js';
import { collectionsContent, collectionsLive } from './views/collections.view.js';
import { dashboardContent, dashboardLive, type DashboardQueryState } from './views/dashboard.view.js';
import type { SafeHtml } from './views/html.js';
import { page, type PageChrome } from './views/layout.js';
import type { ViewContext } from './views/page-context.js';
import { patientsContent, patientsLive } from './views/patients.view.js';
import { purchaseContent, purchaseLive } from './views/purchase.view.js';

/** Query parameters that report an action's outcome: not part of the page's own address. */
const ONE_SHOT = ['notice', 'paid', 'retried'];

/**
 * The staff dashboard (GET /dashboard and its pages). Each page has a live region whose fragment
 * route the page's script re-fetches when /dashboard/events announces a finished command. Its
 * forms post to DashboardActionsController (CSRF token and same-origin checked there).
 */
@ApiExcludeController()
@Public()
@UseGuards(DashboardSessionGuard)
@UseFilters(DashboardHtmlFilter)
@Controller('dashboard')
export class DashboardPagesController {
  constructor(
    private readonly pages: DashboardPagesService,
    private readonly sessions: DashboardSessionService,
  ) {}

  @Get()
  async dashboard(@Query() q: Record<string, unknown>, @CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    const checked = this.pages.checkAsOf(q.asOf);
    const c = await this.pages.clinic(session);
    const pinned = 'asOf' in checked ? checked.asOf : null;
    const state: DashboardQueryState = { asOf: pinned, type: this.pages.parseType(q.type), retried: typeof q.retried === 'string' ? q.retried : null };
    const data = await this.pages.dashboard(session, pinned ?? c.today, state);
    // A mistyped date keeps the page (today's), with the error beside the picker.
    const extras = 'error' in checked ? { asOfError: checked.error, typedAsOf: checked.typed } : { notice: oneOf(q.notice) };
    this.sendPage(res, 'error' in checked ? 400 : 200, session, c, 'Dashboard', 'dashboard', dashboardContent(data, c.today, state, this.ctx(session, c, req), extras));
  }

  @Get('fragment')
  async dashboardFragment(@Query() q: Record<string, unknown>, @CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    const pinned = this.pages.parseAsOf(q.asOf);
    const c = await this.pages.clinic(session);
    const state: DashboardQueryState = { asOf: pinned, type: this.pages.parseType(q.type), retried: typeof q.retried === 'string' ? q.retried : null };
    sendHtml(res, 200, dashboardLive(await this.pages.dashboard(session, pinned ?? c.today, state), state, this.ctx(session, c, req, dashboardPathOf(req))));
  }

  @Get('overdue.csv')
  async overdueCsv(@Query('asOf') rawAsOf: unknown, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const c = await this.pages.clinic(session);
    const asOf = this.pages.parseAsOf(rawAsOf) ?? c.today;
    const { view } = await this.pages.dashboard(session, asOf, { type: null, retried: null });
    type Row = DashboardInvoiceItem & { list: string };
    const rows: Row[] = [...view.unpaidMembershipInvoices.map((i) => ({ ...i, list: 'membership' })), ...view.overdueInstallments.map((i) => ({ ...i, list: 'installment' }))];
    const w = csvWriter<Row>(['list', 'number', 'patientName', 'planName', 'amount', 'balanceDue', 'dueDate', 'daysOverdue', 'invoiceId', 'purchaseId'], new Set(['amount', 'balanceDue']), c.digits);
    sendCsv(res, `overdue-${asOf}.csv`, w.header + rows.map(w.line).join(''));
  }

  @Get('collections')
  async collections(@Query() q: Record<string, unknown>, @CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    const c = await this.pages.clinic(session);
    const pinned = this.pages.parseAsOf(q.asOf);
    const asOf = pinned ?? c.today;
    const patients = await this.pages.collections(session, asOf);
    this.sendPage(res, 200, session, c, 'Collections', 'collections', collectionsContent(patients, asOf, pinned, this.ctx(session, c, req), oneOf(q.notice)));
  }

  @Get('collections/fragment')
  async collectionsFragment(@Query('asOf') rawAsOf: unknown, @CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    const c = await this.pages.clinic(session);
    const pinned = this.pages.parseAsOf(rawAsOf);
    const back = `/dashboard/collections${pinned ? `?asOf=${pinned}` : ''}`;
    sendHtml(res, 200, collectionsLive(await this.pages.collections(session, pinned ?? c.today), this.ctx(session, c, req, back)));
  }

  @Get('collections.csv')
  async collectionsCsv(@Query('asOf') rawAsOf: unknown, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const c = await this.pages.clinic(session);
    const asOf = this.pages.parseAsOf(rawAsOf) ?? c.today;
    type Row = { patientName: string; phone: string | null; email: string | null; totalOwed: number; oldestDueDate: IsoDate; number: number; kind: string; planName: string | null; dueDate: IsoDate; daysOverdue: number; balanceDue: number };
    const rows: Row[] = (await this.pages.collections(session, asOf)).flatMap((p: CollectionPatient) =>
      p.invoices.map((i) => ({ patientName: p.patientName, phone: p.phone, email: p.email, totalOwed: p.totalOwed, oldestDueDate: p.oldestDueDate, number: i.number, kind: i.kind, planName: i.planName, dueDate: i.dueDate, daysOverdue: i.daysOverdue, balanceDue: i.balanceDue })),
    );
    const w = csvWriter<Row>(['patientName', 'phone', 'email', 'totalOwed', 'oldestDueDate', 'number', 'kind', 'planName', 'dueDate', 'daysOverdue', 'balanceDue'], new Set(['totalOwed', 'balanceDue']), c.digits);
    sendCsv(res, `collections-${asOf}.csv`, w.header + rows.map(w.line).join(''));
  }

  @Get('patients')
  async patients(@Query('search') rawSearch: unknown, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const search = this.pages.parseSearch(rawSearch);
    const c = await this.pages.clinic(session);
    const hits = await this.pages.searchPatients(session, search);
    this.sendPage(res, 200, session, c, search ? `Patients: ${search}` : 'Patients', 'patients', patientsContent(search, hits, SEARCH_LIMIT, c.fmt));
  }

  @Get('patients/fragment')
  async patientsFragment(@Query('search') rawSearch: unknown, @CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    const search = this.pages.parseSearch(rawSearch);
    const { fmt } = await this.pages.clinic(session);
    sendHtml(res, 200, patientsLive(search, await this.pages.searchPatients(session, search), SEARCH_LIMIT, fmt));
  }

  @Get('purchases/:id')
  async purchase(@Param('id') id: string, @Query('notice') rawNotice: unknown, @CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    const c = await this.pages.clinic(session);
    const data = await this.pages.purchase(session, id, c.today);
    this.sendPage(res, 200, session, c, data.details.planName, 'patients', purchaseContent(data, this.ctx(session, c, req), oneOf(rawNotice)));
  }

  @Get('purchases/:id/fragment')
  async purchaseFragment(@Param('id') id: string, @CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    const c = await this.pages.clinic(session);
    const data = await this.pages.purchase(session, id, c.today);
    sendHtml(res, 200, purchaseLive(data, this.ctx(session, c, req, `/dashboard/purchases/${data.details.id}`)));
  }

  private ctx(session: DashboardSession, c: ClinicContext, req: Request, back = pageAddress(req)): ViewContext {
    return { fmt: c.fmt, csrf: this.sessions.csrfToken(session), role: session.role, back, digits: c.digits };
  }

  private sendPage(res: Response, status: number, session: DashboardSession, c: ClinicContext, title: string, current: PageChrome['current'], content: SafeHtml): void {
    const nonce = newNonce();
    const chrome = { title, nonce, clinicName: c.clinic.name, keyName: session.keyName, role: session.role, current, csrf: this.sessions.csrfToken(session), timeZone: c.clinic.timezone };
    sendHtml(res, status, page(chrome, content), nonce);
  }
}

const oneOf = (raw: unknown): string | undefined => (typeof raw === 'string' && /^[a-z_]{1,40}$/.test(raw) ? raw : undefined);

/** This page's own address (path and query, less the one-shot outcome parameters), where its forms return. */
function pageAddress(req: Request): string {
  const url = new URL(req.originalUrl, 'http://dashboard.invalid');
  for (const name of ONE_SHOT) url.searchParams.delete(name);
  return `${url.pathname}${url.search}`;
}

/** The dashboard page a fragment belongs to. */
function dashboardPathOf(req: Request): string {
  return pageAddress(req).replace(/^\/dashboard\/fragment/, '/dashboard');
}

function sendCsv(res: Response, filename: string, body: string): void {
  res
    .status(200)
    .set({ 'Content-Type': 'text/csv; charset=utf-8; header=present', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
    .send(body);
}
