import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type KeyRole, type TestClinic } from './helpers.js';
import { signIn } from './dashboard-helpers.js';

describe('Bull Board at /admin/queues: owners only', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    clinic = await createClinic(env);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('opens for an owner key: the page and its API, which lists the queues', async () => {
    const page = await env.http().get('/admin/queues').set(bearer(clinic.keys.owner));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await env.http().get('/admin/queues/api/queues').set(bearer(clinic.keys.owner)).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['commands', 'maintenance']);
  });

  it.each<KeyRole>(['billing', 'front_desk', 'online'])('refuses a %s key with 403', async (role) => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await env.http().get(path).set(bearer(clinic.keys[role]));
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('forbidden');
    }
  });

  it('refuses a request without a key, or with an unknown or revoked one, with 401', async () => {
    for (const headers of [{}, bearer('cbk_unknown'), { Authorization: 'Basic abc' }]) {
      const res = await env.http().get('/admin/queues/api/queues').set(headers);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    }
    const extra = await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: 'second owner', role: 'owner' }).expect(201);
    await env.http().get('/admin/queues/api/queues').set(bearer(extra.body.key)).expect(200);
    await env.http().delete(`/v1/api-keys/${extra.body.id}`).set(bearer(clinic.keys.owner)).expect(204);
    expect((await env.http().get('/admin/queues/api/queues').set(bearer(extra.body.key))).status).toBe(401);
  });

  it('sends a browser without credentials to the dashboard sign-in page', async () => {
    const res = await env.http().get('/admin/queues').set('Accept', 'text/html,application/xhtml+xml');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/dashboard/sign-in?next=%2Fadmin%2Fqueues');
  });

  it("opens for the dashboard's cookie session of an owner, and not of another role", async () => {
    const owner = await signIn(env, clinic.keys.owner);
    await env.http().get('/admin/queues/api/queues').set('Cookie', owner).expect(200);
    const desk = await signIn(env, clinic.keys.front_desk);
    const refused = await env.http().get('/admin/queues/api/queues').set('Cookie', desk);
    expect(refused.status).toBe(403);
    // A Bearer key decides over a session cookie.
    expect((await env.http().get('/admin/queues/api/queues').set('Cookie', owner).set(bearer(clinic.keys.billing))).status).toBe(403);
  });
});
