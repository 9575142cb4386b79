import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { findActiveApiKey, problemFor, type Role } from '@app/billing';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bearerToken } from '../auth/api-key.guard.js';
import { DashboardSessionService, SIGN_IN_PATH } from '../dashboard/session/index.js';

export type BoardDecision = { allowed: true; role: Role; via: 'api_key' | 'dashboard_session' } | { allowed: false; status: 401 | 403; detail: string };

/** Bull Board (every clinic's jobs, read-only) is for owners only. */
const BOARD_ROLE: Role = 'owner';

/**
 * Who may open Bull Board at /admin/queues: a Bearer API key of the owner role (tools, curl), or
 * the dashboard's cookie session of an owner (browsers). Bull Board is an express router mounted
 * outside Nest's router, so this is a middleware and answers problems itself.
 */
@Injectable()
export class BullBoardAccess {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: DashboardSessionService,
  ) {}

  async decide(req: Request): Promise<BoardDecision> {
    const token = bearerToken(req);
    if (token !== undefined) {
      const key = await findActiveApiKey(this.em, token);
      if (!key) return { allowed: false, status: 401, detail: 'Unknown or revoked API key' };
      return this.byRole(key.role, 'api_key');
    }
    const sessionRole = await this.dashboardSessionRole(req);
    if (sessionRole) return this.byRole(sessionRole, 'dashboard_session');
    return { allowed: false, status: 401, detail: 'Send Authorization: Bearer <owner API key>, or sign in to the dashboard as an owner' };
  }

  /**
   * The hook for the dashboard's cookie session: the role of the key signed in to the dashboard
   * (DashboardSessionService, the service behind DashboardSessionGuard), or null without a session.
   */
  async dashboardSessionRole(req: Request): Promise<Role | null> {
    const session = await this.sessions.read(req);
    return session?.role ?? null;
  }

  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      this.decide(req).then((decision) => {
        if (decision.allowed) return next();
        // A browser without credentials goes to the dashboard's sign-in page and comes back here.
        if (decision.status === 401 && req.method === 'GET' && !req.headers.authorization && req.accepts(['json', 'html']) === 'html') {
          return res.redirect(303, `${SIGN_IN_PATH}?next=${encodeURIComponent(req.originalUrl)}`);
        }
        const code = decision.status === 401 ? 'unauthorized' : 'forbidden';
        res.status(decision.status).type('application/problem+json').json(problemFor(code, decision.detail));
      }, next);
    };
  }

  private byRole(role: Role, via: 'api_key' | 'dashboard_session'): BoardDecision {
    return role === BOARD_ROLE ? { allowed: true, role, via } : { allowed: false, status: 403, detail: `The ${role} role may not open Bull Board: owners only` };
  }
}
