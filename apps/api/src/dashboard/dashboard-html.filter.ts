import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemException } from '../common/problem.exception.js';
import { SIGN_IN_PATH } from './session/dashboard-session.service.js';
import { newNonce, sendHtml } from './send-html.js';
import { errorPage } from './views/sign-in.view.js';

const TITLES: Record<number, string> = { 400: 'Bad request', 401: 'Signed out', 403: 'Not allowed', 404: 'Not found' };

/**
 * Errors of the dashboard's browser routes, as pages rather than problem+json: a page opened
 * without a session goes to sign-in; a fragment or the event stream answers 401 (the page's
 * script then goes to sign-in itself).
 */
@Catch()
export class DashboardHtmlFilter implements ExceptionFilter {
  private readonly logger = new Logger('Dashboard');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status === 401 && req.method === 'GET' && isPage(req)) {
      const next = req.originalUrl === '/dashboard' ? '' : `?next=${encodeURIComponent(req.originalUrl)}`;
      res.set('Cache-Control', 'no-store').redirect(303, `${SIGN_IN_PATH}${next}`);
      return;
    }
    if (status >= 500) this.logger.error({ err: exception, url: req.originalUrl }, 'Dashboard page failed');
    const detail = exception instanceof ProblemException ? String((exception.getResponse() as { detail?: unknown }).detail ?? '') : '';
    const message = status >= 500 ? 'Something went wrong on our side; it has been logged. Try again in a moment.' : detail || 'This page cannot be shown.';
    const nonce = newNonce();
    sendHtml(res, status, errorPage(nonce, status, TITLES[status] ?? 'Error', message), nonce);
  }
}

/** Whole pages, as opposed to the fragments and the event stream that scripts fetch. */
function isPage(req: Request): boolean {
  return !/\/(fragment|events)\/?$/.test(req.path);
}
