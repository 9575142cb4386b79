import { addDays, cycleStart, formatVerifyReport, ormConfig, todayIn, verifyLedger } from '@app/billing';
import { MikroORM } from '@mikro-orm/postgresql';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

// Extending a package, pausing and resuming a membership (billing-rules.md "Extending a package",
// "Pausing a membership"), over HTTP with the real worker.

const TZ = 'America/Toronto';
const today = () => todayIn(TZ);
/** Noon in Toronto on a date: an appointment whose service date is that date. */
const noonOn = (date: string) => `${date}T17:00:00.000Z`;

describe('extensions, pauses and resumes', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let orm: MikroORM;
  let massage: any;
  let shortPackage: any;
  let monthly: any;

  beforeAll(async () => {
    // Reconciles ahead of today (paused cycles are always after the current one).
    env = await startTestEnv({ env: { ALLOW_FUTURE_AS_OF: 'true' } });
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
    orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
    massage = await f.service('Massage 60', 12000);
    shortPackage = await f.packagePlan(massage.id, 2, 20000, { validityDays: 10 });
    monthly = await f.membershipPlan(massage.id, 2, 15000, { rollover: true });
  });
  afterAll(async () => {
    await orm?.close(true);
    await env?.close();
  });

  const rejected = (res: any, code: string) => {
    expect({ status: res.body.status, code: res.body.error?.code }).toEqual({ status: 'rejected', code });
  };
  const succeeded = (res: any) => {
    expect({ status: res.status, commandStatus: res.body.status, error: res.body.error }).toEqual({ status: 200, commandStatus: 'succeeded', error: undefined });
    return res.body;
  };
  const reconcile = async (asOf: string) => succeeded(await f.command('/v1/reconciliations', { asOf }, { wait: 30 }));
  const cycleInvoices = async (purchaseId: string) =>
    (await env.db.query(`select cycle_start::text, id, status from invoice where purchase_id = $1 and kind = 'membership' order by cycle_start`, [purchaseId])).rows;
  const expectLedgerClean = async () => {
    const result = await verifyLedger(orm.em.fork());
    expect(result.clean ? 'clean' : formatVerifyReport(result)).toBe('clean');
  };

  describe('extension', () => {
    it('revives an expired package whose new expiry is today or later; a redemption then works; a replay changes nothing', async () => {
      const patient = await f.patient('Extended', 'Package');
      const bought = await f.paidPurchase(patient.id, shortPackage.id, { startDate: addDays(today(), -20) });
      const oldExpiry = addDays(today(), -11);
      expect(bought.expiresOn).toBe(oldExpiry);
      await reconcile(today());
      expect((await f.get(`/v1/purchases/${bought.id}`)).status).toBe('expired');
      const visit = await f.appointmentInvoice(patient.id, massage.id, noonOn(today()));
      rejected(await f.redeem({ invoiceId: visit.invoiceId, lineId: visit.lineId, purchaseId: bought.id }), 'purchase_expired');

      const newExpiry = addDays(today(), 30);
      const key = idem('extend');
      const res = await f.command(`/v1/purchases/${bought.id}/extension`, { expiresOn: newExpiry, reason: 'Goodwill: away for surgery' }, { idempotencyKey: key });
      const command = succeeded(res);
      expect(command).toMatchObject({ type: 'extension', result: { purchaseId: bought.id, previousExpiresOn: oldExpiry, expiresOn: newExpiry, status: 'active' } });

      const purchase = await f.get(`/v1/purchases/${bought.id}`);
      expect(purchase).toMatchObject({ status: 'active', expiresOn: newExpiry, pausedCycles: [] });
      const keyId = (await env.db.query(`select requested_by_key_id from command where id = $1`, [command.id])).rows[0].requested_by_key_id;
      expect(purchase.history.filter((h: any) => h.type === 'extended')).toEqual([
        expect.objectContaining({ type: 'extended', previousExpiresOn: oldExpiry, expiresOn: newExpiry, note: 'Goodwill: away for surgery', commandId: command.id, byKeyId: keyId }),
      ]);
      expect((await f.redeem({ invoiceId: visit.invoiceId, lineId: visit.lineId, purchaseId: bought.id })).body.status).toBe('succeeded');

      const before = await f.effectCounts();
      const replay = await f.command(`/v1/purchases/${bought.id}/extension`, { expiresOn: newExpiry, reason: 'Goodwill: away for surgery' }, { idempotencyKey: key });
      expect({ status: replay.status, id: replay.body.id, replayed: replay.headers['idempotent-replayed'] }).toEqual({ status: 200, id: command.id, replayed: 'true' });
      expect(await f.effectCounts()).toEqual(before);
      expect((await f.get(`/v1/purchases/${bought.id}`)).history.filter((h: any) => h.type === 'extended')).toHaveLength(1);
      await expectLedgerClean();

      // The verifier knows an extension's one effect: a command without it (here, the entry mislabelled) is a violation.
      const rollBack = new Error('roll back the corruption');
      let corrupted: any;
      await orm.em.fork().transactional(async (tx) => {
        await tx.execute(`update ledger_entry set type = 'paused' where command_id = ?`, [command.id]);
        corrupted = await verifyLedger(tx);
        throw rollBack;
      }).catch((error) => { if (error !== rollBack) throw error; });
      expect(corrupted.checks.find((c: any) => c.name === 'succeeded_command_effects')).toMatchObject({ violations: 1, examples: [expect.stringContaining(`extension command ${command.id}`)] });
      await expectLedgerClean();
    });

    it('an expired package extended to a date still past stays expired', async () => {
      const patient = await f.patient('Still', 'Expired');
      const bought = await f.paidPurchase(patient.id, shortPackage.id, { startDate: addDays(today(), -30) });
      await reconcile(today());
      const res = succeeded(await f.command(`/v1/purchases/${bought.id}/extension`, { expiresOn: addDays(today(), -1), reason: 'Backdated' }));
      expect(res.result).toMatchObject({ status: 'expired', expiresOn: addDays(today(), -1) });
      expect((await f.get(`/v1/purchases/${bought.id}`)).status).toBe('expired');
    });

    it('refuses in the written order: not_extendable, purchase_not_active, extension_not_later', async () => {
      const patient = await f.patient('Refused', 'Extension');
      const member = await f.purchase(patient.id, monthly.id);
      rejected(await f.command(`/v1/purchases/${member.id}/extension`, { expiresOn: addDays(today(), 400), reason: 'x' }), 'not_extendable');
      const forever = await f.purchase(patient.id, (await f.packagePlan(massage.id, 3, 30000)).id);
      rejected(await f.command(`/v1/purchases/${forever.id}/extension`, { expiresOn: addDays(today(), 400), reason: 'x' }), 'not_extendable');

      const cancelled = await f.purchase(patient.id, shortPackage.id);
      succeeded(await f.command(`/v1/purchases/${cancelled.id}/cancellation`, { reason: 'Moved away' }));
      // Cancelled, and the date is not later either: purchase_not_active comes first.
      rejected(await f.command(`/v1/purchases/${cancelled.id}/extension`, { expiresOn: cancelled.expiresOn, reason: 'x' }), 'purchase_not_active');

      const active = await f.purchase(patient.id, shortPackage.id);
      rejected(await f.command(`/v1/purchases/${active.id}/extension`, { expiresOn: active.expiresOn, reason: 'x' }), 'extension_not_later');
      rejected(await f.command(`/v1/purchases/${active.id}/extension`, { expiresOn: addDays(active.expiresOn, -1), reason: 'x' }), 'extension_not_later');
      expect((await f.get(`/v1/purchases/${active.id}`)).history.some((h: any) => h.type === 'extended')).toBe(false);
    });

    it('validates the body and the role, and names a missing purchase', async () => {
      const patient = await f.patient('Bad', 'Input');
      const bought = await f.purchase(patient.id, shortPackage.id);
      const post = (body: object, key = clinic.keys.billing) =>
        env.http().post(`/v1/purchases/${bought.id}/extension`).set(bearer(key)).set('Idempotency-Key', idem('bad')).send(body);
      expect((await post({ expiresOn: '2027-02-30', reason: 'x' })).body.code).toBe('validation_failed');
      expect((await post({ expiresOn: addDays(today(), 40) })).body.code).toBe('validation_failed');
      expect((await post({ expiresOn: addDays(today(), 40), reason: 'x', extra: 1 })).status).toBe(400);
      expect((await post({ expiresOn: addDays(today(), 40), reason: 'x' }, clinic.keys.front_desk)).status).toBe(403);
      const missing = await env.http().post(`/v1/purchases/0193f3a0-0000-7000-8000-000000000000/extension`).set(bearer(clinic.keys.billing))
        .set('Idempotency-Key', idem('missing')).send({ expiresOn: addDays(today(), 40), reason: 'x' });
      expect(missing.status).toBe(404);
    });
  });

  describe('pause and resume', () => {
    it('pauses the cycles after the current one: no invoice for them, purchase_paused in them, no rollover across them', async () => {
      const patient = await f.patient('Paused', 'Member');
      const member = await f.paidPurchase(patient.id, monthly.id, { startDate: today() });
      const start = member.startDate;
      const c = (k: number) => cycleStart(start, 'month', k);
      const key = idem('pause');
      const pause = succeeded(await f.command(`/v1/purchases/${member.id}/pause`, { cycles: 2, reason: 'Travelling' }, { idempotencyKey: key }));
      const paused = [
        { start: c(1), end: addDays(c(2), -1) },
        { start: c(2), end: addDays(c(3), -1) },
      ];
      expect(pause).toMatchObject({ type: 'pause', request: { purchaseId: member.id, cycles: 2, reason: 'Travelling' }, result: { purchaseId: member.id, paused, pausedCycles: paused } });

      const details = await f.get(`/v1/purchases/${member.id}`);
      expect(details.pausedCycles).toEqual(paused);
      expect(details.history.filter((h: any) => h.type === 'paused')).toEqual([
        expect.objectContaining({ quantity: 2, cycles: paused, note: 'Travelling', commandId: pause.id }),
      ]);
      const list = await f.get(`/v1/patients/${patient.id}/purchases`);
      expect(list.data.find((p: any) => p.id === member.id).pausedCycles).toEqual(paused);

      // Replayed: the same command, nothing more written.
      const before = await f.effectCounts();
      const replay = await f.command(`/v1/purchases/${member.id}/pause`, { cycles: 2, reason: 'Travelling' }, { idempotencyKey: key });
      expect({ status: replay.status, id: replay.body.id }).toEqual({ status: 200, id: pause.id });
      expect(await f.effectCounts()).toEqual(before);
      rejected(await f.command(`/v1/purchases/${member.id}/pause`, { cycles: 1, reason: 'Again' }), 'already_paused');

      // Reconciliation bills nothing for the paused cycles, then the next one again; idempotent.
      await reconcile(c(3));
      expect((await cycleInvoices(member.id)).map((i) => i.cycle_start)).toEqual([c(0), c(3)]);
      await reconcile(c(3));
      expect((await cycleInvoices(member.id)).map((i) => i.cycle_start)).toEqual([c(0), c(3)]);

      // A visit dated in a paused cycle.
      const inPause = await f.appointmentInvoice(patient.id, massage.id, noonOn(addDays(c(1), 3)));
      rejected(await f.redeem({ invoiceId: inPause.invoiceId, lineId: inPause.lineId, purchaseId: member.id }), 'purchase_paused');
      expect((await f.get(`/v1/invoices/${inPause.invoiceId}/redeemable`)).lines[0].options).toEqual([]);

      // The cycle after the pause: its own 2 visits, nothing carried from before the pause.
      const cycle3 = (await cycleInvoices(member.id)).find((i) => i.cycle_start === c(3))!;
      await f.pay(cycle3.id, 15000);
      const after = await f.appointmentInvoice(patient.id, massage.id, noonOn(c(3)));
      const options = (await f.get(`/v1/invoices/${after.invoiceId}/redeemable`)).lines[0].options;
      expect(options.map((o: any) => ({ purchaseId: o.purchaseId, remaining: o.remaining }))).toEqual([{ purchaseId: member.id, remaining: 2 }]);
      expect((await f.redeem({ invoiceId: after.invoiceId, lineId: after.lineId, purchaseId: member.id })).body.status).toBe('succeeded');
      await expectLedgerClean();
    });

    it('without a pause the same membership carries the unused visits into the next cycle (the control)', async () => {
      const patient = await f.patient('Unpaused', 'Member');
      const member = await f.paidPurchase(patient.id, monthly.id, { startDate: today() });
      const c1 = cycleStart(member.startDate, 'month', 1);
      await reconcile(c1);
      const cycle1 = (await cycleInvoices(member.id)).find((i) => i.cycle_start === c1)!;
      await f.pay(cycle1.id, 15000);
      const visit = await f.appointmentInvoice(patient.id, massage.id, noonOn(c1));
      expect((await f.get(`/v1/invoices/${visit.invoiceId}/redeemable`)).lines[0].options.map((o: any) => o.remaining)).toEqual([4]);
    });

    it('resume unpauses the cycles not started: they are billed again; then not_paused', async () => {
      const patient = await f.patient('Resumed', 'Member');
      const member = await f.paidPurchase(patient.id, monthly.id, { startDate: today() });
      const c = (k: number) => cycleStart(member.startDate, 'month', k);
      succeeded(await f.command(`/v1/purchases/${member.id}/pause`, { cycles: 3, reason: 'Injury' }));
      const key = idem('resume');
      const resume = succeeded(await f.command(`/v1/purchases/${member.id}/resume`, { reason: 'Back early' }, { idempotencyKey: key }));
      expect(resume.result).toMatchObject({ purchaseId: member.id, pausedCycles: [] });
      expect(resume.result.unpaused.map((p: any) => p.start)).toEqual([c(1), c(2), c(3)]);
      const details = await f.get(`/v1/purchases/${member.id}`);
      expect(details.pausedCycles).toEqual([]);
      expect(details.history.filter((h: any) => h.type === 'resumed')).toEqual([expect.objectContaining({ quantity: 3, note: 'Back early', commandId: resume.id })]);

      const before = await f.effectCounts();
      const replay = await f.command(`/v1/purchases/${member.id}/resume`, { reason: 'Back early' }, { idempotencyKey: key });
      expect({ status: replay.status, id: replay.body.id }).toEqual({ status: 200, id: resume.id });
      expect(await f.effectCounts()).toEqual(before);
      rejected(await f.command(`/v1/purchases/${member.id}/resume`, { reason: 'Again' }), 'not_paused');

      await reconcile(c(2));
      expect((await cycleInvoices(member.id)).map((i) => i.cycle_start)).toEqual([c(0), c(1), c(2)]);
      await expectLedgerClean();
    });

    it('refuses in the written order: not_a_membership, purchase_not_active, already_paused / not_paused', async () => {
      const patient = await f.patient('Refused', 'Pause');
      const pkg = await f.purchase(patient.id, shortPackage.id);
      rejected(await f.command(`/v1/purchases/${pkg.id}/pause`, { cycles: 1, reason: 'x' }), 'not_a_membership');
      rejected(await f.command(`/v1/purchases/${pkg.id}/resume`, { reason: 'x' }), 'not_a_membership');

      // Scheduled to cancel: no pause (and purchase_not_active comes before not_paused... for pause).
      const ending = await f.purchase(patient.id, monthly.id);
      succeeded(await f.command(`/v1/purchases/${ending.id}/cancellation`, { reason: 'Leaving', effective: 'end_of_cycle' }));
      rejected(await f.command(`/v1/purchases/${ending.id}/pause`, { cycles: 1, reason: 'x' }), 'purchase_not_active');

      const gone = await f.purchase(patient.id, monthly.id);
      succeeded(await f.command(`/v1/purchases/${gone.id}/cancellation`, { reason: 'Leaving', effective: 'now' }));
      rejected(await f.command(`/v1/purchases/${gone.id}/pause`, { cycles: 1, reason: 'x' }), 'purchase_not_active');
      rejected(await f.command(`/v1/purchases/${gone.id}/resume`, { reason: 'x' }), 'purchase_not_active');

      const never = await f.purchase(patient.id, monthly.id);
      rejected(await f.command(`/v1/purchases/${never.id}/resume`, { reason: 'x' }), 'not_paused');
      expect((await f.get(`/v1/purchases/${never.id}`)).history.some((h: any) => ['paused', 'resumed'].includes(h.type))).toBe(false);
    });

    it('validates cycles (1..6) and the role', async () => {
      const patient = await f.patient('Bad', 'Pause');
      const member = await f.purchase(patient.id, monthly.id);
      const post = (path: string, body: object, key = clinic.keys.billing) =>
        env.http().post(`/v1/purchases/${member.id}/${path}`).set(bearer(key)).set('Idempotency-Key', idem('bad')).send(body);
      for (const cycles of [0, 7, 1.5, '2']) expect((await post('pause', { cycles, reason: 'x' })).body.code).toBe('validation_failed');
      expect((await post('pause', { cycles: 1 })).body.code).toBe('validation_failed');
      expect((await post('resume', {})).body.code).toBe('validation_failed');
      expect((await post('pause', { cycles: 1, reason: 'x' }, clinic.keys.front_desk)).status).toBe(403);
      expect((await post('resume', { reason: 'x' }, clinic.keys.front_desk)).status).toBe(403);
      expect((await env.http().post(`/v1/purchases/${member.id}/pause`).set(bearer(clinic.keys.billing)).send({ cycles: 1, reason: 'x' })).body.code).toBe('idempotency_key_required');
    });
  });
});
