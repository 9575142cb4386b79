import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

describe('online booking', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let massage: any;

  beforeAll(async () => {
    env = await startTestEnv();
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
    massage = await f.service('Massage 60', 12000);
  });
  afterAll(async () => {
    await env?.close();
  });

  const book = (patientId: string, key = clinic.keys.online) =>
    env.http().post('/v1/bookings').set(bearer(key)).send({ patientId, serviceId: massage.id, startsAt: new Date(Date.now() + 3600_000).toISOString() });

  it('books and redeems through the online channel when the plan allows it', async () => {
    const plan = await f.packagePlan(massage.id, 5, 50000, { onlineRedemption: true });
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, plan.id);
    const res = await book(patient.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(String), appointment: { patientId: patient.id, invoiceId: res.body.invoice.id }, invoice: { kind: 'service', total: 12000 }, redemption: { type: 'redemption', status: expect.any(String) } });
    const command = await f.waitForCommand(res.body.redemption.id);
    expect(command).toMatchObject({ status: 'succeeded', result: { purchaseId: purchase.id } });
    const again = await env.http().get(`/v1/bookings/${res.body.id}`).set(bearer(clinic.keys.online)).expect(200);
    expect(again.body.invoice).toMatchObject({ status: 'paid', balanceDue: 0 });
    expect(again.body.redemption.status).toBe('succeeded');
    // The online key may read the command it created.
    await env.http().get(`/v1/commands/${command.id}`).set(bearer(clinic.keys.online)).expect(200);
  });

  it('leaves the invoice open when no plan allows online redemption', async () => {
    const plan = await f.packagePlan(massage.id, 5, 50000);
    const patient = await f.patient();
    await f.paidPurchase(patient.id, plan.id);
    const res = await book(patient.id);
    expect(res.status).toBe(201);
    expect(res.body.redemption).toBeNull();
    expect(res.body.invoice).toMatchObject({ status: 'open', balanceDue: 12000 });
  });

  it('refuses an online redemption of a plan without onlineRedemption (online_redemption_not_allowed)', async () => {
    const plan = await f.packagePlan(massage.id, 5, 50000);
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, plan.id);
    // A command of the online channel, stored as the booking would store it.
    const visit = await f.visitInvoice(patient.id, massage.id);
    const { submitCommand } = await import('@app/billing');
    const { CommandRunner, COMMAND_HANDLERS } = await import('@app/billing/worker');
    const { MikroORM } = await import('@mikro-orm/postgresql');
    const { ormConfig } = await import('@app/billing');
    const orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
    try {
      const submitted = await submitCommand(orm.em.fork(), { clinicId: clinic.id, type: 'redemption', endpoint: 'POST /v1/bookings', request: { ...visit, purchaseId: purchase.id }, idempotencyKey: null, requestedByKeyId: null, channel: 'online' });
      if (submitted.outcome !== 'created') throw new Error('not created');
      expect(await new CommandRunner(orm.em, COMMAND_HANDLERS).run(submitted.command.id, { lastAttempt: true })).toBe('rejected');
      const command = await f.get(`/v1/commands/${submitted.command.id}`);
      expect(command.error.code).toBe('online_redemption_not_allowed');
    } finally {
      await orm.close(true);
    }
  });

  it('keeps each online key to its own bookings and lets staff read all; the online key buys nothing', async () => {
    const patient = await f.patient();
    const res = await book(patient.id);
    const otherOnline = await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: 'kiosk', role: 'online' });
    await env.http().get(`/v1/bookings/${res.body.id}`).set(bearer(otherOnline.body.key)).expect(404);
    await env.http().get(`/v1/bookings/${res.body.id}`).set(bearer(clinic.keys.front_desk)).expect(200);
    await env.http().post('/v1/bookings').set(bearer(clinic.keys.front_desk)).send({ patientId: patient.id, serviceId: massage.id, startsAt: new Date().toISOString() }).expect(403);
    const plan = await f.packagePlan(massage.id, 5, 50000);
    await env.http().post(`/v1/patients/${patient.id}/purchases`).set(bearer(clinic.keys.online)).send({ planId: plan.id }).expect(403);
    await env.http().get(`/v1/patients/${patient.id}`).set(bearer(clinic.keys.online)).expect(403);
  });
});
