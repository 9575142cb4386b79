import { csrfKey, csrfTokenFor, isCsrfToken } from './csrf-token.js';

describe('dashboard CSRF token', () => {
  const key = csrfKey(Buffer.alloc(32, 7));

  it("accepts the session's own token only", () => {
    const token = csrfTokenFor('session-a', key);
    expect(isCsrfToken(token, 'session-a', key)).toBe(true);
    expect(isCsrfToken(token, 'session-b', key)).toBe(false);
    expect(isCsrfToken(csrfTokenFor('session-a', csrfKey(Buffer.alloc(32, 8))), 'session-a', key)).toBe(false);
    for (const bad of [undefined, '', token.slice(1), `${token}x`, 42, ['x']]) expect(isCsrfToken(bad, 'session-a', key)).toBe(false);
  });

  it('is not the session secret nor the session id', () => {
    const token = csrfTokenFor('session-a', key);
    expect(token).not.toContain('session-a');
    expect(key.equals(Buffer.alloc(32, 7))).toBe(false);
  });
});
