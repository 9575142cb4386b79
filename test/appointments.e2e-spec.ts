import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';

const MISSING = '0192f000-0000-7000-8000-000000000000';

describe('appointments (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let other: TestClinic;
  let patientId: string;
  let serviceId: string;
  let theirPatientId: string;
  let theirServiceId: string;

  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    [clinic, other] = await Promise.all([createClinic(env), createClinic(env, { name: 'Other', timezone: 'Asia/Tokyo' })]);
    patientId = (await env.http().post('/v1/patients').set(bearer(clinic.keys.front_desk)).send({ firstName: 'Ada', lastName: 'L' })).body.id;
    serviceId = (await env.http().post('/v1/services').set(bearer(clinic.keys.billing)).send({ name: 'Massage', price: 12000, durationMinutes: 60 })).body.id;
    theirPatientId = (await env.http().post('/v1/patients').set(bearer(other.keys.front_desk)).send({ firstName: 'T', lastName: 'P' })).body.id;
    theirServiceId = (await env.http().post('/v1/services').set(bearer(other.keys.billing)).send({ name: 'T', price: 1 })).body.id;
  });
  afterAll(async () => {
    await env?.close();
  });

  const as = (role: keyof TestClinic['keys'], c = clinic) => bearer(c.keys[role]);
  const book = (startsAt = '2026-11-24T15:00:00.000Z', role: keyof TestClinic['keys'] = 'front_desk') =>
    env.http().post('/v1/appointments').set(as(role)).send({ patientId, serviceId, startsAt });

  it('POST creates an appointment: exact shape, startsAt normalised to UTC', async () => {
    const res = await book('2026-11-24T10:00:00-05:00');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      patientId,
      serviceId,
      startsAt: '2026-11-24T15:00:00.000Z',
      status: 'booked',
      invoiceId: null,
      createdAt: expect.any(String),
    });
    const got = await env.http().get(`/v1/appointments/${res.body.id}`).set(as('billing'));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it.each([
    [{ startsAt: '2026-11-24T10:00:00' }, 'startsAt'],
    [{ startsAt: '2026-11-24' }, 'startsAt'],
    [{ startsAt: '2026-02-30T10:00:00Z' }, 'startsAt'],
    [{ startsAt: 'tomorrow' }, 'startsAt'],
    [{ startsAt: 1732460400000 }, 'startsAt'],
    [{ patientId: 'p1' }, 'patientId'],
    [{ serviceId: undefined }, 'serviceId'],
    [{ room: 4 }, 'room'],
  ])('POST 400 on %j', async (patch, field) => {
    const res = await env.http().post('/v1/appointments').set(as('front_desk')).send({ patientId, serviceId, startsAt: '2026-11-24T15:00:00Z', ...patch });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('another clinic patient, service or appointment is a 404 like a missing one', async () => {
    const a = await env.http().post('/v1/appointments').set(as('front_desk')).send({ patientId: theirPatientId, serviceId, startsAt: '2026-11-24T15:00:00Z' });
    const b = await env.http().post('/v1/appointments').set(as('front_desk')).send({ patientId, serviceId: theirServiceId, startsAt: '2026-11-24T15:00:00Z' });
    const c = await env.http().post('/v1/appointments').set(as('front_desk')).send({ patientId: MISSING, serviceId, startsAt: '2026-11-24T15:00:00Z' });
    expect([a.status, b.status, c.status]).toEqual([404, 404, 404]);
    expect(a.body).toEqual(c.body);
    const theirs = await env
      .http()
      .post('/v1/appointments')
      .set(as('front_desk', other))
      .send({ patientId: theirPatientId, serviceId: theirServiceId, startsAt: '2026-11-24T15:00:00Z' });
    expect(theirs.status).toBe(201);
    expect((await env.http().get(`/v1/appointments/${theirs.body.id}`).set(as('owner'))).status).toBe(404);
    const inv = await env.http().post(`/v1/appointments/${theirs.body.id}/invoice`).set(as('owner'));
    expect(inv.status).toBe(404);
    const { rows } = await env.db.query('select count(*)::int as n from invoice where appointment_id = $1', [theirs.body.id]);
    expect(rows[0].n).toBe(0);
    expect((await env.http().post(`/v1/appointments/${MISSING}/invoice`).set(as('owner'))).status).toBe(404);
  });

  it('POST /:id/invoice: 201 with one line at list price dated in the clinic time zone, then 200 with the same invoice', async () => {
    // 03:30 UTC on the 25th is still the 24th in Toronto.
    const appt = await book('2026-11-25T03:30:00Z');
    const first = await env.http().post(`/v1/appointments/${appt.body.id}/invoice`).set(as('front_desk'));
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(String),
      number: expect.any(Number),
      patientId,
      kind: 'service',
      status: 'open',
      purchaseId: null,
      appointmentId: appt.body.id,
      dueDate: null,
      serviceDate: '2026-11-24',
      // An untaxed service: no taxes on the line, subtotal = total.
      lines: [{ id: expect.any(String), kind: 'service', serviceId, description: 'Massage', quantity: 1, unitPrice: 12000, amount: 12000, taxCodes: [], taxes: [] }],
      subtotal: 12000,
      taxTotal: 0,
      total: 12000,
      amountPaid: 0,
      amountRefunded: 0,
      amountWrittenOff: 0,
      balanceDue: 12000,
      payments: [],
      createdAt: expect.any(String),
    });
    const second = await env.http().post(`/v1/appointments/${appt.body.id}/invoice`).set(as('billing'));
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const got = await env.http().get(`/v1/appointments/${appt.body.id}`).set(as('front_desk'));
    expect(got.body.invoiceId).toBe(first.body.id);
    const inv = await env.http().get(`/v1/invoices/${first.body.id}`).set(as('front_desk'));
    expect(inv.body).toEqual(first.body);
  });

  it('concurrent POST /:id/invoice: exactly one 201, the others 200 with the same invoice; numbers stay gap-free', async () => {
    const appts = await Promise.all([book('2026-12-01T15:00:00Z'), book('2026-12-02T15:00:00Z')]);
    const results = await Promise.all(
      appts.flatMap((a) => Array.from({ length: 8 }, () => env.http().post(`/v1/appointments/${a.body.id}/invoice`).set(as('front_desk')))),
    );
    for (const [i, a] of appts.entries()) {
      const mine = results.slice(i * 8, i * 8 + 8);
      expect(mine.filter((r) => r.status === 201)).toHaveLength(1);
      expect(mine.filter((r) => r.status === 200)).toHaveLength(7);
      expect(new Set(mine.map((r) => r.body.id)).size).toBe(1);
      const { rows } = await env.db.query('select count(*)::int as n from invoice where appointment_id = $1', [a.body.id]);
      expect(rows[0].n).toBe(1);
    }
    const { rows } = await env.db.query('select array_agg(number order by number) as numbers, max(invoice_seq) as seq from invoice join clinic on clinic.id = invoice.clinic_id where clinic_id = $1 group by clinic.id', [clinic.id]);
    const numbers: number[] = rows[0].numbers;
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    expect(Number(rows[0].seq)).toBe(numbers.length);
  });

  it('POST /:id/invoice takes no body fields', async () => {
    const appt = await book('2026-12-03T15:00:00Z');
    const res = await env.http().post(`/v1/appointments/${appt.body.id}/invoice`).set(as('front_desk')).send({ price: 1 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });

  it('Idempotency-Key on POST /:id/invoice replays the first answer', async () => {
    const appt = await book('2026-12-04T15:00:00Z');
    const key = idem('appt-inv');
    const first = await env.http().post(`/v1/appointments/${appt.body.id}/invoice`).set(as('front_desk')).set('Idempotency-Key', key);
    const replay = await env.http().post(`/v1/appointments/${appt.body.id}/invoice`).set(as('front_desk')).set('Idempotency-Key', key);
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const key2 = idem('appt-inv');
    const later = await env.http().post(`/v1/appointments/${appt.body.id}/invoice`).set(as('front_desk')).set('Idempotency-Key', key2);
    const laterReplay = await env.http().post(`/v1/appointments/${appt.body.id}/invoice`).set(as('front_desk')).set('Idempotency-Key', key2);
    expect([later.status, laterReplay.status]).toEqual([200, 200]);
    expect(laterReplay.headers['idempotent-replayed']).toBe('true');
  });

  it('roles: staff only; 401 without a key', async () => {
    for (const role of ['owner', 'billing', 'front_desk'] as const) expect((await book('2026-12-05T15:00:00Z', role)).status).toBe(201);
    const appt = await book('2026-12-06T15:00:00Z');
    expect((await book('2026-12-05T15:00:00Z', 'online')).status).toBe(403);
    expect((await env.http().get(`/v1/appointments/${appt.body.id}`).set(as('online'))).status).toBe(403);
    expect((await env.http().post(`/v1/appointments/${appt.body.id}/invoice`).set(as('online'))).status).toBe(403);
    expect((await env.http().post(`/v1/appointments/${appt.body.id}/invoice`)).status).toBe(401);
    expect((await env.http().get(`/v1/appointments/${appt.body.id}`).set(bearer('cbk_unknown'))).status).toBe(401);
  });
});
