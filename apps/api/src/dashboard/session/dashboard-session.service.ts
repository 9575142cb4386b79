import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey, AppConfig, findActiveApiKey, type Role } from '@app/billing';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { deriveSessionSecret, signSession, verifySession } from './session-token.js';

export const SESSION_COOKIE = 'cb_dashboard_session';
/** A working day and some: staff sign in again each morning. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;
export const SIGN_IN_PATH = '/dashboard/sign-in';

/** Who is signed in to the dashboard (read from the cookie, then re-checked against the database). */
export interface DashboardSession {
  keyId: string;
  keyName: string;
  keyPrefix: string;
  clinicId: string;
  role: Role;
  expiresAt: Date;
}

export type SessionRequest = Request & { dashboardSession?: DashboardSession };

const parseCookies = cookieParser();

/**
 * Cookie sessions for the staff web pages (the dashboard, and later Bull Board). The cookie is
 * signed and holds the API key's id and an expiry, never the key; `read` re-checks the key on
 * every request, so revoking it ends its sessions at once.
 */
@Injectable()
export class DashboardSessionService {
  private readonly secret: Buffer;

  constructor(
    private readonly em: EntityManager,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.secret = deriveSessionSecret(config.ADMIN_TOKEN, process.env.SESSION_SECRET);
  }

  /** The active (not revoked) API key for a key typed in at sign-in, whatever its role. */
  async findActiveKey(rawKey: string): Promise<ApiKey | null> {
    if (!rawKey || rawKey.length > 512) return null;
    return findActiveApiKey(this.em, rawKey);
  }

  /** The request's session, or null when there is none, it is forged or expired, or its key is revoked. */
  async read(req: Request): Promise<DashboardSession | null> {
    const token = cookiesOf(req)[SESSION_COOKIE];
    const claims = verifySession(token, this.secret);
    if (!claims) return null;
    const key = await this.em.fork().findOne(ApiKey, { id: claims.keyId, revokedAt: null });
    if (!key) return null;
    return { keyId: key.id, keyName: key.name, keyPrefix: key.keyPrefix, clinicId: key.clinicId, role: key.role, expiresAt: new Date(claims.expiresAt * 1000) };
  }

  /** Is the session's key still usable (for long-lived responses such as the event stream)? */
  async stillValid(session: DashboardSession): Promise<boolean> {
    return (await this.em.fork().count(ApiKey, { id: session.keyId, revokedAt: null })) > 0 && session.expiresAt.getTime() > Date.now();
  }

  start(req: Request, res: Response, key: ApiKey): void {
    const expiresAt = Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS;
    res.cookie(SESSION_COOKIE, signSession({ keyId: key.id, expiresAt }, this.secret), { ...cookieOptions(req), maxAge: SESSION_TTL_SECONDS * 1000 });
  }

  end(req: Request, res: Response): void {
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
  }

  /**
   * The same check as DashboardSessionGuard, as an express middleware for pages mounted outside
   * Nest's router (Bull Board at /admin/queues: `middleware(['owner'])`). A browser without a
   * session is sent to the sign-in page and comes back after it.
   */
  middleware(roles: readonly Role[]): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      this.read(req).then((session) => {
        if (!session) {
          if (req.method === 'GET') res.redirect(303, `${SIGN_IN_PATH}?next=${encodeURIComponent(req.originalUrl)}`);
          else res.status(401).type('text/plain').send('Sign in to the dashboard first');
          return;
        }
        if (!roles.includes(session.role)) {
          res.status(403).type('text/plain').send(`The ${session.role} role may not open this page`);
          return;
        }
        (req as SessionRequest).dashboardSession = session;
        next();
      }, next);
    };
  }
}

/** Parsed cookies, whether or not cookie-parser already ran for this route. */
function cookiesOf(req: Request): Record<string, unknown> {
  if (!req.cookies) parseCookies(req, {} as Response, () => undefined);
  return req.cookies ?? {};
}

/** Path=/ so the session also covers /admin/queues; Secure whenever the request came over HTTPS. */
function cookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: req.secure };
}
