import { addDays, todayIn } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const TZ = 'America/Toronto';

describe('redemption end to end', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let massage: any;
  let facial: any;
  let tenPack: any;

  beforeAll(async () => {
    env = await startTestEnv();
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
    massage = await f.service('Massage 60', 12000);
    facial = await f.service('Facial', 9000);
    tenPack = await f.packagePlan(massage.id, 10, 100000);
  });
  afterAll(async () => {
    await env?.close();
  });

  const ledgerRows = async (commandId: string) =>
    (await env.db.query('select * from ledger_entry where command_id = $1', [commandId])).rows;

  it('redeems a paid package on an appointment invoice: line covered, invoice paid, balance and history updated', async () => {
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, tenPack.id);
    const { invoiceId, lineId } = await f.appointmentInvoice(patient.id, massage.id);

    const res = await f.redeem({ invoiceId, lineId, purchaseId: purchase.id });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBe(`/v1/commands/${res.body.id}`);
    expect(res.body).toMatchObject({
      type: 'redemption',
      status: 'succeeded',
      attempts: 1,
      request: { invoiceId, lineId, purchaseId: purchase.id },
      result: { purchaseId: purchase.id, coveredAmount: 12000 },
    });
    // The waited answer comes from the worker's notification: exactly what GET shows.
    expect(res.body).toStrictEqual(await f.get(`/v1/commands/${res.body.id}`));

    const invoice = await f.get(`/v1/invoices/${invoiceId}`);
    expect(invoice).toMatchObject({ status: 'paid', total: 12000, amountPaid: 0, balanceDue: 0 });
    expect(invoice.lines[0].redemption).toMatchObject({ purchaseId: purchase.id, commandId: res.body.id, coveredAmount: 12000 });

    const after = await f.get(`/v1/purchases/${purchase.id}`);
    expect(after.balances[0]).toMatchObject({ serviceId: massage.id, total: 10, used: 1, remaining: 9, available: 9 });
    const redeemed = after.history.filter((h: any) => h.type === 'redeemed');
    expect(redeemed).toEqual([expect.objectContaining({ quantity: 1, serviceId: massage.id, invoiceId, commandId: res.body.id, byKeyId: expect.any(String) })]);
    expect(await ledgerRows(res.body.id)).toHaveLength(1);
  });

  it('redeems on a blank invoice without purchaseId, choosing the membership first', async () => {
    const patient = await f.patient('Grace', 'Hopper');
    const membership = await f.membershipPlan(massage.id, 2, 15000);
    const pack = await f.paidPurchase(patient.id, tenPack.id);
    const member = await f.paidPurchase(patient.id, membership.id);
    const { invoiceId, lineId } = await f.visitInvoice(patient.id, massage.id);

    const redeemable = await f.get(`/v1/invoices/${invoiceId}/redeemable`);
    expect(redeemable.lines[0].options.map((o: any) => o.purchaseId)).toEqual([member.id, pack.id]);
    expect(redeemable.lines[0].options[0]).toMatchObject({ kind: 'membership', remaining: 2, planName: membership.name });

    const res = await f.redeem({ invoiceId, lineId });
    expect(res.body).toMatchObject({ status: 'succeeded', result: { purchaseId: member.id, coveredAmount: 12000 } });
    const details = await f.get(`/v1/purchases/${member.id}`);
    expect(details.balances[0]).toMatchObject({ total: 2, used: 1, remaining: 1 });
    expect(details.currentCycle).toMatchObject({ start: member.startDate, invoiceId: member.invoices[0].id });
  });

  it('marks a package exhausted when its last visit is used', async () => {
    const patient = await f.patient();
    const single = await f.packagePlan(massage.id, 1, 12000);
    const purchase = await f.paidPurchase(patient.id, single.id);
    const { invoiceId, lineId } = await f.visitInvoice(patient.id, massage.id);
    expect((await f.redeem({ invoiceId, lineId, purchaseId: purchase.id })).body.status).toBe('succeeded');
    expect((await f.get(`/v1/purchases/${purchase.id}`)).status).toBe('exhausted');
    const again = await f.visitInvoice(patient.id, massage.id);
    const res = await f.redeem({ ...again, purchaseId: purchase.id });
    expect(res.body).toMatchObject({ status: 'rejected', error: { code: 'purchase_not_active', status: 422 } });
  });

  describe('refusals, in the order of billing-rules.md', () => {
    const rejectedWith = async (body: Record<string, unknown>, code: string) => {
      const res = await f.redeem(body);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'rejected', error: { code } });
      expect(res.body.error).toMatchObject({ type: expect.any(String), title: expect.any(String), detail: expect.any(String), status: expect.any(Number) });
      expect(await ledgerRows(res.body.id)).toHaveLength(0);
      return res.body;
    };

    it('invoice_void', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      await env.db.query(`update invoice set status = 'void' where id = $1`, [visit.invoiceId]);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'invoice_void');
    });

    it('line_already_redeemed', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      expect((await f.redeem({ ...visit, purchaseId: purchase.id })).body.status).toBe('succeeded');
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'line_already_redeemed');
    });

    it('line_already_redeemed for a line already paid with money', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      await f.pay(visit.invoiceId, 12000);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'line_already_redeemed');
    });

    it('patient_mismatch', async () => {
      const owner = await f.patient('Owner', 'One');
      const other = await f.patient('Other', 'Two');
      const purchase = await f.paidPurchase(owner.id, tenPack.id);
      const visit = await f.visitInvoice(other.id, massage.id);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'patient_mismatch');
    });

    it('purchase_not_started', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id, { startDate: addDays(todayIn(TZ), 5) });
      const visit = await f.visitInvoice(patient.id, massage.id);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'purchase_not_started');
    });

    it('purchase_expired', async () => {
      const patient = await f.patient();
      const shortPack = await f.packagePlan(massage.id, 5, 50000, { validityDays: 30 });
      const purchase = await f.paidPurchase(patient.id, shortPack.id, { startDate: addDays(todayIn(TZ), -30) });
      expect(purchase.expiresOn).toBe(addDays(todayIn(TZ), -1));
      const visit = await f.visitInvoice(patient.id, massage.id);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'purchase_expired');
    });

    it('service_not_covered', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, facial.id);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'service_not_covered');
    });

    it('insufficient_balance', async () => {
      const patient = await f.patient();
      const twoPack = await f.packagePlan(massage.id, 2, 20000);
      const purchase = await f.paidPurchase(patient.id, twoPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id, 3);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'insufficient_balance');
    });

    it('membership_invoice_unpaid: an earlier cycle unpaid past the grace days', async () => {
      const patient = await f.patient();
      const membership = await f.membershipPlan(massage.id, 4, 15000);
      // Started 40 days ago: today is in the second cycle, the first cycle's invoice is unpaid.
      const purchase = await f.purchase(patient.id, membership.id, { startDate: addDays(todayIn(TZ), -40) });
      const visit = await f.visitInvoice(patient.id, massage.id);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'membership_invoice_unpaid');
    });

    it('payment_required: an unpaid package, and an unpaid membership cycle', async () => {
      const patient = await f.patient();
      const pack = await f.purchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      await rejectedWith({ ...visit, purchaseId: pack.id }, 'payment_required');
      const membership = await f.membershipPlan(massage.id, 2, 15000);
      const member = await f.purchase(patient.id, membership.id);
      await rejectedWith({ ...visit, purchaseId: member.id }, 'payment_required');
    });

    it('no_eligible_purchase', async () => {
      const patient = await f.patient();
      await f.purchase(patient.id, tenPack.id); // unpaid: not eligible
      const visit = await f.visitInvoice(patient.id, massage.id);
      await rejectedWith(visit, 'no_eligible_purchase');
    });

    it('checks in order: a void invoice wins over a wrong patient', async () => {
      const owner = await f.patient();
      const other = await f.patient();
      const purchase = await f.paidPurchase(owner.id, tenPack.id);
      const visit = await f.visitInvoice(other.id, massage.id);
      await env.db.query(`update invoice set status = 'void' where id = $1`, [visit.invoiceId]);
      await rejectedWith({ ...visit, purchaseId: purchase.id }, 'invoice_void');
    });
  });

  describe('idempotency', () => {
    it('requires an Idempotency-Key', async () => {
      const res = await env.http().post('/v1/redemptions').set(bearer(clinic.keys.front_desk)).send({ invoiceId: crypto.randomUUID(), lineId: crypto.randomUUID() });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('idempotency_key_required');
    });

    it('replays the same command for the same key and body, and refuses the key with another body', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      const key = idem();
      const first = await f.redeem({ ...visit, purchaseId: purchase.id }, { idempotencyKey: key });
      const replay = await f.redeem({ purchaseId: purchase.id, ...visit }, { idempotencyKey: key });
      expect(replay.status).toBe(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
      const other = await f.visitInvoice(patient.id, massage.id);
      const reused = await f.redeem({ ...other, purchaseId: purchase.id }, { idempotencyKey: key });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
    });

    it('gives one command and one effect for 20 concurrent posts with one key', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      const key = idem();
      const answers = await Promise.all(Array.from({ length: 20 }, () => f.redeem({ ...visit, purchaseId: purchase.id }, { idempotencyKey: key, wait: 0 })));
      expect(answers.every((a) => a.status === 200 || a.status === 202)).toBe(true);
      const ids = new Set(answers.map((a) => a.body.id));
      expect(ids.size).toBe(1);
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      const command = await f.waitForCommand([...ids][0]);
      expect(command.status).toBe('succeeded');
      expect(await ledgerRows(command.id)).toHaveLength(1);
      expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0].used).toBe(1);
    });
  });

  it('gives exactly 5 successes for 20 concurrent redemptions on a 5-visit package', async () => {
    const patient = await f.patient();
    const fivePack = await f.packagePlan(massage.id, 5, 50000);
    const purchase = await f.paidPurchase(patient.id, fivePack.id);
    const visits = await Promise.all(Array.from({ length: 20 }, () => f.visitInvoice(patient.id, massage.id)));
    const answers = await Promise.all(visits.map((v) => f.redeem({ ...v, purchaseId: purchase.id }, { wait: 0 })));
    const commands = await Promise.all(answers.map((a) => f.waitForCommand(a.body.id, 20_000)));
    expect(commands.filter((c) => c.status === 'succeeded')).toHaveLength(5);
    expect(commands.filter((c) => c.status === 'rejected')).toHaveLength(15);
    const details = await f.get(`/v1/purchases/${purchase.id}`);
    expect(details.balances[0]).toMatchObject({ used: 5, remaining: 0 });
    expect(details.status).toBe('exhausted');
    const { rows } = await env.db.query(`select coalesce(sum(visits), 0)::int as sum from ledger_entry where purchase_id = $1`, [purchase.id]);
    expect(rows[0].sum).toBe(0);
  });

  it('changes nothing when the same job is processed a second time', async () => {
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, tenPack.id);
    const visit = await f.visitInvoice(patient.id, massage.id);
    const first = await f.redeem({ ...visit, purchaseId: purchase.id });
    expect(first.body.status).toBe('succeeded');

    expect(await f.redeliver(first.body.id)).toBe('skipped');
    expect(await ledgerRows(first.body.id)).toHaveLength(1);
    const after = await f.get(`/v1/commands/${first.body.id}`);
    expect(after).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0].used).toBe(1);
  });

  describe('access', () => {
    it('keeps clinics apart: another clinic gets 404 for a purchase, an invoice and a command', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      const done = await f.redeem({ ...visit, purchaseId: purchase.id });
      const stranger = await createClinic(env, { name: 'Elsewhere' });
      const as = (path: string) => env.http().get(path).set(bearer(stranger.keys.owner));
      expect((await as(`/v1/purchases/${purchase.id}`)).status).toBe(404);
      expect((await as(`/v1/invoices/${visit.invoiceId}/redeemable`)).status).toBe(404);
      expect((await as(`/v1/commands/${done.body.id}`)).status).toBe(404);
      const res = await f.redeem({ ...visit, purchaseId: purchase.id }, { key: stranger.keys.owner });
      expect(res.status).toBe(404);
    });

    it('names what is missing (404) and stores nothing: the key stays free for a good request', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      const elsewhere = new Fixtures(env, await createClinic(env, { name: 'Stranger' }));
      const theirPlan = await elsewhere.packagePlan((await elsewhere.service('Theirs', 5000)).id, 5, 20000);
      const theirs = await elsewhere.paidPurchase((await elsewhere.patient()).id, theirPlan.id);
      const unknown = '0192f000-0000-7000-8000-000000000000';
      const key = idem('missing');
      const commandsBefore = (await env.db.query('select count(*)::int as n from command')).rows[0].n;
      for (const [body, detail] of [
        [{ ...visit, invoiceId: unknown }, 'Invoice not found'],
        [{ ...visit, lineId: unknown }, 'Invoice line not found'],
        [{ ...visit, purchaseId: theirs.id }, 'Purchase not found'],
      ] as const) {
        const res = await f.redeem(body, { idempotencyKey: key });
        expect({ status: res.status, code: res.body.code, detail: res.body.detail }).toEqual({ status: 404, code: 'not_found', detail });
      }
      expect((await env.db.query('select count(*)::int as n from command')).rows[0].n).toBe(commandsBefore);
      expect((await env.db.query('select count(*)::int as n from idempotency_record where key = $1', [key])).rows[0].n).toBe(0);
      const good = await f.redeem({ ...visit, purchaseId: purchase.id }, { idempotencyKey: key });
      expect({ status: good.status, state: good.body.status }).toEqual({ status: 200, state: 'succeeded' });
    });

    it('lets front desk redeem and buy, but not the online channel', async () => {
      const patient = await f.patient();
      const online = await env.http().post(`/v1/patients/${patient.id}/purchases`).set(bearer(clinic.keys.online)).send({ planId: tenPack.id });
      expect(online.status).toBe(403);
      expect(online.body.code).toBe('forbidden');
      const desk = await env.http().post(`/v1/patients/${patient.id}/purchases`).set(bearer(clinic.keys.front_desk)).send({ planId: tenPack.id });
      expect(desk.status).toBe(201);
      const visit = await f.visitInvoice(patient.id, massage.id);
      const redeemOnline = await f.redeem({ ...visit }, { key: clinic.keys.online });
      expect(redeemOnline.status).toBe(403);
    });
  });
});
