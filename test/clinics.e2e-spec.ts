import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';

describe('clinics (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;

  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    clinic = await createClinic(env);
  });
  afterAll(async () => {
    await env?.close();
  });

  const admin = () => bearer(ADMIN_TOKEN);

  describe('POST /v1/clinics', () => {
    it('creates a clinic with default settings and a working owner key', async () => {
      const res = await env.http().post('/v1/clinics').set(admin()).send({ name: ' Harbour Physio ', currency: 'EUR', timezone: 'Europe/Paris' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Harbour Physio',
        currency: 'EUR',
        timezone: 'Europe/Paris',
        settings: { refundPolicy: 'prorated', membershipGraceDays: 0, reconciliationTime: '02:00', onlineCancellationHours: 24, taxes: [], taxNumber: null },
        createdAt: expect.any(String),
        ownerKey: expect.stringMatching(/^cbk_/),
      });
      const me = await env.http().get('/v1/clinic').set(bearer(res.body.ownerKey));
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(res.body.id);
      // Only the hash is stored.
      const { rows } = await env.db.query('select key_hash, key_prefix, role from api_key where clinic_id = $1', [res.body.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].role).toBe('owner');
      expect(rows[0].key_hash).not.toContain(res.body.ownerKey);
      expect(res.body.ownerKey.startsWith(rows[0].key_prefix)).toBe(true);
    });

    it('keeps the IANA spelling of a zone given in another case, without resolving links', async () => {
      const a = await env.http().post('/v1/clinics').set(admin()).send({ name: 'Z', currency: 'CAD', timezone: 'america/toronto' });
      expect(a.body.timezone).toBe('America/Toronto');
      const b = await env.http().post('/v1/clinics').set(admin()).send({ name: 'Z', currency: 'USD', timezone: 'EST' });
      expect(b.body.timezone).toBe('EST');
    });

    it('takes settings', async () => {
      const res = await env
        .http()
        .post('/v1/clinics')
        .set(admin())
        .send({ name: 'B', currency: 'USD', timezone: 'America/New_York', settings: { refundPolicy: 'full_price', membershipGraceDays: 7 } });
      expect(res.status).toBe(201);
      expect(res.body.settings).toMatchObject({ refundPolicy: 'full_price', membershipGraceDays: 7 });
    });

    it.each([
      ['unknown currency', { currency: 'XYZ' }, 'currency'],
      ['lower-case currency', { currency: 'cad' }, 'currency'],
      ['unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
      ['an offset is not a zone', { timezone: '+01:00' }, 'timezone'],
      ['blank name', { name: '   ' }, 'name'],
      ['missing name', { name: undefined }, 'name'],
      ['unknown field', { color: 'red' }, 'color'],
      ['unknown settings field', { settings: { refundPolicy: 'prorated', foo: 1 } }, 'settings.foo'],
      ['bad refund policy', { settings: { refundPolicy: 'never' } }, 'settings.refundPolicy'],
      ['float grace days', { settings: { membershipGraceDays: 1.5 } }, 'settings.membershipGraceDays'],
      ['negative grace days', { settings: { membershipGraceDays: -1 } }, 'settings.membershipGraceDays'],
      ['too many grace days', { settings: { membershipGraceDays: 366 } }, 'settings.membershipGraceDays'],
      ['settings not an object', { settings: 'x' }, 'settings'],
    ])('400 on %s', async (_label, patch, field) => {
      const res = await env.http().post('/v1/clinics').set(admin()).send({ name: 'C', currency: 'CAD', timezone: 'America/Toronto', ...patch });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('needs the ADMIN_TOKEN: an API key, none, or a wrong token is 401', async () => {
      const body = { name: 'C', currency: 'CAD', timezone: 'America/Toronto' };
      expect((await env.http().post('/v1/clinics').send(body)).status).toBe(401);
      expect((await env.http().post('/v1/clinics').set(bearer('wrong-token-0123456789')).send(body)).status).toBe(401);
      const withKey = await env.http().post('/v1/clinics').set(bearer(clinic.keys.owner)).send(body);
      expect(withKey.status).toBe(401);
      expect(withKey.body.code).toBe('unauthorized');
    });

    it('the ADMIN_TOKEN is good for POST /v1/clinics only', async () => {
      const res = await env.http().get('/v1/clinic').set(admin());
      expect(res.status).toBe(401);
    });
  });

  describe('GET /v1/clinic', () => {
    it('returns the caller clinic to every staff role', async () => {
      for (const role of ['owner', 'billing', 'front_desk'] as const) {
        const res = await env.http().get('/v1/clinic').set(bearer(clinic.keys[role]));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          id: clinic.id,
          name: 'Test Clinic',
          currency: 'CAD',
          timezone: 'America/Toronto',
          settings: { refundPolicy: 'prorated', membershipGraceDays: 0, reconciliationTime: '02:00', onlineCancellationHours: 24, taxes: [], taxNumber: null },
          createdAt: expect.any(String),
        });
      }
    });

    it('403 for the online role, 401 without or with an unknown key', async () => {
      const online = await env.http().get('/v1/clinic').set(bearer(clinic.keys.online));
      expect(online.status).toBe(403);
      expect(online.body.code).toBe('forbidden');
      expect((await env.http().get('/v1/clinic')).status).toBe(401);
      expect((await env.http().get('/v1/clinic').set(bearer('cbk_unknown'))).status).toBe(401);
    });
  });

  describe('PATCH /v1/clinic/settings', () => {
    it('updates only what is given', async () => {
      const a = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ membershipGraceDays: 5 });
      expect(a.status).toBe(200);
      expect(a.body.settings).toEqual({ refundPolicy: 'prorated', membershipGraceDays: 5, reconciliationTime: '02:00', onlineCancellationHours: 24, taxes: [], taxNumber: null });
      const b = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ refundPolicy: 'full_price' });
      expect(b.body.settings).toEqual({ refundPolicy: 'full_price', membershipGraceDays: 5, reconciliationTime: '02:00', onlineCancellationHours: 24, taxes: [], taxNumber: null });
      const read = await env.http().get('/v1/clinic').set(bearer(clinic.keys.front_desk));
      expect(read.body.settings).toEqual(b.body.settings);
    });

    it('sets the tax number and clears it with null', async () => {
      const set = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ taxNumber: '123456789 RT0001' });
      expect(set.body.settings.taxNumber).toBe('123456789 RT0001');
      const cleared = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ taxNumber: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body.settings.taxNumber).toBeNull();
      await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ taxNumber: '   ' }).expect(400);
    });

    it('does not disturb invoice numbering', async () => {
      await env.db.query('update clinic set invoice_seq = 41 where id = $1', [clinic.id]);
      await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ membershipGraceDays: 1 }).expect(200);
      const { rows } = await env.db.query('select invoice_seq from clinic where id = $1', [clinic.id]);
      expect(rows[0].invoice_seq).toBe(41);
    });

    it('owner only', async () => {
      for (const role of ['billing', 'front_desk', 'online'] as const) {
        const res = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys[role])).send({ membershipGraceDays: 2 });
        expect(res.status).toBe(403);
      }
    });

    it.each([
      [{ membershipGraceDays: '3' }, 'membershipGraceDays'],
      [{ membershipGraceDays: 2.5 }, 'membershipGraceDays'],
      [{ refundPolicy: 'none' }, 'refundPolicy'],
      [{ reconciliationTime: '03:00' }, 'reconciliationTime'],
    ])('400 on %j', async (body, field) => {
      const res = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    });
  });
});
