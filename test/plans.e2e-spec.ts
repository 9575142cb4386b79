import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';

describe('plans (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let other: TestClinic;
  let massage: { id: string; name: string };
  let physio: { id: string; name: string };
  let theirService: { id: string };

  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    [clinic, other] = await Promise.all([createClinic(env), createClinic(env, { name: 'Other' })]);
    massage = (await env.http().post('/v1/services').set(bearer(clinic.keys.owner)).send({ name: 'Massage', price: 12000 })).body;
    physio = (await env.http().post('/v1/services').set(bearer(clinic.keys.owner)).send({ name: 'Physio', price: 9000 })).body;
    theirService = (await env.http().post('/v1/services').set(bearer(other.keys.owner)).send({ name: 'Theirs', price: 1 })).body;
  });
  afterAll(async () => {
    await env?.close();
  });

  const as = (role: keyof TestClinic['keys'], c = clinic) => bearer(c.keys[role]);
  const pkg = (extra: Record<string, unknown> = {}) => ({ kind: 'package', name: '10 massages', price: 100000, items: [{ serviceId: massage.id, quantity: 10 }], ...extra });
  const membership = (extra: Record<string, unknown> = {}) => ({
    kind: 'membership',
    name: 'Monthly',
    price: 8000,
    billingInterval: 'month',
    items: [{ serviceId: massage.id, quantity: 2 }],
    ...extra,
  });
  const post = (body: unknown, role: keyof TestClinic['keys'] = 'billing') => env.http().post('/v1/plans').set(as(role)).send(body as object);

  it('creates a package with defaults', async () => {
    const res = await post(pkg());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      kind: 'package',
      name: '10 massages',
      price: 100000,
      items: [{ serviceId: massage.id, serviceName: 'Massage', quantity: 10, patientPortion: 0 }],
      validityDays: null,
      insuranceFriendly: false,
      installments: null,
      onlineRedemption: false,
      billingInterval: null,
      rollover: false,
      active: true,
      taxCodes: [],
      createdAt: expect.any(String),
    });
  });

  it('creates a package with every option, items in the given order', async () => {
    const res = await post(
      pkg({
        items: [
          { serviceId: physio.id, quantity: 3 },
          { serviceId: massage.id, quantity: 5 },
        ],
        validityDays: 365,
        insuranceFriendly: true,
        installments: { count: 3, intervalDays: 30 },
        onlineRedemption: true,
      }),
      'owner',
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      items: [
        { serviceId: physio.id, serviceName: 'Physio', quantity: 3 },
        { serviceId: massage.id, serviceName: 'Massage', quantity: 5 },
      ],
      validityDays: 365,
      insuranceFriendly: true,
      installments: { count: 3, intervalDays: 30 },
      onlineRedemption: true,
    });
  });

  it('creates a membership', async () => {
    const res = await post(membership({ rollover: true, installments: null, validityDays: null }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'membership', billingInterval: 'month', rollover: true, installments: null, validityDays: null });
  });

  it.each([
    ['no items', () => pkg({ items: [] }), 'items'],
    ['items not an array', () => pkg({ items: 'x' }), 'items'],
    ['51 items', () => pkg({ items: Array.from({ length: 51 }, () => ({ serviceId: massage.id, quantity: 1 })) }), 'items'],
    ['quantity 0', () => pkg({ items: [{ serviceId: massage.id, quantity: 0 }] }), 'items[0].quantity'],
    ['quantity float', () => pkg({ items: [{ serviceId: massage.id, quantity: 1.5 }] }), 'items[0].quantity'],
    ['quantity 1001', () => pkg({ items: [{ serviceId: massage.id, quantity: 1001 }] }), 'items[0].quantity'],
    ['serviceId not a uuid', () => pkg({ items: [{ serviceId: 'x', quantity: 1 }] }), 'items[0].serviceId'],
    ['unknown item field', () => pkg({ items: [{ serviceId: massage.id, quantity: 1, price: 3 }] }), 'items[0].price'],
    ['negative price', () => pkg({ price: -1 }), 'price'],
    ['float price', () => pkg({ price: 1.25 }), 'price'],
    ['price too high', () => pkg({ price: 100_000_001 }), 'price'],
    ['unknown kind', () => pkg({ kind: 'bundle' }), 'kind'],
    ['missing name', () => pkg({ name: undefined }), 'name'],
    ['package with billingInterval', () => pkg({ billingInterval: 'month' }), 'billingInterval'],
    ['package with rollover', () => pkg({ rollover: true }), 'rollover'],
    ['installments count 1', () => pkg({ installments: { count: 1, intervalDays: 30 } }), 'installments.count'],
    ['installments count 25', () => pkg({ installments: { count: 25, intervalDays: 30 } }), 'installments.count'],
    ['installments interval 0', () => pkg({ installments: { count: 2, intervalDays: 0 } }), 'installments.intervalDays'],
    ['installments interval 367', () => pkg({ installments: { count: 2, intervalDays: 367 } }), 'installments.intervalDays'],
    ['installments extra field', () => pkg({ installments: { count: 2, intervalDays: 30, first: 1 } }), 'installments.first'],
    ['validityDays 0', () => pkg({ validityDays: 0 }), 'validityDays'],
    ['validityDays 3651', () => pkg({ validityDays: 3651 }), 'validityDays'],
    ['membership without billingInterval', () => membership({ billingInterval: undefined }), 'billingInterval'],
    ['membership with a bad billingInterval', () => membership({ billingInterval: 'day' }), 'billingInterval'],
    ['membership with installments', () => membership({ installments: { count: 2, intervalDays: 30 } }), 'installments'],
    ['membership with validityDays', () => membership({ validityDays: 30 }), 'validityDays'],
    ['insuranceFriendly not a boolean', () => pkg({ insuranceFriendly: 'yes' }), 'insuranceFriendly'],
    ['unknown field', () => pkg({ color: 'red' }), 'color'],
  ])('400 on %s', async (_label, body, field) => {
    const res = await post(body());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('400 with items[i].serviceId for an unknown service, another clinic service, or a duplicate', async () => {
    const res = await post(
      pkg({
        name: 'Refused',
        items: [
          { serviceId: massage.id, quantity: 1 },
          { serviceId: theirService.id, quantity: 1 },
          { serviceId: '0192f000-0000-7000-8000-000000000000', quantity: 1 },
          { serviceId: massage.id.toUpperCase(), quantity: 1 },
        ],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['items[1].serviceId', 'items[2].serviceId', 'items[3].serviceId']);
    const { rows } = await env.db.query('select count(*)::int as n from plan where clinic_id = $1 and name = $2', [clinic.id, 'Refused']);
    expect(rows[0].n).toBe(0);
  });

  it('roles: owner and billing create and archive; front_desk reads; online nothing', async () => {
    const created = await post(pkg({ name: 'Roles' }));
    expect((await post(pkg(), 'front_desk')).status).toBe(403);
    expect((await post(pkg(), 'online')).status).toBe(403);
    expect((await env.http().patch(`/v1/plans/${created.body.id}`).set(as('front_desk')).send({ active: false })).status).toBe(403);
    expect((await env.http().get(`/v1/plans/${created.body.id}`).set(as('front_desk'))).status).toBe(200);
    expect((await env.http().get('/v1/plans').set(as('front_desk'))).status).toBe(200);
    expect((await env.http().get('/v1/plans').set(as('online'))).status).toBe(403);
    expect((await env.http().get(`/v1/plans/${created.body.id}`).set(as('online'))).status).toBe(403);
    expect((await env.http().get('/v1/plans')).status).toBe(401);
  });

  it('GET /:id and the list; PATCH archives and restores', async () => {
    const created = await post(pkg({ name: 'Archivable' }));
    const got = await env.http().get(`/v1/plans/${created.body.id}`).set(as('owner'));
    expect(got.body).toEqual(created.body);
    const archived = await env.http().patch(`/v1/plans/${created.body.id}`).set(as('billing')).send({ active: false });
    expect(archived.status).toBe(200);
    expect(archived.body).toEqual({ ...created.body, active: false });
    const list = await env.http().get('/v1/plans').set(as('owner'));
    expect(list.body.data[0]).toEqual({ ...created.body, active: false });
    expect(list.body.data.every((p: { items: unknown[] }) => p.items.length > 0)).toBe(true);
    const restored = await env.http().patch(`/v1/plans/${created.body.id}`).set(as('owner')).send({ active: true });
    expect(restored.body.active).toBe(true);
  });

  it('PATCH validation: only { active: boolean }', async () => {
    const created = await post(pkg({ name: 'Patch' }));
    for (const body of [{}, { active: 'false' }, { active: false, price: 1 }, { name: 'x' }]) {
      const res = await env.http().patch(`/v1/plans/${created.body.id}`).set(as('owner')).send(body);
      expect(res.status).toBe(400);
    }
  });

  it('patientPortion per item: default 0, ≥ 0 integer; PATCH items sets it on existing items only', async () => {
    const created = await post(pkg({ name: 'Co-pay', items: [{ serviceId: massage.id, quantity: 10, patientPortion: 1500 }] }));
    expect(created.status).toBe(201);
    expect(created.body.items).toEqual([{ serviceId: massage.id, serviceName: 'Massage', quantity: 10, patientPortion: 1500 }]);
    for (const patientPortion of [-1, 1.5, '100', null]) {
      const res = await post(pkg({ name: 'Bad portion', items: [{ serviceId: massage.id, quantity: 1, patientPortion }] }));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const patched = await env.http().patch(`/v1/plans/${created.body.id}`).set(as('billing')).send({ items: [{ serviceId: massage.id, patientPortion: 2000 }] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ active: true, items: [{ serviceId: massage.id, patientPortion: 2000 }] });
    expect((await env.http().get(`/v1/plans/${created.body.id}`).set(as('owner'))).body.items[0].patientPortion).toBe(2000);
    const notAnItem = await env.http().patch(`/v1/plans/${created.body.id}`).set(as('owner')).send({ items: [{ serviceId: physio.id, patientPortion: 1 }] });
    expect(notAnItem.status).toBe(400);
    expect(notAnItem.body.errors).toEqual([expect.objectContaining({ field: 'items[0].serviceId' })]);
  });

  it('another clinic plan is a 404 like a missing one (GET and PATCH), and absent from the list', async () => {
    const theirs = await env
      .http()
      .post('/v1/plans')
      .set(as('owner', other))
      .send({ kind: 'package', name: 'Theirs', price: 1, items: [{ serviceId: theirService.id, quantity: 1 }] });
    expect(theirs.status).toBe(201);
    const get = await env.http().get(`/v1/plans/${theirs.body.id}`).set(as('owner'));
    const missing = await env.http().get('/v1/plans/0192f000-0000-7000-8000-000000000000').set(as('owner'));
    expect(get.status).toBe(404);
    expect(get.body).toEqual(missing.body);
    expect((await env.http().patch(`/v1/plans/${theirs.body.id}`).set(as('owner')).send({ active: false })).status).toBe(404);
    const { rows } = await env.db.query('select active from plan where id = $1', [theirs.body.id]);
    expect(rows[0].active).toBe(true);
    const list = await env.http().get('/v1/plans?limit=200').set(as('owner'));
    expect(list.body.data.some((p: { id: string }) => p.id === theirs.body.id)).toBe(false);
  });

  it('paginates newest first', async () => {
    const all = await env.http().get('/v1/plans?limit=200').set(as('owner'));
    const ids = all.body.data.map((p: { id: string }) => p.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await env
        .http()
        .get(`/v1/plans?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as('owner'));
      seen.push(...res.body.data.map((p) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });
});
