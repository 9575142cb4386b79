import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type KeyRole, type TestClinic } from './helpers.js';
import { signIn } from './dashboard-helpers.js';

// Bull Board holds every clinic's jobs: it is the platform operator's (ADMIN_TOKEN), not a clinic owner's.
describe('Bull Board at /admin/queues: the platform operator only', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    clinic = await createClinic(env);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('opens for Authorization: Bearer <ADMIN_TOKEN>: the page and its API, which lists the queues', async () => {
    const page = await env.http().get('/admin/queues').set(bearer(ADMIN_TOKEN));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await env.http().get('/admin/queues/api/queues').set(bearer(ADMIN_TOKEN)).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['commands', 'maintenance']);
  });

  it.each<KeyRole>(['owner', 'billing', 'front_desk', 'online'])("refuses a clinic's %s key with 403", async (role) => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await env.http().get(path).set(bearer(clinic.keys[role]));
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('forbidden');
    }
  });

  it('refuses a request without a token, or with an unknown token or a revoked key, with 401', async () => {
    for (const headers of [{}, bearer('cbk_unknown'), bearer(`${ADMIN_TOKEN}x`), bearer(ADMIN_TOKEN.slice(0, -1)), { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` }]) {
      const res = await env.http().get('/admin/queues/api/queues').set(headers);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    const extra = await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: 'second owner', role: 'owner' }).expect(201);
    expect((await env.http().get('/admin/queues/api/queues').set(bearer(extra.body.key))).status).toBe(403);
    await env.http().delete(`/v1/api-keys/${extra.body.id}`).set(bearer(clinic.keys.owner)).expect(204);
    expect((await env.http().get('/admin/queues/api/queues').set(bearer(extra.body.key))).status).toBe(401);
  });

  it('answers a browser without credentials 401 (no detour through the dashboard sign-in, whose sessions cannot open it)', async () => {
    const res = await env.http().get('/admin/queues').set('Accept', 'text/html,application/xhtml+xml');
    expect(res.status).toBe(401);
    expect(res.headers.location).toBeUndefined();
  });

  it("refuses the dashboard's cookie session of any role, owner included, with 403", async () => {
    for (const role of ['owner', 'front_desk'] as const) {
      const cookie = await signIn(env, clinic.keys[role]);
      const refused = await env.http().get('/admin/queues/api/queues').set('Cookie', cookie);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('forbidden');
    }
    // The ADMIN_TOKEN decides, whatever cookie comes with it.
    const owner = await signIn(env, clinic.keys.owner);
    await env.http().get('/admin/queues/api/queues').set('Cookie', owner).set(bearer(ADMIN_TOKEN)).expect(200);
  });

  it('sends a Content-Security-Policy that allows only its own scripts, styles and API calls', async () => {
    const page = await env.http().get('/admin/queues').set(bearer(ADMIN_TOKEN)).expect(200);
    const csp = String(page.headers['content-security-policy']);
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['style-src']).toContain("'self'");
    // What the page loads comes from its own origin (the fonts stylesheet is the one outside, and is blocked).
    const scripts = [...page.text.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(page.text).not.toMatch(/<script(?![^>]*\ssrc=)(?![^>]*type="application\/json")[^>]*>/); // no inline script to allow
    const styles = [...page.text.matchAll(/<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"|<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    for (const url of [...scripts, ...styles.filter((u) => !u.startsWith('https://fonts.googleapis.com/'))]) {
      expect(url).not.toMatch(/^(https?:)?\/\//);
      const asset = await env.http().get(`/admin/queues/${url.replace(/^\.?\//, '')}`).set(bearer(ADMIN_TOKEN));
      expect(asset.status).toBe(200);
    }
    // Refusals and the API carry it too.
    expect((await env.http().get('/admin/queues/api/queues')).headers['content-security-policy']).toBe(csp);
  });
});
