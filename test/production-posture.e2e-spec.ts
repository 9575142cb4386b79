// Production posture (api-v1.md): the session secret, the Secure cookie, TRUST_PROXY, and the quotas
// (50 active API keys per clinic, 5 live event streams per dashboard session, a patient's purchases
// without a query per purchase).
import { hkdfSync } from 'node:crypto';
import { signSession } from '../apps/api/src/dashboard/session/session-token.js';
import { DEVELOPMENT_SESSION_SECRET } from '../apps/api/src/dashboard/session/session-token.js';
import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { openEventStream, postSignIn, sessionCookie, signIn } from './dashboard-helpers.js';
import { Fixtures } from './fixtures.js';

const SESSION_SECRET = 'a-session-secret-of-this-deployment-0123456789';
const signingKey = (source: string) => Buffer.from(hkdfSync('sha256', source, 'clinic-billing', 'dashboard-session-v1', 32));
const cookieFor = (keyId: string, source: string) => `cb_dashboard_session=${signSession({ keyId, expiresAt: Math.floor(Date.now() / 1000) + 3600 }, signingKey(source))}`;
const setCookieLine = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('cb_dashboard_session=')) ?? '';
const newClinic = (env: TestEnv, token: string, headers: Record<string, string> = {}) =>
  env.http().post('/v1/clinics').set(bearer(token)).set(headers).send({ name: 'Proxy Clinic', currency: 'CAD', timezone: 'America/Toronto' });

describe('dashboard session secret, cookie and client address (TRUST_PROXY unset)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let ownerKeyId: string;
  beforeAll(async () => {
    env = await startTestEnv({ worker: false, env: { SESSION_SECRET, RATE_LIMIT_PER_MINUTE: '100' } });
    clinic = await createClinic(env);
    const keys = await env.http().get('/v1/api-keys').set(bearer(clinic.keys.owner)).expect(200);
    ownerKeyId = keys.body.data.find((k: { role: string }) => k.role === 'owner').id;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('signs sessions with SESSION_SECRET, never with ADMIN_TOKEN or the development value', async () => {
    await env.http().get('/dashboard').set('Cookie', cookieFor(ownerKeyId, SESSION_SECRET)).expect(200);
    for (const source of [ADMIN_TOKEN, DEVELOPMENT_SESSION_SECRET]) {
      const res = await env.http().get('/dashboard').set('Cookie', cookieFor(ownerKeyId, source));
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/dashboard\/sign-in/);
    }
  });

  it('ignores X-Forwarded-Proto from an untrusted proxy: no Secure cookie outside production over HTTP', async () => {
    const res = await postSignIn(env, clinic.keys.owner, { Origin: env.baseUrl, 'X-Forwarded-Proto': 'https' }).expect(303);
    const line = setCookieLine(res);
    expect(line).toMatch(/HttpOnly/i);
    expect(line).not.toMatch(/;\s*Secure/i);
  });

  it('counts every request from the loopback proxy as one client: X-Forwarded-For is not believed', async () => {
    const remaining: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const res = await newClinic(env, ADMIN_TOKEN, { 'X-Forwarded-For': `203.0.113.${i}` }).expect(201);
      remaining.push(Number(res.headers['x-ratelimit-remaining']));
    }
    // One budget (the socket's address) for all three "clients".
    expect(remaining[1]).toBe(remaining[0] - 1);
    expect(remaining[2]).toBe(remaining[0] - 2);
  });
});

describe('TRUST_PROXY=loopback: the client address and HTTPS come from the proxy', () => {
  let env: TestEnv;
  let ownerKey: string;
  beforeAll(async () => {
    env = await startTestEnv({ worker: false, env: { TRUST_PROXY: 'loopback', RATE_LIMIT_PER_MINUTE: '2' } });
    ownerKey = (await newClinic(env, ADMIN_TOKEN).expect(201)).body.ownerKey;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('limits requests without a key per forwarded client address', async () => {
    const from = (address: string) => newClinic(env, ADMIN_TOKEN, { 'X-Forwarded-For': address });
    expect((await from('198.51.100.7')).status).toBe(201);
    expect((await from('198.51.100.7')).status).toBe(201);
    const limited = await from('198.51.100.7');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    // Another client behind the same proxy has its own budget.
    const other = await from('198.51.100.8');
    expect(other.status).toBe(201);
    expect(other.headers['x-ratelimit-remaining']).toBe('1');
  });

  it('sets a Secure cookie when the proxy says the request came over HTTPS', async () => {
    const https = `https://${new URL(env.baseUrl).host}`;
    const res = await postSignIn(env, ownerKey, { Origin: https, 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.20' }).expect(303);
    expect(setCookieLine(res)).toMatch(/;\s*Secure/i);
  });
});

describe('NODE_ENV=production: the dashboard cookie is always Secure', () => {
  const PROD_ADMIN_TOKEN = 'a-production-admin-token-0123456789abcdef';
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({
      worker: false,
      env: { NODE_ENV: 'production', ADMIN_TOKEN: PROD_ADMIN_TOKEN, SESSION_SECRET, METRICS_TOKEN: 'a-metrics-token-0123456789' },
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('marks the session cookie Secure (and HttpOnly, SameSite=Strict), and the cookie works', async () => {
    const created = await newClinic(env, PROD_ADMIN_TOKEN).expect(201);
    const res = await postSignIn(env, created.body.ownerKey).expect(303);
    const line = setCookieLine(res);
    expect(line).toMatch(/;\s*Secure/i);
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Strict/i);
    await env.http().get('/dashboard').set('Cookie', sessionCookie(res.headers['set-cookie'])).expect(200);
  });
});

describe('quotas', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('allows at most 50 active API keys per clinic, also under concurrent creation (409 api_key_limit)', async () => {
    const active = async () => (await env.db.query(`select count(*)::int as n from api_key where clinic_id = $1 and revoked_at is null`, [clinic.id])).rows[0].n as number;
    expect(await active()).toBe(4);
    for (let i = 0; i < 40; i++) await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: `desk ${i}`, role: 'front_desk' }).expect(201);
    // 6 slots left, 12 asking at once: the count is taken under the clinic's lock.
    const raced = await Promise.all(Array.from({ length: 12 }, (_, i) => env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: `race ${i}`, role: 'billing' })));
    expect(raced.map((r) => r.status).sort()).toEqual([...Array(6).fill(201), ...Array(6).fill(409)]);
    expect(await active()).toBe(50);
    const refused = raced.find((r) => r.status === 409)!;
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 409, code: 'api_key_limit' });
    // A revoked key frees its slot.
    const victim = raced.find((r) => r.status === 201)!.body.id;
    await env.http().delete(`/v1/api-keys/${victim}`).set(bearer(clinic.keys.owner)).expect(204);
    await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: 'after revoke', role: 'billing' }).expect(201);
    expect((await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: 'one too many', role: 'billing' })).status).toBe(409);
    expect(await active()).toBe(50);
  });

  it('allows at most 5 live event streams per dashboard session; a closed one frees its slot', async () => {
    const cookie = await signIn(env, clinic.keys.owner);
    const streams = [];
    try {
      for (let i = 0; i < 5; i++) {
        const stream = await openEventStream(env, cookie);
        streams.push(stream);
        expect(stream.status).toBe(200);
      }
      const sixth = await fetch(`${env.baseUrl}/dashboard/events`, { headers: { cookie, accept: 'text/event-stream' } });
      expect(sixth.status).toBe(429);
      expect(sixth.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await sixth.json()).toMatchObject({ status: 429, code: 'too_many_streams' });

      // Another session has its own five.
      const other = await openEventStream(env, await signIn(env, clinic.keys.billing));
      streams.push(other);
      expect(other.status).toBe(200);

      await streams.shift()!.close();
      let again: Awaited<ReturnType<typeof openEventStream>> | undefined;
      for (let attempt = 0; attempt < 40 && again?.status !== 200; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        again = await openEventStream(env, cookie);
        if (again.status !== 200) await again.close();
      }
      streams.push(again!);
      expect(again!.status).toBe(200);
    } finally {
      await Promise.all(streams.map((s) => s.close()));
    }
  });

  it("lists a patient's purchases in a fixed number of queries, whatever their number, with the same details as one by one", async () => {
    const service = await f.service('Physio 45', 9000);
    const pack = await f.packagePlan(service.id, 5, 40000);
    const membership = await f.membershipPlan(service.id, 2, 7000);
    const one = await f.patient('Una', 'Single');
    await f.purchase(one.id, pack.id);
    const many = await f.patient('Max', 'Many');
    for (let i = 0; i < 20; i++) {
      if (i % 5 === 0) await f.paidPurchase(many.id, pack.id);
      else await f.purchase(many.id, i % 2 ? membership.id : pack.id);
    }

    const queries = await countApiQueries(env);
    const list = async (patientId: string) => {
      queries.reset();
      const res = await env.http().get(`/v1/patients/${patientId}/purchases?limit=50`).set(bearer(clinic.keys.owner)).expect(200);
      return { body: res.body, queries: queries.count() };
    };
    await list(one.id); // warms the key cache
    const small = await list(one.id);
    const large = await list(many.id);
    queries.stop();
    expect(small.body.data).toHaveLength(1);
    expect(large.body.data).toHaveLength(20);
    expect(large.queries).toBe(small.queries);
    expect(large.queries).toBeLessThanOrEqual(8);

    // Batched, each purchase still gets its own invoices and history.
    for (const item of large.body.data) expect(item).toEqual(await f.get(`/v1/purchases/${item.id}`));
    expect(large.body.data.map((p: { id: string }) => p.id)).toEqual([...large.body.data.map((p: { id: string }) => p.id)].sort().reverse());
  });
});

/**
 * Counts the statements the API's ORM sends to Postgres (on every connection of its pool), from
 * the moment of reset(). The API and the test share this process; the worker is not running.
 */
async function countApiQueries(env: TestEnv) {
  const { EntityManager } = await import('@mikro-orm/postgresql');
  const pool = (await env.api.get(EntityManager).getConnection().getNativeClient()) as unknown as {
    on(event: 'acquire', listener: (client: { query: (...args: unknown[]) => unknown }) => void): void;
    off(event: 'acquire', listener: (client: { query: (...args: unknown[]) => unknown }) => void): void;
  };
  let count = 0;
  let counting = true;
  const wrapped = new WeakSet<object>();
  const onAcquire = (client: { query: (...args: unknown[]) => unknown }) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query;
    client.query = (...args: unknown[]) => {
      if (counting) count += 1;
      return query.apply(client, args);
    };
  };
  pool.on('acquire', onAcquire);
  return {
    reset: () => {
      count = 0;
    },
    count: () => count,
    stop: () => {
      counting = false;
      pool.off('acquire', onAcquire);
    },
  };
}
