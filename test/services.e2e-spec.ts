import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';

describe('services (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let other: TestClinic;

  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    [clinic, other] = await Promise.all([createClinic(env), createClinic(env, { name: 'Other' })]);
  });
  afterAll(async () => {
    await env?.close();
  });

  const as = (role: keyof TestClinic['keys'], c = clinic) => bearer(c.keys[role]);

  it('POST creates a service (owner and billing)', async () => {
    const a = await env.http().post('/v1/services').set(as('owner')).send({ name: 'Massage 60', price: 12000, durationMinutes: 60 });
    expect(a.status).toBe(201);
    expect(a.body).toEqual({ id: expect.any(String), name: 'Massage 60', price: 12000, durationMinutes: 60, taxCodes: [], createdAt: expect.any(String) });
    const b = await env.http().post('/v1/services').set(as('billing')).send({ name: 'Consult', price: 0 });
    expect(b.status).toBe(201);
    expect(b.body.durationMinutes).toBeNull();
    expect(b.body.price).toBe(0);
    const { rows } = await env.db.query('select price from service where id = $1', [a.body.id]);
    expect(Number(rows[0].price)).toBe(12000);
  });

  it('front_desk and online may not create; 401 without a key', async () => {
    expect((await env.http().post('/v1/services').set(as('front_desk')).send({ name: 'x', price: 1 })).status).toBe(403);
    expect((await env.http().post('/v1/services').set(as('online')).send({ name: 'x', price: 1 })).status).toBe(403);
    expect((await env.http().post('/v1/services').send({ name: 'x', price: 1 })).status).toBe(401);
  });

  it.each([
    [{ name: 'x', price: 10.5 }, 'price'],
    [{ name: 'x', price: -1 }, 'price'],
    [{ name: 'x', price: '100' }, 'price'],
    [{ name: 'x', price: 100_000_001 }, 'price'],
    [{ name: 'x' }, 'price'],
    [{ price: 100 }, 'name'],
    [{ name: 'x', price: 1, durationMinutes: 0 }, 'durationMinutes'],
    [{ name: 'x', price: 1, durationMinutes: 1441 }, 'durationMinutes'],
    [{ name: 'x', price: 1, durationMinutes: 30.5 }, 'durationMinutes'],
    [{ name: 'x', price: 1, tax: 5 }, 'tax'],
  ])('400 on %j', async (body, field) => {
    const res = await env.http().post('/v1/services').set(as('owner')).send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('400 malformed JSON, never 500', async () => {
    const res = await env.http().post('/v1/services').set(as('owner')).set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('malformed_json');
  });

  it('GET lists the clinic services newest first with pagination (staff roles)', async () => {
    for (let i = 0; i < 3; i++) await env.http().post('/v1/services').set(as('owner')).send({ name: `S${i}`, price: 100 * i }).expect(201);
    await env.http().post('/v1/services').set(as('owner', other)).send({ name: 'Theirs', price: 1 }).expect(201);
    for (const role of ['owner', 'billing', 'front_desk'] as const) {
      const res = await env.http().get('/v1/services').set(as(role));
      expect(res.status).toBe(200);
      expect(res.body.data.map((s: { name: string }) => s.name)).toEqual(['S2', 'S1', 'S0', 'Consult', 'Massage 60']);
      expect(res.body.nextCursor).toBeNull();
    }
    const p1 = await env.http().get('/v1/services?limit=3').set(as('owner'));
    expect(p1.body.data.map((s: { name: string }) => s.name)).toEqual(['S2', 'S1', 'S0']);
    const p2 = await env.http().get(`/v1/services?limit=3&cursor=${p1.body.nextCursor}`).set(as('owner'));
    expect(p2.body.data.map((s: { name: string }) => s.name)).toEqual(['Consult', 'Massage 60']);
    expect(p2.body.nextCursor).toBeNull();
    expect((await env.http().get('/v1/services').set(as('online'))).status).toBe(403);
    expect((await env.http().get('/v1/services?limit=1.5').set(as('owner'))).status).toBe(400);
    expect((await env.http().get('/v1/services?sort=name').set(as('owner'))).status).toBe(400);
  });

  it('GET /:id; another clinic service is 404 exactly like a missing one', async () => {
    const mine = await env.http().post('/v1/services').set(as('owner')).send({ name: 'Mine', price: 5 });
    const theirs = await env.http().post('/v1/services').set(as('owner', other)).send({ name: 'Theirs', price: 5 });
    const ok = await env.http().get(`/v1/services/${mine.body.id}`).set(as('front_desk'));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(mine.body);
    const cross = await env.http().get(`/v1/services/${theirs.body.id}`).set(as('owner'));
    const missing = await env.http().get('/v1/services/0192f000-0000-7000-8000-000000000000').set(as('owner'));
    expect(cross.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(cross.body).toEqual(missing.body);
    expect((await env.http().get('/v1/services/nope').set(as('owner'))).status).toBe(404);
    expect((await env.http().get(`/v1/services/${mine.body.id}`).set(as('online'))).status).toBe(403);
  });

  it('Idempotency-Key: a replay answers the first status and body; another body is 422', async () => {
    const key = idem('svc');
    const body = { name: 'Idem', price: 700 };
    const first = await env.http().post('/v1/services').set(as('owner')).set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    const replay = await env.http().post('/v1/services').set(as('owner')).set('Idempotency-Key', key).send(body);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const { rows } = await env.db.query(`select count(*)::int as n from service where name = 'Idem'`);
    expect(rows[0].n).toBe(1);
    const reused = await env.http().post('/v1/services').set(as('owner')).set('Idempotency-Key', key).send({ ...body, price: 701 });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });
});
