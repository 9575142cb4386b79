import { hkdfSync } from 'node:crypto';
import { deriveSessionSecret, DEVELOPMENT_SESSION_SECRET, signSession, verifySession } from './session-token.js';

describe('dashboard session token', () => {
  const secret = deriveSessionSecret({ SESSION_SECRET: 's'.repeat(32), NODE_ENV: 'test' });
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
    expect(verifySession(token, deriveSessionSecret({ SESSION_SECRET: 't'.repeat(32), NODE_ENV: 'test' }), now)).toBeNull();
    for (const bad of [undefined, '', 'v1', `v2.${keyId}.${expiresAt}.x`, `${token}.x`, 42]) expect(verifySession(bad, secret, now)).toBeNull();
  });

  it('derives from SESSION_SECRET, else (outside production) from the development value, never from ADMIN_TOKEN', () => {
    const derive = (source: string) => Buffer.from(hkdfSync('sha256', source, 'clinic-billing', 'dashboard-session-v1', 32));
    expect(secret.equals(derive('s'.repeat(32)))).toBe(true);
    expect(deriveSessionSecret({ SESSION_SECRET: undefined, NODE_ENV: 'development' }).equals(derive(DEVELOPMENT_SESSION_SECRET))).toBe(true);
    expect(deriveSessionSecret({ SESSION_SECRET: undefined, NODE_ENV: 'test' }).equals(derive(DEVELOPMENT_SESSION_SECRET))).toBe(true);
    expect(() => deriveSessionSecret({ SESSION_SECRET: undefined, NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    expect(() => deriveSessionSecret({ SESSION_SECRET: 'short', NODE_ENV: 'test' })).toThrow(/SESSION_SECRET/);
  });
});
