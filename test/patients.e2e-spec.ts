import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';

const MISSING = '0192f000-0000-7000-8000-000000000000';

describe('patients and families (e2e)', () => {
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
  const createPatient = (body: Record<string, unknown>, c = clinic) => env.http().post('/v1/patients').set(as('front_desk', c)).send(body);

  describe('patients', () => {
    it('POST creates a patient with the exact shape', async () => {
      const res = await createPatient({ firstName: ' Ada ', lastName: 'Lovelace', email: 'ada@example.com', phone: '+1 416 555 0100', dateOfBirth: '1990-02-28' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        phone: '+1 416 555 0100',
        dateOfBirth: '1990-02-28',
        familyId: null,
        createdAt: expect.any(String),
      });
      const minimal = await createPatient({ firstName: 'Bo', lastName: 'Min' });
      expect(minimal.body).toMatchObject({ email: null, phone: null, dateOfBirth: null, familyId: null });
    });

    it.each([
      [{ lastName: 'x' }, 'firstName'],
      [{ firstName: 'x' }, 'lastName'],
      [{ firstName: '  ', lastName: 'x' }, 'firstName'],
      [{ firstName: 'x', lastName: 'x'.repeat(201) }, 'lastName'],
      [{ firstName: 'x', lastName: 'y', email: 'not-an-email' }, 'email'],
      [{ firstName: 'x', lastName: 'y', phone: 'call me' }, 'phone'],
      [{ firstName: 'x', lastName: 'y', dateOfBirth: '1990-02-30' }, 'dateOfBirth'],
      [{ firstName: 'x', lastName: 'y', dateOfBirth: '1990-2-3' }, 'dateOfBirth'],
      [{ firstName: 'x', lastName: 'y', dateOfBirth: '2999-01-01' }, 'dateOfBirth'],
      [{ firstName: 'x', lastName: 'y', familyId: 'abc' }, 'familyId'],
      [{ firstName: 'x', lastName: 'y', age: 3 }, 'age'],
      [{ firstName: 5, lastName: 'y' }, 'firstName'],
    ])('POST 400 on %j', async (body, field) => {
      const res = await createPatient(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('a date of birth today (clinic time zone) is accepted, tomorrow is not', async () => {
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Toronto' }).format(new Date());
      expect((await createPatient({ firstName: 'New', lastName: 'Born', dateOfBirth: today })).status).toBe(201);
      const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      expect((await createPatient({ firstName: 'Not', lastName: 'Yet', dateOfBirth: tomorrow })).status).toBe(400);
    });

    it('GET /:id; another clinic patient is a 404 like a missing one', async () => {
      const mine = await createPatient({ firstName: 'Mine', lastName: 'P' });
      const theirs = await createPatient({ firstName: 'Theirs', lastName: 'P' }, other);
      const got = await env.http().get(`/v1/patients/${mine.body.id}`).set(as('billing'));
      expect(got.status).toBe(200);
      expect(got.body).toEqual(mine.body);
      const cross = await env.http().get(`/v1/patients/${theirs.body.id}`).set(as('owner'));
      const missing = await env.http().get(`/v1/patients/${MISSING}`).set(as('owner'));
      expect(cross.status).toBe(404);
      expect(cross.body).toEqual(missing.body);
      expect((await env.http().patch(`/v1/patients/${theirs.body.id}`).set(as('owner')).send({ firstName: 'Hacked' })).status).toBe(404);
      const { rows } = await env.db.query('select first_name from patient where id = $1', [theirs.body.id]);
      expect(rows[0].first_name).toBe('Theirs');
    });

    it('GET ?search= matches first, last, "first last", email and phone, case-insensitively, within the clinic', async () => {
      await createPatient({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.mil', phone: '(416) 555-7788' });
      await createPatient({ firstName: 'Alan', lastName: 'Turing', email: 'alan@bletchley.uk' });
      await createPatient({ firstName: 'Grace', lastName: 'Kelly' }, other);
      await createPatient({ firstName: 'Percent', lastName: '100%' });
      const names = async (search: string) => {
        const res = await env.http().get(`/v1/patients?search=${encodeURIComponent(search)}`).set(as('front_desk'));
        expect(res.status).toBe(200);
        return res.body.data.map((p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`);
      };
      expect(await names('grace')).toEqual(['Grace Hopper']);
      expect(await names('HOPP')).toEqual(['Grace Hopper']);
      expect(await names('grace hop')).toEqual(['Grace Hopper']);
      expect(await names('NAVY.mil')).toEqual(['Grace Hopper']);
      expect(await names('555-7788')).toEqual(['Grace Hopper']);
      expect(await names('4165557788')).toEqual(['Grace Hopper']);
      expect(await names('turing')).toEqual(['Alan Turing']);
      expect(await names('%')).toEqual(['Percent 100%']);
      expect(await names('_')).toEqual([]);
      expect(await names('nobody')).toEqual([]);
    });

    it('GET lists newest first with pagination', async () => {
      const all = await env.http().get('/v1/patients?limit=200').set(as('owner'));
      const ids = all.body.data.map((p: { id: string }) => p.id);
      expect([...ids].sort().reverse()).toEqual(ids);
      const p1 = await env.http().get('/v1/patients?limit=3').set(as('owner'));
      const p2 = await env.http().get(`/v1/patients?limit=3&cursor=${p1.body.nextCursor}`).set(as('owner'));
      expect([...p1.body.data, ...p2.body.data].map((p: { id: string }) => p.id)).toEqual(ids.slice(0, 6));
    });

    it('PATCH changes only the given fields; null clears optional ones; names cannot be cleared', async () => {
      const p = await createPatient({ firstName: 'Edit', lastName: 'Me', email: 'e@x.io', phone: '123 456', dateOfBirth: '2000-01-01' });
      const a = await env.http().patch(`/v1/patients/${p.body.id}`).set(as('front_desk')).send({ lastName: 'Changed', email: null });
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ ...p.body, lastName: 'Changed', email: null });
      const b = await env.http().patch(`/v1/patients/${p.body.id}`).set(as('front_desk')).send({});
      expect(b.body).toEqual(a.body);
      for (const body of [{ firstName: null }, { firstName: '' }, { email: 'bad' }, { dateOfBirth: '2999-01-01' }, { id: p.body.id }]) {
        const res = await env.http().patch(`/v1/patients/${p.body.id}`).set(as('front_desk')).send(body);
        expect(res.status).toBe(400);
      }
      expect((await env.http().get(`/v1/patients/${p.body.id}`).set(as('owner'))).body).toEqual(a.body);
    });

    it('roles: every staff role; online is 403; no key is 401', async () => {
      for (const role of ['owner', 'billing', 'front_desk'] as const) {
        expect((await env.http().post('/v1/patients').set(as(role)).send({ firstName: role, lastName: 'R' })).status).toBe(201);
        expect((await env.http().get('/v1/patients').set(as(role))).status).toBe(200);
      }
      const p = await createPatient({ firstName: 'O', lastName: 'N' });
      expect((await env.http().post('/v1/patients').set(as('online')).send({ firstName: 'x', lastName: 'y' })).status).toBe(403);
      expect((await env.http().get('/v1/patients').set(as('online'))).status).toBe(403);
      expect((await env.http().get(`/v1/patients/${p.body.id}`).set(as('online'))).status).toBe(403);
      expect((await env.http().patch(`/v1/patients/${p.body.id}`).set(as('online')).send({ firstName: 'x' })).status).toBe(403);
      expect((await env.http().get('/v1/patients')).status).toBe(401);
    });

    it('a revoked key is refused at once (401)', async () => {
      const k = await env.http().post('/v1/api-keys').set(as('owner')).send({ name: 'tmp', role: 'front_desk' });
      expect((await env.http().get('/v1/patients').set(bearer(k.body.key))).status).toBe(200);
      await env.http().delete(`/v1/api-keys/${k.body.id}`).set(as('owner')).expect(204);
      expect((await env.http().get('/v1/patients').set(bearer(k.body.key))).status).toBe(401);
    });

    it('Idempotency-Key on POST /v1/patients: replay and reuse', async () => {
      const key = idem('patient');
      const body = { firstName: 'Idem', lastName: 'Potent' };
      const first = await env.http().post('/v1/patients').set(as('front_desk')).set('Idempotency-Key', key).send(body);
      const replay = await env.http().post('/v1/patients').set(as('front_desk')).set('Idempotency-Key', key).send(body);
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      const reused = await env.http().post('/v1/patients').set(as('front_desk')).set('Idempotency-Key', key).send({ ...body, lastName: 'Other' });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      // A 400 is an answer too: replayed as such.
      const badKey = idem('bad');
      const bad1 = await env.http().post('/v1/patients').set(as('front_desk')).set('Idempotency-Key', badKey).send({ firstName: 'x' });
      const bad2 = await env.http().post('/v1/patients').set(as('front_desk')).set('Idempotency-Key', badKey).send({ firstName: 'x' });
      expect([bad1.status, bad2.status]).toEqual([400, 400]);
      expect(bad2.headers['idempotent-replayed']).toBe('true');
    });
  });

  describe('families', () => {
    it('POST creates an empty family; members join and leave with PATCH familyId', async () => {
      const fam = await env.http().post('/v1/families').set(as('front_desk')).send({ name: 'Hopper household' });
      expect(fam.status).toBe(201);
      expect(fam.body).toEqual({ id: expect.any(String), name: 'Hopper household', members: [], createdAt: expect.any(String) });

      const a = await createPatient({ firstName: 'Fam', lastName: 'One', familyId: fam.body.id });
      expect(a.status).toBe(201);
      expect(a.body.familyId).toBe(fam.body.id);
      const b = await createPatient({ firstName: 'Fam', lastName: 'Two' });
      const joined = await env.http().patch(`/v1/patients/${b.body.id}`).set(as('front_desk')).send({ familyId: fam.body.id });
      expect(joined.body.familyId).toBe(fam.body.id);

      const got = await env.http().get(`/v1/families/${fam.body.id}`).set(as('billing'));
      expect(got.status).toBe(200);
      expect(got.body).toEqual({ ...fam.body, members: [a.body, joined.body] });

      const left = await env.http().patch(`/v1/patients/${a.body.id}`).set(as('front_desk')).send({ familyId: null });
      expect(left.body.familyId).toBeNull();
      const after = await env.http().get(`/v1/families/${fam.body.id}`).set(as('owner'));
      expect(after.body.members.map((m: { id: string }) => m.id)).toEqual([b.body.id]);
    });

    it('a family of another clinic is unknown: 404 on GET, on POST patient and on PATCH patient', async () => {
      const theirs = await env.http().post('/v1/families').set(as('owner', other)).send({ name: 'Theirs' });
      const cross = await env.http().get(`/v1/families/${theirs.body.id}`).set(as('owner'));
      const missing = await env.http().get(`/v1/families/${MISSING}`).set(as('owner'));
      expect(cross.status).toBe(404);
      expect(cross.body).toEqual(missing.body);
      const post = await createPatient({ firstName: 'x', lastName: 'y', familyId: theirs.body.id });
      expect(post.status).toBe(404);
      expect(post.body.code).toBe('not_found');
      expect((await createPatient({ firstName: 'x', lastName: 'y', familyId: MISSING })).status).toBe(404);
      const p = await createPatient({ firstName: 'Stay', lastName: 'Home' });
      expect((await env.http().patch(`/v1/patients/${p.body.id}`).set(as('owner')).send({ familyId: theirs.body.id })).status).toBe(404);
      expect((await env.http().get(`/v1/patients/${p.body.id}`).set(as('owner'))).body.familyId).toBeNull();
    });

    it('validation and roles', async () => {
      for (const body of [{}, { name: '' }, { name: 3 }, { name: 'x', members: [] }]) {
        expect((await env.http().post('/v1/families').set(as('owner')).send(body)).status).toBe(400);
      }
      expect((await env.http().post('/v1/families').set(as('online')).send({ name: 'x' })).status).toBe(403);
      const fam = await env.http().post('/v1/families').set(as('billing')).send({ name: 'R' });
      expect((await env.http().get(`/v1/families/${fam.body.id}`).set(as('online'))).status).toBe(403);
      expect((await env.http().get(`/v1/families/${fam.body.id}`)).status).toBe(401);
      expect((await env.http().get('/v1/families/not-a-uuid').set(as('owner'))).status).toBe(404);
    });
  });
});
