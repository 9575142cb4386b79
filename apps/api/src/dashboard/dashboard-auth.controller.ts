import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public, STAFF } from '../auth/roles.decorator.js';
import { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { clientAddress } from '../limits/client-address.js';
import { DashboardHtmlFilter } from './dashboard-html.filter.js';
import { newNonce, sendHtml } from './send-html.js';
import { DashboardSessionService } from './session/dashboard-session.service.js';
import { isSameOrigin } from './session/same-origin.js';
import { errorPage, signInPage } from './views/sign-in.view.js';

const HOME = '/dashboard';

/**
 * Sign-in with an API key (a form post, the key in the body) and sign-out. A staff key gets a
 * session cookie; the online role, unknown and revoked keys get the form again with the reason.
 */
@ApiExcludeController()
@Public()
@UseFilters(DashboardHtmlFilter)
@Controller('dashboard')
export class DashboardAuthController {
  constructor(
    private readonly sessions: DashboardSessionService,
    private readonly failures: AuthFailureLimiter,
  ) {}

  @Get('sign-in')
  async form(@Query('next') rawNext: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const next = safeNext(rawNext);
    const session = await this.sessions.read(req);
    if (session && STAFF.includes(session.role)) return res.redirect(303, next ?? HOME);
    const nonce = newNonce();
    sendHtml(res, 200, signInPage({ nonce, next }), nonce);
  }

  @Post('sign-in')
  async signIn(@Req() req: Request, @Res() res: Response): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const refuse = (status: number, error: string) => {
      const nonce = newNonce();
      sendHtml(res, status, signInPage({ nonce, next, error }), nonce);
    };
    if (!isSameOrigin(req)) return refuse(403, 'This sign-in was not sent from this site’s sign-in page. Reload the page and try again.');
    // Failed sign-ins count with the API's failed authentications, checked before any lookup.
    const address = clientAddress(req);
    const tooMany = (seconds: number) => {
      res.set('Retry-After', String(seconds));
      refuse(429, `Too many failed sign-ins from this address. Try again in ${seconds} s.`);
    };
    const wait = await this.failures.retryAfter(address);
    if (wait > 0) return tooMany(wait);
    const apiKey = typeof body.apiKey === 'string' ? body.apiKey.trim() : '';
    if (!apiKey) return refuse(400, 'Enter your API key.');
    const key = await this.sessions.findActiveKey(apiKey);
    if (!key) {
      const blocked = await this.failures.countFailure(address);
      return blocked > 0 ? tooMany(blocked) : refuse(401, 'Unknown or revoked API key.');
    }
    if (!STAFF.includes(key.role)) return refuse(403, `This is an ${key.role} key: the dashboard is for staff keys only (owner, billing or front desk).`);
    this.sessions.start(req, res, key);
    res.redirect(303, next ?? HOME);
  }

  @Post('sign-out')
  async signOut(@Req() req: Request, @Res() res: Response): Promise<void> {
    // Same origin, and the session's CSRF token when there is a session to end.
    const session = await this.sessions.read(req);
    const token = ((req.body ?? {}) as Record<string, unknown>).csrf;
    if (!isSameOrigin(req) || (session && !this.sessions.validCsrf(session, token))) {
      const nonce = newNonce();
      return sendHtml(res, 403, errorPage(nonce, 403, 'Not allowed', 'Sign out from the dashboard itself.'), nonce);
    }
    this.sessions.end(req, res);
    res.redirect(303, '/dashboard/sign-in');
  }
}

/** Where to go after sign-in: only our own pages (no other site, no protocol-relative URL). */
export function safeNext(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 500) return undefined;
  return /^\/(dashboard|admin)(?:[/?#][^\\\s]*)?$/.test(raw) && !raw.startsWith('//') ? raw : undefined;
}
