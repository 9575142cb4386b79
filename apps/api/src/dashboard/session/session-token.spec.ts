import { deriveSessionSecret, signSession, verifySession } from './session-token.js';

describe('dashboard session token', () => {
  const secret = deriveSessionSecret('an-admin-token-of-some-length');
  const keyId = '0199a3b4-1c2d-7e3f-8a9b-0c1d2e3f4a5b';
  const now = Date.UTC(2026, 10, 24, 12);
  const expiresAt = now / 1000 + 3600;

  it('round-trips the key id and expiry, and holds nothing else', () => {
    const token = signSession({ keyId, expiresAt }, secret);
    expect(token.startsWith(`v1.${keyId}.${expiresAt}.`)).toBe(true);
    expect(verifySession(token, secret, now)).toEqual({ keyId, expiresAt });
  });

  it('refuses an expired, tampered, foreign or malformed token', () => {
    const token = signSession({ keyId, expiresAt }, secret);
    expect(verifySession(token, secret, (expiresAt + 1) * 1000)).toBeNull();
    expect(verifySession(token.replace(`.${expiresAt}.`, `.${expiresAt + 99999}.`), secret, now)).toBeNull();
    expect(verifySession(token.replace(keyId, keyId.replace('0199', '0200')), secret, now)).toBeNull();
    expect(verifySession(token, deriveSessionSecret('another-admin-token-here'), now)).toBeNull();
    for (const bad of [undefined, '', 'v1', `v2.${keyId}.${expiresAt}.x`, `${token}.x`, 42]) expect(verifySession(bad, secret, now)).toBeNull();
  });

  it('derives different secrets from SESSION_SECRET and ADMIN_TOKEN, and wants a long SESSION_SECRET', () => {
    const dedicated = deriveSessionSecret('an-admin-token-of-some-length', 'x'.repeat(32));
    expect(dedicated.equals(secret)).toBe(false);
    expect(() => deriveSessionSecret('an-admin-token-of-some-length', 'short')).toThrow(/SESSION_SECRET/);
  });
});
