import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';

describe('limits and headers: rate limit, body size, helmet, CORS', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  beforeAll(async () => {
    env = await startTestEnv({
      worker: false,
      env: { RATE_LIMIT_PER_MINUTE: '5', CORS_ORIGINS: 'https://desk.example.com, https://book.example.com/' },
    });
    clinic = await createClinic(env); // one ADMIN_TOKEN request (by IP) and three with the owner key
  });
  afterAll(async () => {
    await env?.close();
  });

  it('answers the request over the per-key limit with a 429 rate_limited problem and Retry-After', async () => {
    const asDesk = () => env.http().get('/v1/clinic').set(bearer(clinic.keys.front_desk));
    for (let i = 1; i <= 5; i++) {
      const ok = await asDesk().expect(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('5');
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(5 - i));
    }
    const limited = await asDesk().expect(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited', type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(limited.body.retryAfter).toBeUndefined();
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    // Per key: another key of the same clinic is not held back by it.
    await env.http().get('/v1/clinic').set(bearer(clinic.keys.billing)).expect(200);
  });

  it('counts requests without an API key by client IP (the platform operator creating clinics)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await env.http().post('/v1/clinics').set(bearer(ADMIN_TOKEN)).send({ name: `Clinic ${i}`, currency: 'CAD', timezone: 'America/Toronto' });
      statuses.push(res.status);
    }
    // One clinic was created in beforeAll: four more fit in the minute.
    expect(statuses).toEqual([201, 201, 201, 201, 429]);
  });

  it('does not limit health checks and metrics scrapes', async () => {
    for (let i = 0; i < 8; i++) await env.http().get('/health/live').expect(200);
    for (let i = 0; i < 8; i++) await env.http().get('/metrics').expect(200);
  });

  it('refuses a body over 1 MiB with 413 payload_too_large, before any other work', async () => {
    const body = JSON.stringify({ firstName: 'A', lastName: 'B', notes: 'x'.repeat(1024 * 1024) });
    const res = await env.http().post('/v1/patients').set(bearer(clinic.keys.billing)).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    // Just under the limit is parsed (and then refused for its unknown field, with 400, not 413).
    const under = JSON.stringify({ firstName: 'A', lastName: 'B', notes: 'x'.repeat(1024 * 1024 - 100) });
    const ok = await env.http().post('/v1/patients').set(bearer(clinic.keys.billing)).set('Content-Type', 'application/json').send(under);
    expect(ok.status).toBe(400);
    expect(ok.body.code).toBe('validation_failed');
  });

  it('sends helmet security headers (and no X-Powered-By)', async () => {
    const res = await env.http().get('/health/live').expect(200);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      'content-security-policy': expect.stringContaining("default-src 'self'"),
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    // The HTML pages bring their own scripts and set their own CSP (not helmet's), the other headers still.
    const docs = await env.http().get('/docs').redirects(1).expect(200);
    expect(docs.headers['content-security-policy']).toEqual(expect.stringContaining("script-src 'self'"));
    expect(docs.headers['content-security-policy']).not.toBe(res.headers['content-security-policy']);
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a CORS preflight for an allowed origin, and not for another', async () => {
    const preflight = (origin: string) =>
      env
        .http()
        .options('/v1/redemptions')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key,prefer');
    const allowed = await preflight('https://desk.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://desk.example.com');
    expect(allowed.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(allowed.headers['access-control-allow-headers'].toLowerCase()).toEqual(expect.stringContaining('idempotency-key'));
    expect((await preflight('https://book.example.com')).headers['access-control-allow-origin']).toBe('https://book.example.com');
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();

    const actual = await env.http().get('/health/live').set('Origin', 'https://desk.example.com').expect(200);
    expect(actual.headers['access-control-allow-origin']).toBe('https://desk.example.com');
    expect(actual.headers['access-control-expose-headers']).toMatch(/Location/);
  });
});
