import request from 'supertest';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';

describe('API keys (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let other: TestClinic;

  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    clinic = await createClinic(env);
    other = await createClinic(env, { name: 'Other' });
  });
  afterAll(async () => {
    await env?.close();
  });

  const owner = () => bearer(clinic.keys.owner);

  it('POST creates a key of a role, shown once, that works at once', async () => {
    const res = await env.http().post('/v1/api-keys').set(owner()).send({ name: 'Reception', role: 'front_desk' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Reception',
      role: 'front_desk',
      key: expect.stringMatching(/^cbk_/),
      keyPrefix: res.body.key.slice(0, 10),
      createdAt: expect.any(String),
      revokedAt: null,
    });
    const me = await env.http().get('/v1/clinic').set(bearer(res.body.key));
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(clinic.id);
  });

  it('GET lists the clinic keys without the keys themselves, newest first, paginated', async () => {
    const res = await env.http().get('/v1/api-keys').set(owner());
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.data.length).toBe(5);
    for (const k of res.body.data) {
      expect(Object.keys(k).sort()).toEqual(['createdAt', 'id', 'keyPrefix', 'name', 'revokedAt', 'role']);
    }
    const ids = res.body.data.map((k: { id: string }) => k.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(JSON.stringify(res.body)).not.toContain(clinic.keys.billing);

    const page1 = await env.http().get('/v1/api-keys?limit=2').set(owner());
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await env.http().get(`/v1/api-keys?limit=2&cursor=${page1.body.nextCursor}`).set(owner());
    expect(page2.body.data.map((k: { id: string }) => k.id)).toEqual(ids.slice(2, 4));
    const page3 = await env.http().get(`/v1/api-keys?limit=2&cursor=${page2.body.nextCursor}`).set(owner());
    expect(page3.body.data).toHaveLength(1);
    expect(page3.body.nextCursor).toBeNull();
  });

  it('GET never shows another clinic keys', async () => {
    const mine = await env.http().get('/v1/api-keys').set(owner());
    const theirs = await env.http().get('/v1/api-keys').set(bearer(other.keys.owner));
    const a = new Set(mine.body.data.map((k: { id: string }) => k.id));
    expect(theirs.body.data.some((k: { id: string }) => a.has(k.id))).toBe(false);
  });

  it('DELETE revokes: 204, the key stops working at once (401), the list shows revokedAt', async () => {
    const created = await env.http().post('/v1/api-keys').set(owner()).send({ name: 'Temp', role: 'billing' });
    expect((await env.http().get('/v1/services').set(bearer(created.body.key))).status).toBe(200);
    const del = await env.http().delete(`/v1/api-keys/${created.body.id}`).set(owner());
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const after = await env.http().get('/v1/services').set(bearer(created.body.key));
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthorized');
    const list = await env.http().get('/v1/api-keys').set(owner());
    const row = list.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(row.revokedAt).toEqual(expect.any(String));
    // Again: still 204, revokedAt unchanged.
    expect((await env.http().delete(`/v1/api-keys/${created.body.id}`).set(owner())).status).toBe(204);
    const again = await env.http().get('/v1/api-keys').set(owner());
    expect(again.body.data.find((k: { id: string }) => k.id === created.body.id).revokedAt).toBe(row.revokedAt);
  });

  it('a revocation reaches every API process: another one that knew the key refuses it within moments', async () => {
    const { createApiApp } = await import('../apps/api/src/bootstrap.js');
    const second = await createApiApp(env.config, { logger: false });
    await second.listen(0, '127.0.0.1');
    try {
      const secondUrl = `http://127.0.0.1:${(second.getHttpServer().address() as { port: number }).port}`;
      const created = await env.http().post('/v1/api-keys').set(owner()).send({ name: 'Elsewhere', role: 'billing' });
      // The second process authenticates the key once, and so remembers it.
      expect((await request(secondUrl).get('/v1/services').set(bearer(created.body.key))).status).toBe(200);
      expect((await env.http().delete(`/v1/api-keys/${created.body.id}`).set(owner())).status).toBe(204);
      const deadline = Date.now() + 2000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        status = (await request(secondUrl).get('/v1/services').set(bearer(created.body.key))).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe(401);
    } finally {
      await second.close();
    }
  });

  it('DELETE of another clinic key or an unknown id is 404, and leaves it working', async () => {
    const theirs = await env.http().get('/v1/api-keys').set(bearer(other.keys.owner));
    const target = theirs.body.data.find((k: { role: string }) => k.role === 'billing');
    const res = await env.http().delete(`/v1/api-keys/${target.id}`).set(owner());
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
    expect((await env.http().get('/v1/services').set(bearer(other.keys.billing))).status).toBe(200);
    expect((await env.http().delete('/v1/api-keys/0192f000-0000-7000-8000-000000000000').set(owner())).status).toBe(404);
    expect((await env.http().delete('/v1/api-keys/not-a-uuid').set(owner())).status).toBe(404);
  });

  it('the last active owner key cannot be revoked (409); with a second owner key it can', async () => {
    const c = await createClinic(env, { name: 'Solo' });
    const keys = await env.http().get('/v1/api-keys').set(bearer(c.keys.owner));
    const ownerKey = keys.body.data.find((k: { role: string }) => k.role === 'owner');
    const refused = await env.http().delete(`/v1/api-keys/${ownerKey.id}`).set(bearer(c.keys.owner));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('conflict');
    const second = await env.http().post('/v1/api-keys').set(bearer(c.keys.owner)).send({ name: 'Owner 2', role: 'owner' });
    // Two concurrent revocations of the two owner keys, each by the other key: exactly one wins
    // (the loser is 409, or 401 when its own key was already revoked when it arrived).
    const [a, b] = await Promise.all([
      env.http().delete(`/v1/api-keys/${ownerKey.id}`).set(bearer(second.body.key)),
      env.http().delete(`/v1/api-keys/${second.body.id}`).set(bearer(c.keys.owner)),
    ]);
    expect([a.status, b.status].filter((s) => s === 204)).toHaveLength(1);
    expect([a.status, b.status].every((s) => [204, 401, 409].includes(s))).toBe(true);
    const { rows } = await env.db.query(`select count(*)::int as n from api_key where clinic_id = $1 and role = 'owner' and revoked_at is null`, [c.id]);
    expect(rows[0].n).toBe(1);
  });

  it('only the owner manages keys', async () => {
    for (const role of ['billing', 'front_desk', 'online'] as const) {
      const k = bearer(clinic.keys[role]);
      expect((await env.http().post('/v1/api-keys').set(k).send({ name: 'x', role: 'owner' })).status).toBe(403);
      expect((await env.http().get('/v1/api-keys').set(k)).status).toBe(403);
      expect((await env.http().delete('/v1/api-keys/0192f000-0000-7000-8000-000000000000').set(k)).status).toBe(403);
    }
    expect((await env.http().get('/v1/api-keys')).status).toBe(401);
    expect((await env.http().post('/v1/api-keys').set(bearer('cbk_nope')).send({ name: 'x', role: 'owner' })).status).toBe(401);
  });

  it.each([
    [{ name: 'x', role: 'admin' }, 'role'],
    [{ name: 'x' }, 'role'],
    [{ role: 'billing' }, 'name'],
    [{ name: '', role: 'billing' }, 'name'],
    [{ name: 'x'.repeat(201), role: 'billing' }, 'name'],
    [{ name: 'x', role: 'billing', key: 'mine' }, 'key'],
  ])('400 on %j', async (body, field) => {
    const res = await env.http().post('/v1/api-keys').set(owner()).send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('400 on a bad limit or cursor', async () => {
    expect((await env.http().get('/v1/api-keys?limit=0').set(owner())).status).toBe(400);
    expect((await env.http().get('/v1/api-keys?limit=201').set(owner())).status).toBe(400);
    expect((await env.http().get('/v1/api-keys?cursor=zzz').set(owner())).status).toBe(400);
  });
});
