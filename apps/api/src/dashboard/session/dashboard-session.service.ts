import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey, AppConfig, findActiveApiKey, type Role } from '@app/billing';
import cookieParser from 'cookie-parser';
import type { Request, Response } from 'express';
import { csrfKey, csrfTokenFor, isCsrfToken } from './csrf-token.js';
import { deriveSessionSecret, signSession, verifySession } from './session-token.js';

export const SESSION_COOKIE = 'cb_dashboard_session';
/** A working day and some: staff sign in again each morning. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;
export const SIGN_IN_PATH = '/dashboard/sign-in';

/** Who is signed in to the dashboard (read from the cookie, then re-checked against the database). */
export interface DashboardSession {
  /** Names this sign-in (its cookie), e.g. to count its open event streams. */
  id: string;
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
 * Cookie sessions for the dashboard's staff pages (not Bull Board: that is the platform operator's,
 * behind ADMIN_TOKEN). The cookie is signed and holds the API key's id and an expiry, never the
 * key; `read` re-checks the key on every request, so revoking it ends its sessions at once.
 */
@Injectable()
export class DashboardSessionService {
  private readonly secret: Buffer;
  private readonly csrfSecret: Buffer;
  /** Production serves the dashboard over HTTPS only (behind its proxy): the cookie never travels in clear. */
  private readonly alwaysSecure: boolean;

  constructor(
    private readonly em: EntityManager,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.secret = deriveSessionSecret(config);
    this.csrfSecret = csrfKey(this.secret);
    this.alwaysSecure = config.NODE_ENV === 'production';
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
    // The cookie's MAC names this sign-in: two sign-ins with one key are two sessions.
    return { id: String(token).slice(String(token).lastIndexOf('.') + 1), keyId: key.id, keyName: key.name, keyPrefix: key.keyPrefix, clinicId: key.clinicId, role: key.role, expiresAt: new Date(claims.expiresAt * 1000) };
  }

  /** Is the session's key still usable (for long-lived responses such as the event stream)? */
  async stillValid(session: DashboardSession): Promise<boolean> {
    return (await this.em.fork().count(ApiKey, { id: session.keyId, revokedAt: null })) > 0 && session.expiresAt.getTime() > Date.now();
  }

  /** The session's CSRF token, for the hidden field of each form that posts from its pages. */
  csrfToken(session: DashboardSession): string {
    return csrfTokenFor(session.id, this.csrfSecret);
  }

  /** Is this the session's own CSRF token (from the form field or the X-CSRF-Token header)? */
  validCsrf(session: DashboardSession, token: unknown): boolean {
    return isCsrfToken(token, session.id, this.csrfSecret);
  }

  start(req: Request, res: Response, key: ApiKey): void {
    const expiresAt = Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS;
    res.cookie(SESSION_COOKIE, signSession({ keyId: key.id, expiresAt }, this.secret), { ...this.cookieOptions(req), maxAge: SESSION_TTL_SECONDS * 1000 });
  }

  end(req: Request, res: Response): void {
    res.clearCookie(SESSION_COOKIE, this.cookieOptions(req));
  }

  /** Path=/ for every dashboard page; Secure in production, and whenever the request came over HTTPS (TRUST_PROXY). */
  private cookieOptions(req: Request) {
    return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: this.alwaysSecure || req.secure };
  }
}

/** Parsed cookies, whether or not cookie-parser already ran for this route. */
function cookiesOf(req: Request): Record<string, unknown> {
  if (!req.cookies) parseCookies(req, {} as Response, () => undefined);
  return req.cookies ?? {};
}
