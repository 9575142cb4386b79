import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig, findActiveApiKey, hashApiKey, problemFor, safeEqual } from '@app/billing';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bearerToken } from '../auth/api-key.guard.js';
import { DashboardSessionService } from '../dashboard/session/index.js';
import { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { clientAddress } from '../limits/client-address.js';

export type BoardDecision = { allowed: true } | { allowed: false; status: 401 | 403 | 429; detail: string; retryAfter?: number };

/**
 * Bull Board's page and API. Scripts, styles, images and XHR from its own origin only: the page
 * loads its bundles from /admin/queues/static and calls /admin/queues/api. Styles also need
 * 'unsafe-inline' (the loading screen's style attributes and <style>, React's style attributes);
 * its Google Fonts stylesheet is left out on purpose (the page falls back to system fonts).
 */
export const BULL_BOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Who may open Bull Board at /admin/queues: the platform operator only, with
 * `Authorization: Bearer <ADMIN_TOKEN>`. The queues hold every clinic's jobs, failure reasons and
 * return values, so a clinic's API key (owner included) and any dashboard session get 403. Bull
 * Board is an express router mounted outside Nest's router: this middleware answers problems itself.
 */
@Injectable()
export class BullBoardAccess {
  /** Compared as hashes: equal lengths, so the comparison's time tells nothing of the token's length. */
  private readonly adminTokenHash: string;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    private readonly em: EntityManager,
    private readonly sessions: DashboardSessionService,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.adminTokenHash = hashApiKey(config.ADMIN_TOKEN);
  }

  /** 200 for the ADMIN_TOKEN; 403 for a clinic's key or dashboard session (known, not the operator); 401 for anything else. */
  async decide(req: Request): Promise<BoardDecision> {
    const token = bearerToken(req);
    if (token !== undefined) {
      if (safeEqual(hashApiKey(token), this.adminTokenHash)) return { allowed: true };
      if (await findActiveApiKey(this.em, token)) return FORBIDDEN;
      return { allowed: false, status: 401, detail: 'Unknown token: Bull Board wants Authorization: Bearer <ADMIN_TOKEN>' };
    }
    if (await this.sessions.read(req)) return FORBIDDEN;
    return { allowed: false, status: 401, detail: 'Send Authorization: Bearer <ADMIN_TOKEN>' };
  }

  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      res.setHeader('Content-Security-Policy', BULL_BOARD_CSP);
      this.decideLimited(req).then((decision) => {
        if (decision.allowed) return next();
        if (decision.retryAfter) res.setHeader('Retry-After', String(decision.retryAfter));
        const code = decision.status === 401 ? 'unauthorized' : decision.status === 429 ? 'rate_limited' : 'forbidden';
        if (decision.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="admin"');
        res.status(decision.status).type('application/problem+json').json(problemFor(code, decision.detail));
      }, next);
    };
  }

  /** `decide` behind the failed-authentication limit: a blocked address is refused before any lookup; a refused token counts. */
  private async decideLimited(req: Request): Promise<BoardDecision> {
    const address = clientAddress(req);
    let wait = await this.failures.retryAfter(address);
    if (wait === 0) {
      const decision = await this.decide(req);
      if (decision.allowed || decision.status !== 401 || req.headers.authorization === undefined) return decision;
      wait = await this.failures.countFailure(address);
      if (wait === 0) return decision;
    }
    return { allowed: false, status: 429, detail: this.failures.refusal(wait), retryAfter: wait };
  }
}

const FORBIDDEN: BoardDecision = {
  allowed: false,
  status: 403,
  detail: "Bull Board holds every clinic's jobs: it is the platform operator's (Authorization: Bearer <ADMIN_TOKEN>), not a clinic's",
};
