import { Controller, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { ApiExcludeController } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clinic, COMMANDS_QUEUE, currencyDigits, PAYMENT_METHODS, recordPayment, retryFailedCommand, type CommandJobData } from '@app/billing';
import type { Queue } from 'bullmq';
import type { Request, Response } from 'express';
import { BACK_OFFICE, Public, STAFF } from '../auth/roles.decorator.js';
import { safeNext } from './dashboard-auth.controller.js';
import { DashboardHtmlFilter } from './dashboard-html.filter.js';
import { newNonce, sendHtml } from './send-html.js';
import { CurrentSession, DashboardRoles, DashboardSessionGuard } from './session/dashboard-session.guard.js';
import { DashboardSessionService, type DashboardSession } from './session/dashboard-session.service.js';
import { isSameOrigin } from './session/same-origin.js';
import { parseMoney } from './views/money-input.js';
import { errorPage } from './views/sign-in.view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The dashboard's actions: form posts from its own pages, each checked for the same origin AND
 * the session's CSRF token, then done by the same library calls as the API's endpoints
 * (retryFailedCommand for POST /v1/commands/:id/retry, recordPayment for POST
 * /v1/invoices/:id/payments). Each answers 303 back to the page it came from with a notice.
 */
@ApiExcludeController()
@Public()
@UseGuards(DashboardSessionGuard)
@UseFilters(DashboardHtmlFilter)
@Controller('dashboard')
export class DashboardActionsController {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: DashboardSessionService,
    @InjectQueue(COMMANDS_QUEUE) private readonly queue: Queue<CommandJobData>,
  ) {}

  @Post('commands/:id/retry')
  @DashboardRoles(...BACK_OFFICE)
  async retry(@Param('id') id: string, @CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.allowed(req, res, session)) return;
    const back = backOf(req);
    if (!UUID.test(id)) return redirect(res, back, { notice: 'not_found' });
    const outcome = await retryFailedCommand(this.em, this.queue, session.clinicId, id.toLowerCase());
    if (!outcome.ok) return redirect(res, back, { notice: outcome.reason });
    redirect(res, back, { notice: 'retried', retried: outcome.command.id });
  }

  @Post('invoices/:id/payments')
  @DashboardRoles(...STAFF)
  async pay(@Param('id') id: string, @CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.allowed(req, res, session)) return;
    const back = backOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!UUID.test(id)) return redirect(res, back, { notice: 'not_found' });
    const clinic = await this.em.fork().findOneOrFail(Clinic, { id: session.clinicId }, { fields: ['currency'] });
    const amount = parseMoney(body.amount, currencyDigits(clinic.currency));
    const method = PAYMENT_METHODS.find((m) => m === body.method);
    if (amount === null || !method) return redirect(res, back, { notice: 'invalid_payment' });
    const reference = typeof body.reference === 'string' && body.reference.trim() ? body.reference.trim().slice(0, 200) : null;
    // The form's own key: a double click or a resubmitted form finds the first payment.
    const key = typeof body.idempotencyKey === 'string' && /^[A-Za-z0-9_-]{8,100}$/.test(body.idempotencyKey) ? `dashboard:${body.idempotencyKey}` : undefined;
    const outcome = await recordPayment(this.em, { clinicId: session.clinicId, invoiceId: id.toLowerCase(), amount, method, reference, keyId: session.keyId, idempotencyKey: key });
    if (!outcome.ok) return redirect(res, back, { notice: 'missing' in outcome ? 'not_found' : outcome.rejected });
    redirect(res, back, { notice: 'payment_recorded', paid: outcome.value.invoiceId });
  }

  /** Same origin and the session's CSRF token (hidden field, or the X-CSRF-Token header), else a 403 page. */
  private allowed(req: Request, res: Response, session: DashboardSession): boolean {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (isSameOrigin(req) && this.sessions.validCsrf(session, body.csrf ?? req.get('x-csrf-token'))) return true;
    const nonce = newNonce();
    sendHtml(res, 403, errorPage(nonce, 403, 'Not allowed', 'This action was not sent from this dashboard’s own page. Reload the page and try again.'), nonce);
    return false;
  }
}

/** The page the form came from (its hidden `back` field), only one of ours; else the dashboard. */
function backOf(req: Request): string {
  return safeNext((req.body as Record<string, unknown> | undefined)?.back) ?? '/dashboard';
}

function redirect(res: Response, back: string, params: Record<string, string>): void {
  const url = new URL(back, 'http://dashboard.invalid');
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  res.redirect(303, `${url.pathname}${url.search}`);
}
