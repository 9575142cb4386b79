import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens of the dashboard's forms: HMAC-SHA256 of the session's id (its cookie's MAC) under a
 * key of their own derived from the session secret. Per session, stateless, and useless in
 * another session; a cross-site page can neither read it (same-origin policy) nor compute it.
 */
export function csrfKey(sessionSecret: Buffer): Buffer {
  return createHmac('sha256', sessionSecret).update('dashboard-csrf-v1').digest();
}

export function csrfTokenFor(sessionId: string, key: Buffer): string {
  return createHmac('sha256', key).update(sessionId).digest('base64url');
}

export function isCsrfToken(token: unknown, sessionId: string, key: Buffer): boolean {
  if (typeof token !== 'string' || token.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(sessionId, key));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
