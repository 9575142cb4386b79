import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { hashApiKey } from '@app/billing';
import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';

const LIMIT = 5;
const randomKey = () => `cbk_${randomBytes(32).toString('base64url')}`;

describe('failed authentication is limited per client address', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let address = 0;
  /** A client address of its own per test (the proxy on loopback is trusted to name it). */
  const nextAddress = () => `203.0.113.${++address}`;

  beforeAll(async () => {
    env = await startTestEnv({
      worker: false,
      // RATE_LIMIT_PER_MINUTE=0 turns the rate limit off, not this one.
      env: { AUTH_FAILURES_PER_MINUTE: String(LIMIT), RATE_LIMIT_PER_MINUTE: '0', TRUST_PROXY: 'loopback' },
    });
    clinic = await createClinic(env);
  });
  afterAll(async () => {
    await env?.close();
  });

  it(`answers 401 to ${LIMIT} unknown keys, then 429 rate_limited with Retry-After, whatever key the address sends`, async () => {
    const from = nextAddress();
    const get = (key?: string) => {
      const req = env.http().get('/v1/clinic').set('X-Forwarded-For', from);
      return key === undefined ? req : req.set(bearer(key));
    };
    for (let i = 0; i < LIMIT; i++) {
      const res = await get(randomKey());
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    }
    const limited = await get(randomKey());
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited', detail: expect.stringContaining('failed authentications') });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    // Refused before any lookup: a valid key, or none, from that address is refused too.
    expect((await get(clinic.keys.owner)).status).toBe(429);
    expect((await get()).status).toBe(429);
    // Other addresses are not held back by it.
    await env.http().get('/v1/clinic').set('X-Forwarded-For', nextAddress()).set(bearer(clinic.keys.owner)).expect(200);

    // Counted in Redis under the deployment's QUEUE_PREFIX (shared by API processes, deleted with its keys).
    const redis = new Redis(env.config.REDIS_URL);
    try {
      const key = `${env.config.QUEUE_PREFIX}:limits:auth-failures:${from}`;
      expect(Number(await redis.get(key))).toBe(LIMIT + 1);
      const ttl = await redis.pttl(key);
      expect(ttl > 0 && ttl <= 60_000).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it('counts ADMIN_TOKEN guesses (POST /v1/clinics): the real token is refused once the address is over the limit', async () => {
    const from = nextAddress();
    const create = (token: string) =>
      env.http().post('/v1/clinics').set('X-Forwarded-For', from).set(bearer(token)).send({ name: 'Guess', currency: 'CAD', timezone: 'America/Toronto' });
    for (let i = 0; i < LIMIT; i++) expect((await create(`${ADMIN_TOKEN}-${i}`)).status).toBe(401);
    expect((await create('wrong')).status).toBe(429);
    const refused = await create(ADMIN_TOKEN);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
  });

  it('counts wrong tokens at /admin/queues (Bull Board): past the limit even the ADMIN_TOKEN gets 429 there', async () => {
    const from = nextAddress();
    const board = (token: string) => env.http().get('/admin/queues/api/queues').set('X-Forwarded-For', from).set(bearer(token));
    await board(ADMIN_TOKEN).expect(200);
    for (let i = 0; i < LIMIT; i++) expect((await board(randomKey())).status).toBe(401);
    const limited = await board(randomKey());
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await board(ADMIN_TOKEN)).status).toBe(429);
    // The same address is refused by the API too: one count per address.
    expect((await env.http().get('/v1/clinic').set('X-Forwarded-For', from).set(bearer(clinic.keys.owner))).status).toBe(429);
  });

  it('does not count requests that send no credentials (they are not guesses)', async () => {
    const from = nextAddress();
    for (let i = 0; i < LIMIT * 2; i++) await env.http().get('/v1/clinic').set('X-Forwarded-For', from).expect(401);
    await env.http().get('/v1/clinic').set('X-Forwarded-For', from).set(bearer(clinic.keys.owner)).expect(200);
  });

  it('counts failed dashboard sign-ins with the API keys: the sign-in page answers 429 with Retry-After', async () => {
    const from = nextAddress();
    const signIn = (apiKey: string) =>
      env.http().post('/dashboard/sign-in').set({ Origin: env.baseUrl, 'X-Forwarded-For': from }).type('form').send({ apiKey });
    // Two API failures and three sign-in failures make five.
    for (let i = 0; i < 2; i++) await env.http().get('/v1/clinic').set('X-Forwarded-For', from).set(bearer(randomKey())).expect(401);
    for (let i = 0; i < LIMIT - 2; i++) expect((await signIn(randomKey())).status).toBe(401);
    const limited = await signIn(randomKey());
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/text\/html/);
    expect(limited.text).toContain('Too many failed sign-ins');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A staff key that would sign in gets no session from that address.
    const refused = await signIn(clinic.keys.owner);
    expect(refused.status).toBe(429);
    expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('remembers an unknown key as a miss for a few seconds (no query each time), then sees a key that exists', async () => {
    const from = nextAddress();
    const get = (key: string) => env.http().get('/v1/clinic').set('X-Forwarded-For', from).set(bearer(key));
    const unknown = randomKey();
    const missedAt = Date.now();
    expect((await get(unknown)).status).toBe(401);
    // Give an existing key that raw value behind the API's back: the cached miss still answers.
    const created = await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: 'late', role: 'billing' }).expect(201);
    await env.db.query('update api_key set key_hash = $1 where id = $2', [hashApiKey(unknown), created.body.id]);
    expect((await get(unknown)).status).toBe(401);
    expect(Date.now() - missedAt).toBeLessThan(5_000); // else the miss had expired: the check above proved nothing
    // Briefly: a few seconds later the key is looked up again.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await get(unknown).expect(200);
  });
});
