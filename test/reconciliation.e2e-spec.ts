import { addDays, addYears, cyclesStartedBy, todayIn } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const TZ = 'America/Toronto';
const today = () => todayIn(TZ);

describe('scheduled reconciliation and the dashboard', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let massage: any;
  let monthly: any;

  beforeAll(async () => {
    // Reconciles ahead of today (a cycle's end, a cancellation): allowed only by this setting.
    env = await startTestEnv({ env: { ALLOW_FUTURE_AS_OF: 'true' } });
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
    massage = await f.service('Massage 60', 12000);
    monthly = await f.membershipPlan(massage.id, 2, 15000);
  });
  afterAll(async () => {
    await env?.close();
  });

  const reconcile = async (asOf?: string, g = f) => {
    const res = await g.command('/v1/reconciliations', asOf ? { asOf } : {}, { wait: 30 });
    expect(res.body.status).toBe('succeeded');
    return res.body;
  };
  const cycleStarts = async (purchaseId: string) =>
    (await env.db.query(`select cycle_start::text from invoice where purchase_id = $1 and kind = 'membership' order by cycle_start`, [purchaseId])).rows.map((r) => r.cycle_start);

  it('bills every started cycle once, as of several dates in a row, and changes nothing the second time', async () => {
    const other = await createClinic(env, { name: 'Cycles' });
    const g = new Fixtures(env, other);
    const service = await g.service();
    const plan = await g.membershipPlan(service.id, 2, 15000);
    const patient = await g.patient();
    const purchase = await g.purchase(patient.id, plan.id, { startDate: '2026-01-31' });
    expect(await cycleStarts(purchase.id)).toEqual(['2026-01-31']);

    const first = await reconcile('2026-02-27', g);
    expect(first.result).toMatchObject({ asOf: '2026-02-27', counts: { cycleInvoicesCreated: 0 } });
    const second = await reconcile('2026-02-28', g);
    expect(second.result.counts.cycleInvoicesCreated).toBe(1);
    await reconcile('2026-04-30', g);
    expect(await cycleStarts(purchase.id)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    const again = await reconcile('2026-04-30', g);
    expect(again.result.counts.cycleInvoicesCreated).toBe(0);
    expect(again.progress).toMatchObject({ phase: 'done' });
    expect(await cycleStarts(purchase.id)).toHaveLength(4);

    const invoices = (await env.db.query(`select number, due_date::text, total from invoice where purchase_id = $1 order by number`, [purchase.id])).rows;
    expect(invoices.map((i) => i.due_date)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(invoices.every((i) => Number(i.total) === 15000)).toBe(true);
    const numbers = (await env.db.query(`select number from invoice where clinic_id = $1 order by number`, [other.id])).rows.map((r) => r.number);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    const history = await g.get(`/v1/purchases/${purchase.id}`);
    expect(history.history.filter((h: any) => h.type === 'cycle_started').map((h: any) => h.cycleStart)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
  });

  it('catches up memberships years behind in bounded transactions, every cycle once, and fills a gap', async () => {
    const other = await createClinic(env, { name: 'Behind' });
    const g = new Fixtures(env, other);
    const service = await g.service();
    const weekly = await g.membershipPlan(service.id, 1, 1000, { billingInterval: 'week' });
    // Five weekly memberships five years behind: ~1,300 cycles, more than one transaction's 1,000,
    // so one membership is finished by the next transaction.
    const startDate = addYears(today(), -5);
    const purchases = [];
    for (let i = 0; i < 5; i += 1) purchases.push(await g.purchase((await g.patient(`W${i}`, 'Behind')).id, weekly.id, { startDate }));
    const expected = cyclesStartedBy(startDate, 'week', today());
    const run = await reconcile(today(), g);
    expect(run.result.counts).toMatchObject({ membershipsChecked: 5, cycleInvoicesCreated: 5 * (expected.length - 1) });
    for (const p of purchases) expect(await cycleStarts(p.id)).toEqual(expected);
    const numbers = (await env.db.query(`select number from invoice where clinic_id = $1 order by number`, [other.id])).rows.map((r) => r.number);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));

    // A cycle missing in the middle (as if lost) is billed again, and only it.
    const lost = expected[100];
    const { rows } = await env.db.query(`select id from invoice where purchase_id = $1 and cycle_start = $2`, [purchases[2].id, lost]);
    await env.db.query(`delete from ledger_entry where invoice_id = $1`, [rows[0].id]);
    await env.db.query(`delete from invoice_line where invoice_id = $1`, [rows[0].id]);
    await env.db.query(`delete from invoice where id = $1`, [rows[0].id]);
    const again = await reconcile(today(), g);
    expect(again.result.counts.cycleInvoicesCreated).toBe(1);
    expect(await cycleStarts(purchases[2].id)).toEqual(expected);
  });

  it('never bills a cycle twice when two runs race', async () => {
    const patient = await f.patient();
    const purchase = await f.purchase(patient.id, monthly.id, { startDate: addDays(today(), -200) });
    const runs = await Promise.all([1, 2, 3].map(() => f.command('/v1/reconciliations', {}, { wait: 30 })));
    expect(runs.every((r) => r.body.status === 'succeeded')).toBe(true);
    const starts = await cycleStarts(purchase.id);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts.length).toBeGreaterThanOrEqual(7);
    const created = runs.reduce((sum, r) => sum + r.body.result.counts.cycleInvoicesCreated, 0);
    expect(created).toBeGreaterThanOrEqual(6);
  });

  it('applies an end-of-cycle cancellation when its cycle ends and bills no later cycle', async () => {
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, monthly.id, { startDate: addDays(today(), -5) });
    const cancel = await f.command(`/v1/purchases/${purchase.id}/cancellation`, { reason: 'moving' });
    const cancelAt = cancel.body.result.cancelAt;
    await reconcile(addDays(cancelAt, -1));
    expect((await f.get(`/v1/purchases/${purchase.id}`)).status).toBe('active');
    const run = await reconcile(cancelAt);
    expect(run.result.counts.cancellationsApplied).toBeGreaterThanOrEqual(1);
    expect((await f.get(`/v1/purchases/${purchase.id}`)).status).toBe('cancelled');
    await reconcile(addDays(cancelAt, 40));
    expect(await cycleStarts(purchase.id)).toEqual([purchase.startDate]);
  });

  it('expires packages past their last day, keeping the visits left in the record', async () => {
    const plan = await f.packagePlan(massage.id, 4, 40000, { validityDays: 10 });
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, plan.id, { startDate: addDays(today(), -15) });
    const run = await reconcile();
    expect(run.result.counts.packagesExpired).toBeGreaterThanOrEqual(1);
    const after = await f.get(`/v1/purchases/${purchase.id}`);
    expect(after.status).toBe('expired');
    expect(after.balances[0].remaining).toBe(4);
    expect(after.history.at(-1)).toMatchObject({ type: 'expired', quantity: 4 });
    await reconcile();
    expect((await f.get(`/v1/purchases/${purchase.id}`)).history.filter((h: any) => h.type === 'expired')).toHaveLength(1);
  });

  it('carries one cycle of unused visits over with rollover', async () => {
    const plan = await f.membershipPlan(massage.id, 2, 15000, { rollover: true });
    const patient = await f.patient();
    const startDate = addDays(today(), -40);
    const purchase = await f.paidPurchase(patient.id, plan.id, { startDate });
    // One visit in the first cycle: one of its two is left over.
    const early = await f.appointmentInvoice(patient.id, massage.id, new Date(`${addDays(startDate, 2)}T15:00:00Z`).toISOString());
    expect((await f.redeem({ invoiceId: early.invoiceId, lineId: early.lineId, purchaseId: purchase.id })).body.status).toBe('succeeded');
    await reconcile();
    const details = await f.get(`/v1/purchases/${purchase.id}`);
    await f.pay(details.currentCycle.invoiceId, 15000);
    expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0]).toMatchObject({ total: 3, remaining: 3, available: 3, carriedIn: 1 });
    for (let i = 0; i < 3; i += 1) {
      const visit = await f.visitInvoice(patient.id, massage.id);
      expect((await f.redeem({ ...visit, purchaseId: purchase.id })).body.status).toBe('succeeded');
    }
    const fourth = await f.visitInvoice(patient.id, massage.id);
    expect((await f.redeem({ ...fourth, purchaseId: purchase.id })).body).toMatchObject({ status: 'rejected', error: { code: 'insufficient_balance' } });
  });

  it('lists unpaid membership invoices on the dashboard with their days overdue, as of any date', async () => {
    const other = await createClinic(env, { name: 'Dashboard' });
    const g = new Fixtures(env, other);
    const service = await g.service();
    const plan = await g.membershipPlan(service.id, 2, 15000);
    const ada = await g.patient('Ada', 'Lovelace');
    const bob = await g.patient('Bob', 'Builder');
    const late = await g.purchase(ada.id, plan.id, { startDate: addDays(today(), -9) });
    const dueToday = await g.purchase(bob.id, plan.id);
    await g.paidPurchase(bob.id, plan.id, { startDate: addDays(today(), -3) });
    await g.purchase(bob.id, plan.id, { startDate: addDays(today(), 4) });
    const instalments = await g.packagePlan(service.id, 4, 40000, { installments: { count: 2, intervalDays: 30 } });
    const pack = await g.purchase(ada.id, instalments.id, { paymentSchedule: 'installments', startDate: addDays(today(), -35) });

    const board = await g.get('/v1/dashboard');
    expect(board.asOf).toBe(today());
    expect(board.unpaidMembershipInvoices).toEqual([
      expect.objectContaining({ invoiceId: late.invoices[0].id, patientId: ada.id, patientName: 'Ada Lovelace', purchaseId: late.id, planName: plan.name, amount: 15000, balanceDue: 15000, dueDate: addDays(today(), -9), daysOverdue: 9 }),
      expect.objectContaining({ invoiceId: dueToday.invoices[0].id, daysOverdue: 0 }),
    ]);
    expect(board.overdueInstallments.map((i: any) => [i.purchaseId, i.daysOverdue])).toEqual([
      [pack.id, 35],
      [pack.id, 5],
    ]);
    expect(board.counts).toMatchObject({ unpaidMembershipInvoices: 2, overdueInstallments: 2 });
    const earlier = await g.get(`/v1/dashboard?asOf=${addDays(today(), -5)}`);
    expect(earlier.unpaidMembershipInvoices.map((i: any) => i.daysOverdue)).toEqual([4]);
    const bad = await env.http().get('/v1/dashboard?asOf=2026-02-30').set(bearer(other.keys.owner));
    expect(bad.status).toBe(400);
    await env.http().get('/v1/dashboard').set(bearer(other.keys.online)).expect(403);
  });

  it('re-queues a queued command whose Redis job was lost, and it succeeds', async () => {
    const plan = await f.packagePlan(massage.id, 5, 50000);
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, plan.id);
    const visit = await f.visitInvoice(patient.id, massage.id);
    await env.stopWorker();
    const accepted = await env.http().post('/v1/redemptions').set(bearer(clinic.keys.front_desk)).set('Idempotency-Key', idem()).send({ ...visit, purchaseId: purchase.id });
    expect(accepted.status).toBe(202);
    const { Queue } = await import('bullmq');
    const { bullConnection, COMMANDS_QUEUE } = await import('@app/billing');
    const queue = new Queue(COMMANDS_QUEUE, { connection: bullConnection(env.config.REDIS_URL, 'worker'), prefix: env.config.QUEUE_PREFIX });
    try {
      expect(await queue.remove(accepted.body.id)).toBe(1);
    } finally {
      await queue.close();
    }
    await new Promise((r) => setTimeout(r, 5500)); // older than the 5 s a fresh command is given
    await env.startWorker();
    const run = await reconcile();
    expect(run.result.counts.commandsRequeued).toBeGreaterThanOrEqual(1);
    const command = await f.waitForCommand(accepted.body.id);
    expect(command.status).toBe('succeeded');
  }, 30_000);

  it("starts each clinic's daily reconciliation once a day, after its local reconciliation time", async () => {
    const { MikroORM } = await import('@mikro-orm/postgresql');
    const { ormConfig } = await import('@app/billing');
    const { submitDueDailyReconciliations } = await import('@app/billing/worker');
    const orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
    try {
      const clinics = Number((await env.db.query('select count(*) from clinic')).rows[0].count);
      // 01:00 in Toronto (06:00 UTC in winter): before every clinic's 02:00.
      expect(await submitDueDailyReconciliations(orm.em.fork(), new Date('2026-12-01T06:00:00Z'))).toHaveLength(0);
      const at3 = new Date('2026-12-01T08:00:00Z');
      const created = await submitDueDailyReconciliations(orm.em.fork(), at3);
      expect(created).toHaveLength(clinics);
      expect(await submitDueDailyReconciliations(orm.em.fork(), at3)).toHaveLength(0);
      const { rows } = await env.db.query(`select request->>'asOf' as as_of, channel from command where id = any($1::uuid[])`, [created]);
      expect(rows.every((r) => r.as_of === '2026-12-01' && r.channel === 'scheduler')).toBe(true);
    } finally {
      await orm.close(true);
    }
  });
});
