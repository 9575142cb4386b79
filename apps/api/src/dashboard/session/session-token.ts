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
 * The signing key: HKDF-SHA256 of SESSION_SECRET when set, else of ADMIN_TOKEN (so rotating the
 * admin token also ends every session), under a label of its own so it never equals either.
 */
export function deriveSessionSecret(adminToken: string, sessionSecret?: string): Buffer {
  const source = sessionSecret?.length ? sessionSecret : adminToken;
  if (sessionSecret?.length && sessionSecret.length < 32) throw new Error('SESSION_SECRET must be at least 32 characters');
  return Buffer.from(hkdfSync('sha256', source, 'clinic-billing', 'dashboard-session-v1', 32));
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
