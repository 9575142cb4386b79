import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The dashboard session cookie: `v1.<api key id>.<expiry, epoch seconds>.<HMAC-SHA256>`.
 * It names the key by its id only (never the key itself) and proves nothing on its own: every
 * request still checks that the key exists, is not revoked and has an allowed role.
 */
export interface SessionClaims {
  keyId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

const VERSION = 'v1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Development and tests only: the session secret when SESSION_SECRET is unset. It is public (it is
 * in the source), so loadConfig refuses NODE_ENV=production without a SESSION_SECRET of its own.
 */
export const DEVELOPMENT_SESSION_SECRET = 'local-dashboard-session-secret-development-only';

/**
 * The signing key: HKDF-SHA256 of SESSION_SECRET (of the fixed development value when unset outside
 * production), under a label of its own so it never equals the secret itself. It never derives
 * from ADMIN_TOKEN: the platform operator's token is not a clinic's session secret.
 */
export function deriveSessionSecret(config: { SESSION_SECRET?: string; NODE_ENV: string }): Buffer {
  const secret = config.SESSION_SECRET;
  if (!secret && config.NODE_ENV === 'production') throw new Error('SESSION_SECRET is not set');
  if (secret && secret.length < 32) throw new Error('SESSION_SECRET must be at least 32 characters');
  return Buffer.from(hkdfSync('sha256', secret || DEVELOPMENT_SESSION_SECRET, 'clinic-billing', 'dashboard-session-v1', 32));
}

export function signSession(claims: SessionClaims, secret: Buffer): string {
  const payload = `${VERSION}.${claims.keyId}.${claims.expiresAt}`;
  return `${payload}.${mac(payload, secret)}`;
}

/** The claims of a well-formed, authentic, unexpired token; null for anything else. */
export function verifySession(token: unknown, secret: Buffer, nowMs = Date.now()): SessionClaims | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [version, keyId, expiry, signature] = parts;
  if (version !== VERSION || !UUID.test(keyId) || !/^\d{1,12}$/.test(expiry)) return null;
  const expected = Buffer.from(mac(`${version}.${keyId}.${expiry}`, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const expiresAt = Number(expiry);
  if (expiresAt * 1000 <= nowMs) return null;
  return { keyId, expiresAt };
}

function mac(payload: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
