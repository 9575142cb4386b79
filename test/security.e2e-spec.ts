// Security: every endpoint × every kind of credential, as api-v1.md's roles table says; mass
// assignment refused; API keys stored only as hashes.
import { randomUUID } from 'node:crypto';
import { formatVerifyReport, ormConfig, verifyLedger } from '@app/billing';
import { MikroORM } from '@mikro-orm/postgresql';
import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type KeyRole, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

type Role = KeyRole;
const ROLES: Role[] = ['owner', 'billing', 'front_desk', 'online'];
const STAFF: Role[] = ['owner', 'billing', 'front_desk'];
const BACK_OFFICE: Role[] = ['owner', 'billing'];
const OWNER: Role[] = ['owner'];

type Credential = 'none' | 'unknown' | 'revoked' | 'other_clinic' | Role;
const CREDENTIALS: Credential[] = ['none', 'unknown', 'revoked', 'other_clinic', ...ROLES];

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
}

interface Endpoint {
  /** METHOD and route, as in api-v1.md. */
  route: string;
  /** Who may call it; 'admin' is the platform's ADMIN_TOKEN. */
  roles: Role[] | 'admin';
  /** The status an allowed role gets for the valid request `call` builds. */
  ok: number;
  /** Another clinic's key: 'not_found' when the request names this clinic's resources (404, as if they did not exist; 400 for a plan naming another clinic's service, like any unknown service); 'own_data' when it names none (it sees its own clinic, and nothing of this one). */
  other: 'not_found' | 'bad_reference' | 'own_data';
  /** A valid request; fresh resources where the call consumes them. */
  call: (role: Credential) => Promise<Call>;
  /** A body for the mass-assignment check (POST and PATCH only). */
  massBody?: () => Promise<{ path: string; body: Record<string, unknown> }>;
}

describe('security', () => {
  let env: TestEnv;
  let a: TestClinic;
  let b: TestClinic;
  let f: Fixtures;
  let revokedKey: string;
  const unknownKey = `cbk_${'x'.repeat(43)}`;
  const rawKeys: string[] = [];
  /** Every id of clinic A that the matrix touches: none may show up in clinic B's answers. */
  const aIds = new Set<string>();
  const s: Record<string, any> = {};

  const track = <T extends { id?: string }>(value: T): T => {
    if (value?.id) aIds.add(value.id);
    return value;
  };

  beforeAll(async () => {
    // Every route is tried with bad keys: far more failed authentications than a real address is allowed.
    env = await startTestEnv({ worker: false, env: { AUTH_FAILURES_PER_MINUTE: '100000' } });
    a = await createClinic(env, { name: 'Clinic A' });
    b = await createClinic(env, { name: 'Clinic B' });
    rawKeys.push(...Object.values(a.keys), ...Object.values(b.keys));
    aIds.add(a.id);
    f = new Fixtures(env, a);
    const revoked = await env.http().post('/v1/api-keys').set(bearer(a.keys.owner)).send({ name: 'gone', role: 'owner' });
    revokedKey = revoked.body.key;
    rawKeys.push(revokedKey);
    await env.http().delete(`/v1/api-keys/${revoked.body.id}`).set(bearer(a.keys.owner)).expect(204);

    s.service = track(await f.service('Massage', 12000));
    s.plan = track(await f.packagePlan(s.service.id, 10, 100000, { onlineRedemption: true }));
    s.family = track(await f.family('Family A'));
    s.parent = track(await f.patient('Parent', 'A', { familyId: s.family.id }));
    s.child = track(await f.patient('Child', 'A', { familyId: s.family.id }));
    s.pack = track(await f.paidPurchase(s.parent.id, s.plan.id));
    s.appointment = track(await env.http().post('/v1/appointments').set(bearer(a.keys.owner)).send({ patientId: s.parent.id, serviceId: s.service.id, startsAt: new Date().toISOString() }).then((r) => r.body));
    s.invoice = track((await env.http().post(`/v1/appointments/${s.appointment.id}/invoice`).set(bearer(a.keys.owner)).send({})).body);
    const redemption = await env.http().post('/v1/redemptions').set(bearer(a.keys.front_desk)).set('Idempotency-Key', idem()).send({ invoiceId: s.invoice.id, lineId: s.invoice.lines[0].id });
    s.command = track(redemption.body);
    const booking = await env.http().post('/v1/bookings').set(bearer(a.keys.online)).send({ patientId: s.parent.id, serviceId: s.service.id, startsAt: new Date(Date.now() + 3600_000).toISOString() });
    s.booking = track(booking.body);
    for (const id of [s.booking.invoice?.id, s.booking.appointment?.id, s.booking.redemption?.id, s.pack.invoices[0].id]) if (id) aIds.add(id);
    s.keyIds = (await f.get('/v1/api-keys')).data.map((k: any) => k.id);
    for (const id of s.keyIds) aIds.add(id);
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  // Fresh resources for calls that consume what they act on.
  const fresh = {
    purchase: async () => track(await f.purchase(s.parent.id, s.plan.id)),
    paidPurchase: async () => track(await f.paidPurchase(s.parent.id, s.plan.id)),
    visit: async () => {
      const v = await f.visitInvoice(s.parent.id, s.service.id);
      aIds.add(v.invoiceId);
      aIds.add(v.lineId);
      return v;
    },
    appointment: async () => track((await env.http().post('/v1/appointments').set(bearer(a.keys.owner)).send({ patientId: s.parent.id, serviceId: s.service.id, startsAt: new Date().toISOString() })).body),
    key: async () => {
      const res = await env.http().post('/v1/api-keys').set(bearer(a.keys.owner)).send({ name: 'throwaway', role: 'front_desk' });
      rawKeys.push(res.body.key);
      return track(res.body);
    },
    plan: async () => track(await f.packagePlan(s.service.id, 2, 2000)),
  };

  const ENDPOINTS: Endpoint[] = [
    { route: 'POST /v1/clinics', roles: 'admin', ok: 201, other: 'own_data', call: async () => ({ method: 'POST', path: '/v1/clinics', body: { name: 'New', currency: 'CAD', timezone: 'America/Toronto' } }) },
    { route: 'GET /v1/clinic', roles: STAFF, ok: 200, other: 'own_data', call: async () => ({ method: 'GET', path: '/v1/clinic' }) },
    { route: 'PATCH /v1/clinic/settings', roles: OWNER, ok: 200, other: 'own_data', call: async () => ({ method: 'PATCH', path: '/v1/clinic/settings', body: { membershipGraceDays: 0 } }), massBody: async () => ({ path: '/v1/clinic/settings', body: { membershipGraceDays: 0 } }) },
    { route: 'POST /v1/api-keys', roles: OWNER, ok: 201, other: 'own_data', call: async () => ({ method: 'POST', path: '/v1/api-keys', body: { name: 'k', role: 'front_desk' } }), massBody: async () => ({ path: '/v1/api-keys', body: { name: 'k', role: 'front_desk' } }) },
    { route: 'GET /v1/api-keys', roles: OWNER, ok: 200, other: 'own_data', call: async () => ({ method: 'GET', path: '/v1/api-keys' }) },
    { route: 'DELETE /v1/api-keys/:id', roles: OWNER, ok: 204, other: 'not_found', call: async () => ({ method: 'DELETE', path: `/v1/api-keys/${(await fresh.key()).id}` }) },
    { route: 'POST /v1/services', roles: BACK_OFFICE, ok: 201, other: 'own_data', call: async () => ({ method: 'POST', path: '/v1/services', body: { name: 'Facial', price: 9000 } }), massBody: async () => ({ path: '/v1/services', body: { name: 'Facial', price: 9000 } }) },
    { route: 'GET /v1/services', roles: STAFF, ok: 200, other: 'own_data', call: async () => ({ method: 'GET', path: '/v1/services' }) },
    { route: 'GET /v1/services/:id', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/services/${s.service.id}` }) },
    {
      route: 'POST /v1/plans', roles: BACK_OFFICE, ok: 201, other: 'bad_reference',
      call: async () => ({ method: 'POST', path: '/v1/plans', body: { kind: 'package', name: 'P', price: 1000, items: [{ serviceId: s.service.id, quantity: 1 }] } }),
      massBody: async () => ({ path: '/v1/plans', body: { kind: 'package', name: 'P', price: 1000, items: [{ serviceId: s.service.id, quantity: 1 }] } }),
    },
    { route: 'GET /v1/plans', roles: STAFF, ok: 200, other: 'own_data', call: async () => ({ method: 'GET', path: '/v1/plans' }) },
    { route: 'GET /v1/plans/:id', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/plans/${s.plan.id}` }) },
    { route: 'PATCH /v1/plans/:id', roles: BACK_OFFICE, ok: 200, other: 'not_found', call: async () => ({ method: 'PATCH', path: `/v1/plans/${(await fresh.plan()).id}`, body: { active: false } }), massBody: async () => ({ path: `/v1/plans/${(await fresh.plan()).id}`, body: { active: false } }) },
    { route: 'POST /v1/patients', roles: STAFF, ok: 201, other: 'own_data', call: async () => ({ method: 'POST', path: '/v1/patients', body: { firstName: 'New', lastName: 'Patient' } }), massBody: async () => ({ path: '/v1/patients', body: { firstName: 'New', lastName: 'Patient' } }) },
    { route: 'POST /v1/patients (familyId)', roles: STAFF, ok: 201, other: 'not_found', call: async () => ({ method: 'POST', path: '/v1/patients', body: { firstName: 'New', lastName: 'Member', familyId: s.family.id } }) },
    { route: 'GET /v1/patients', roles: STAFF, ok: 200, other: 'own_data', call: async () => ({ method: 'GET', path: '/v1/patients' }) },
    { route: 'GET /v1/patients/:id', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/patients/${s.parent.id}` }) },
    { route: 'PATCH /v1/patients/:id', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'PATCH', path: `/v1/patients/${s.child.id}`, body: { phone: '+1 416 555 0100' } }), massBody: async () => ({ path: `/v1/patients/${s.child.id}`, body: { phone: '+1 416 555 0100' } }) },
    { route: 'POST /v1/families', roles: STAFF, ok: 201, other: 'own_data', call: async () => ({ method: 'POST', path: '/v1/families', body: { name: 'F' } }), massBody: async () => ({ path: '/v1/families', body: { name: 'F' } }) },
    { route: 'GET /v1/families/:id', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/families/${s.family.id}` }) },
    { route: 'POST /v1/patients/:id/purchases', roles: STAFF, ok: 201, other: 'not_found', call: async () => ({ method: 'POST', path: `/v1/patients/${s.parent.id}/purchases`, body: { planId: s.plan.id } }), massBody: async () => ({ path: `/v1/patients/${s.parent.id}/purchases`, body: { planId: s.plan.id } }) },
    { route: 'GET /v1/purchases/:id', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/purchases/${s.pack.id}` }) },
    { route: 'GET /v1/patients/:id/purchases', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/patients/${s.parent.id}/purchases` }) },
    { route: 'DELETE /v1/purchases/:id', roles: BACK_OFFICE, ok: 204, other: 'not_found', call: async () => ({ method: 'DELETE', path: `/v1/purchases/${(await fresh.purchase()).id}` }) },
    {
      route: 'POST /v1/appointments', roles: STAFF, ok: 201, other: 'not_found',
      call: async () => ({ method: 'POST', path: '/v1/appointments', body: { patientId: s.parent.id, serviceId: s.service.id, startsAt: new Date().toISOString() } }),
      massBody: async () => ({ path: '/v1/appointments', body: { patientId: s.parent.id, serviceId: s.service.id, startsAt: new Date().toISOString() } }),
    },
    { route: 'GET /v1/appointments/:id', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/appointments/${s.appointment.id}` }) },
    { route: 'POST /v1/appointments/:id/invoice', roles: STAFF, ok: 201, other: 'not_found', call: async () => ({ method: 'POST', path: `/v1/appointments/${(await fresh.appointment()).id}/invoice`, body: {} }), massBody: async () => ({ path: `/v1/appointments/${(await fresh.appointment()).id}/invoice`, body: {} }) },
    { route: 'POST /v1/invoices', roles: STAFF, ok: 201, other: 'not_found', call: async () => ({ method: 'POST', path: '/v1/invoices', body: { patientId: s.parent.id } }), massBody: async () => ({ path: '/v1/invoices', body: { patientId: s.parent.id } }) },
    { route: 'GET /v1/invoices', roles: STAFF, ok: 200, other: 'own_data', call: async () => ({ method: 'GET', path: '/v1/invoices' }) },
    { route: 'GET /v1/invoices/:id', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/invoices/${s.invoice.id}` }) },
    { route: 'POST /v1/invoices/:id/lines', roles: STAFF, ok: 201, other: 'not_found', call: async () => ({ method: 'POST', path: `/v1/invoices/${(await fresh.visit()).invoiceId}/lines`, body: { serviceId: s.service.id } }), massBody: async () => ({ path: `/v1/invoices/${(await fresh.visit()).invoiceId}/lines`, body: { serviceId: s.service.id } }) },
    {
      route: 'DELETE /v1/invoices/:id/lines/:lineId', roles: STAFF, ok: 204, other: 'not_found',
      call: async () => {
        const v = await fresh.visit();
        return { method: 'DELETE', path: `/v1/invoices/${v.invoiceId}/lines/${v.lineId}` };
      },
    },
    { route: 'GET /v1/invoices/:id/redeemable', roles: STAFF, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/invoices/${s.invoice.id}/redeemable` }) },
    { route: 'POST /v1/invoices/:id/payments', roles: STAFF, ok: 201, other: 'not_found', call: async () => ({ method: 'POST', path: `/v1/invoices/${(await fresh.visit()).invoiceId}/payments`, body: { amount: 100, method: 'cash' } }), massBody: async () => ({ path: `/v1/invoices/${(await fresh.visit()).invoiceId}/payments`, body: { amount: 100, method: 'cash' } }) },
    { route: 'POST /v1/redemptions', roles: STAFF, ok: 202, other: 'not_found', call: async () => ({ method: 'POST', path: '/v1/redemptions', body: { ...(await fresh.visit()) } }), massBody: async () => ({ path: '/v1/redemptions', body: { ...(await fresh.visit()) } }) },
    { route: 'POST /v1/purchases/:id/cancellation', roles: BACK_OFFICE, ok: 202, other: 'not_found', call: async () => ({ method: 'POST', path: `/v1/purchases/${(await fresh.purchase()).id}/cancellation`, body: { reason: 'r' } }), massBody: async () => ({ path: `/v1/purchases/${s.pack.id}/cancellation`, body: { reason: 'r' } }) },
    { route: 'POST /v1/purchases/:id/refunds', roles: BACK_OFFICE, ok: 202, other: 'not_found', call: async () => ({ method: 'POST', path: `/v1/purchases/${(await fresh.paidPurchase()).id}/refunds`, body: { amount: 100, method: 'card', reason: 'r' } }), massBody: async () => ({ path: `/v1/purchases/${s.pack.id}/refunds`, body: { amount: 100, method: 'card', reason: 'r' } }) },
    { route: 'POST /v1/purchases/:id/transfers', roles: BACK_OFFICE, ok: 202, other: 'not_found', call: async () => ({ method: 'POST', path: `/v1/purchases/${s.pack.id}/transfers`, body: { toPatientId: s.child.id, serviceId: s.service.id, quantity: 1 } }), massBody: async () => ({ path: `/v1/purchases/${s.pack.id}/transfers`, body: { toPatientId: s.child.id, serviceId: s.service.id, quantity: 1 } }) },
    { route: 'POST /v1/reconciliations', roles: BACK_OFFICE, ok: 202, other: 'own_data', call: async () => ({ method: 'POST', path: '/v1/reconciliations', body: {} }), massBody: async () => ({ path: '/v1/reconciliations', body: {} }) },
    { route: 'GET /v1/commands/:id', roles: ROLES, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/commands/${s.command.id}` }) },
    { route: 'GET /v1/commands', roles: STAFF, ok: 200, other: 'own_data', call: async () => ({ method: 'GET', path: '/v1/commands' }) },
    {
      route: 'POST /v1/bookings', roles: ['online'], ok: 201, other: 'not_found',
      call: async () => ({ method: 'POST', path: '/v1/bookings', body: { patientId: s.child.id, serviceId: s.service.id, startsAt: new Date(Date.now() + 3600_000).toISOString() } }),
      massBody: async () => ({ path: '/v1/bookings', body: { patientId: s.child.id, serviceId: s.service.id, startsAt: new Date(Date.now() + 3600_000).toISOString() } }),
    },
    { route: 'GET /v1/bookings/:id', roles: ROLES, ok: 200, other: 'not_found', call: async () => ({ method: 'GET', path: `/v1/bookings/${s.booking.id}` }) },
    { route: 'GET /v1/dashboard', roles: STAFF, ok: 200, other: 'own_data', call: async () => ({ method: 'GET', path: '/v1/dashboard' }) },
  ];

  const keyFor = (credential: Credential, route: string): string | null => {
    switch (credential) {
      case 'none':
        return null;
      case 'unknown':
        return unknownKey;
      case 'revoked':
        return revokedKey;
      // Another clinic's key of a role allowed to call it, so the refusal tested is the clinic's.
      case 'other_clinic':
        return route === 'POST /v1/bookings' ? b.keys.online : b.keys.owner;
      default:
        return a.keys[credential];
    }
  };

  /** The status api-v1.md promises this credential. */
  function expected(endpoint: Endpoint, credential: Credential): number {
    if (credential === 'none' || credential === 'unknown' || credential === 'revoked') return 401;
    if (endpoint.roles === 'admin') return 401;
    if (credential === 'other_clinic') return endpoint.other === 'not_found' ? 404 : endpoint.other === 'bad_reference' ? 400 : endpoint.ok;
    if (!endpoint.roles.includes(credential)) return 403;
    // The online channel sees only the commands it created (this one staff's).
    if (credential === 'online' && endpoint.route === 'GET /v1/commands/:id') return 404;
    return endpoint.ok;
  }

  async function send(call: Call, key: string | null) {
    let req = env.http()[call.method.toLowerCase() as 'get'](call.path);
    if (key) req = req.set(bearer(key));
    // Command endpoints need an Idempotency-Key; the others are sent without (see the known bug below).
    if (call.method === 'POST' && /\/(redemptions|cancellation|refunds|transfers|reconciliations)$/.test(call.path)) req = req.set('Idempotency-Key', idem('sec'));
    return call.body !== undefined ? req.send(call.body) : req;
  }

  it('answers every endpoint × credential as the roles table says: no cross-clinic read or write, no role escalation', async () => {
    const cells: { route: string; credential: Credential; want: number; got: number; code?: string }[] = [];
    let crossClinicLeaks = 0;
    let escalations = 0;
    for (const endpoint of ENDPOINTS) {
      for (const credential of CREDENTIALS) {
        const call = await endpoint.call(credential);
        const res = await send(call, keyFor(credential, endpoint.route));
        const want = expected(endpoint, credential);
        cells.push({ route: endpoint.route, credential, want, got: res.status, code: res.body?.code });
        if (typeof res.body?.key === 'string') rawKeys.push(res.body.key);
        if (credential === 'other_clinic') {
          const text = JSON.stringify(res.body ?? '');
          if ((res.status < 300 && endpoint.other !== 'own_data') || [...aIds].some((id) => text.includes(id))) crossClinicLeaks += 1;
        }
        if (ROLES.includes(credential as Role) && endpoint.roles !== 'admin' && !endpoint.roles.includes(credential as Role) && res.status < 400) escalations += 1;
        if (['none', 'unknown', 'revoked'].includes(credential) && res.status < 400) escalations += 1;
      }
    }
    const admin = await send(await ENDPOINTS[0].call('owner'), ADMIN_TOKEN);
    cells.push({ route: 'POST /v1/clinics', credential: 'owner', want: 201, got: admin.status });
    if (admin.status === 201) rawKeys.push(admin.body.ownerKey);

    const wrong = cells.filter((c) => c.want !== c.got);
    const refusalsWithoutProblem = cells.filter((c) => c.got >= 400 && typeof c.code !== 'string');
    console.log(
      `security matrix: ${ENDPOINTS.length} endpoints × ${CREDENTIALS.length} credentials = ${ENDPOINTS.length * CREDENTIALS.length} cells (+1 ADMIN_TOKEN); ` +
        `as expected ${cells.length - wrong.length}, unexpected ${wrong.length}; cross-clinic reads or writes ${crossClinicLeaks}; role escalations ${escalations}`,
    );
    if (wrong.length) console.log(wrong.map((c) => `${c.route} as ${c.credential}: want ${c.want}, got ${c.got} ${c.code ?? ''}`).join('\n'));
    expect(crossClinicLeaks).toBe(0);
    expect(escalations).toBe(0);
    expect(wrong).toEqual([]);
    expect(refusalsWithoutProblem).toEqual([]);

    // Nothing of clinic A was made or changed with clinic B's keys, and no row crosses clinics.
    const bKeys = (await env.db.query(`select id from api_key where clinic_id = $1`, [b.id])).rows.map((r) => r.id);
    const { rows } = await env.db.query(
      `select (select count(*) from command where clinic_id = $1 and requested_by_key_id = any($2::uuid[]))::int as commands,
              (select count(*) from invoice where clinic_id = $1 and created_by_key_id = any($2::uuid[]))::int as invoices,
              (select count(*) from purchase where clinic_id = $1 and created_by_key_id = any($2::uuid[]))::int as purchases,
              (select count(*) from payment where clinic_id = $1 and created_by_key_id = any($2::uuid[]))::int as payments,
              (select count(*) from appointment where clinic_id = $1 and created_by_key_id = any($2::uuid[]))::int as appointments,
              (select count(*) from api_key where clinic_id = $1 and revoked_at is not null and name <> 'throwaway' and name <> 'gone')::int as revoked`,
      [a.id, bKeys],
    );
    expect(rows[0]).toEqual({ commands: 0, invoices: 0, purchases: 0, payments: 0, appointments: 0, revoked: 0 });
    const orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
    try {
      const result = await verifyLedger(orm.em.fork());
      const isolation = result.checks.find((c) => c.name === 'clinic_isolation')!;
      if (isolation.violations) console.log(formatVerifyReport(result));
      expect(isolation.violations).toBe(0);
    } finally {
      await orm.close(true);
    }
  }, 240_000);

  it('refuses mass assignment of clinicId, status, amountPaid and id with 400, changing nothing', async () => {
    const before = await rowCounts(env);
    const answers: { route: string; field: string; status: number; code: string }[] = [];
    for (const endpoint of ENDPOINTS.filter((e) => e.massBody)) {
      const method = endpoint.route.split(' ')[0] as 'POST' | 'PATCH';
      const key = endpoint.route === 'POST /v1/bookings' ? a.keys.online : a.keys.owner;
      for (const field of ['clinicId', 'status', 'amountPaid', 'id']) {
        const { path, body } = await endpoint.massBody!();
        const value = field === 'amountPaid' ? 100000 : field === 'status' ? 'paid' : field === 'clinicId' ? b.id : randomUUID();
        let req = env.http()[method === 'POST' ? 'post' : 'patch'](path).set(bearer(key));
        if (endpoint.ok === 202) req = req.set('Idempotency-Key', idem('mass'));
        const res = await req.send({ ...body, [field]: value });
        answers.push({ route: endpoint.route, field, status: res.status, code: res.body?.code });
      }
    }
    const accepted = answers.filter((x) => x.status !== 400 || x.code !== 'validation_failed');
    console.log(`mass assignment: ${answers.length} requests (${answers.length / 4} endpoints × 4 fields), refused with 400 ${answers.length - accepted.length}, accepted ${accepted.length}`);
    expect(accepted).toEqual([]);
    // The fresh resources the bodies needed are the only rows added.
    const after = await rowCounts(env);
    expect(after.command).toBe(before.command);
    expect(after.payment).toBe(before.payment);
    expect(after.ledger_entry).toBe(before.ledger_entry);
    expect(after.service).toBe(before.service);
    expect(after.family).toBe(before.family);
    expect(after.booking).toBe(before.booking);
  }, 120_000);

  it('stores API keys only as SHA-256 hashes: no raw key material in any text or JSON column', async () => {
    const leaks = await findKeyMaterial(env, rawKeys);
    const { rows } = await env.db.query(`select count(*)::int as n, count(*) filter (where key_hash ~ '^[0-9a-f]{64}$')::int as hashed from api_key`);
    console.log(`key storage: ${rows[0].n} keys, ${rows[0].hashed} stored as SHA-256; ${rawKeys.length} raw keys searched in every text/json column: ${leaks.length} hit(s)`);
    expect(rows[0].hashed).toBe(rows[0].n);
    expect(leaks).toEqual([]);
  });

  // An Idempotency-Key on POST /v1/api-keys stores the answer for replays: without the key.
  it('stores no raw key either when the key was created with an Idempotency-Key', async () => {
    const res = await env.http().post('/v1/api-keys').set(bearer(a.keys.owner)).set('Idempotency-Key', idem('key')).send({ name: 'replayable', role: 'billing' });
    expect(res.status).toBe(201);
    const leaks = await findKeyMaterial(env, [res.body.key]);
    expect(leaks).toEqual([]);
  });
});

async function rowCounts(env: TestEnv): Promise<Record<string, number>> {
  const tables = ['command', 'payment', 'ledger_entry', 'service', 'family', 'booking', 'purchase', 'invoice', 'patient', 'plan', 'api_key'];
  const { rows } = await env.db.query(`select ${tables.map((t) => `(select count(*) from ${t})::int as ${t}`).join(', ')}`);
  return rows[0];
}

/** Every text, varchar, json and jsonb column of every table, searched for the keys and for their secret part. */
async function findKeyMaterial(env: TestEnv, keys: string[]): Promise<string[]> {
  const needles = keys.flatMap((k) => [k, k.slice(10)]);
  const { rows: columns } = await env.db.query(
    `select table_name, column_name from information_schema.columns
     where table_schema = 'public' and data_type in ('text', 'character varying', 'json', 'jsonb') and table_name not like 'mikro_orm%'`,
  );
  const hits: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const { rows } = await env.db.query(
      `select count(*)::int as n from "${table}" t where exists (select 1 from unnest($1::text[]) k where position(k in t."${column}"::text) > 0)`,
      [needles],
    );
    if (rows[0].n > 0) hits.push(`${table}.${column}: ${rows[0].n} row(s)`);
  }
  return hits;
}
