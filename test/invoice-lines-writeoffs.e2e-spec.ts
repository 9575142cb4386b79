// Issue 14, desk side: tip and charge lines (a paid invoice reopens, a void one refuses), only
// service lines redeemable, patient portions, write-offs of a cancelled package's partly paid
// instalment, and the retry of a failed command. Over HTTP with the real worker.
import { addDays, ormConfig, todayIn, verifyLedger } from '@app/billing';
import { MikroORM } from '@mikro-orm/postgresql';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const TZ = 'America/Toronto';

describe('invoice lines, patient portions, write-offs and retries (e2e)', () => {
  let env: TestEnv;
  let orm: MikroORM;
  let clinic: TestClinic;
  let other: TestClinic;
  let f: Fixtures;
  let massage: any;

  beforeAll(async () => {
    // Two attempts per round keep the failing command quick.
    env = await startTestEnv({ env: { COMMAND_ATTEMPTS: '2' } });
    orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
    clinic = await createClinic(env);
    other = await createClinic(env);
    f = new Fixtures(env, clinic);
    massage = await f.service('Massage 60', 12000);
  }, 120_000);
  afterAll(async () => {
    await orm?.close(true);
    await env?.close();
  });

  const as = (role: 'owner' | 'billing' | 'front_desk' | 'online', c = clinic) => bearer(c.keys[role]);
  const addLine = (invoiceId: string, body: Record<string, unknown>, role: 'front_desk' | 'online' = 'front_desk') =>
    env.http().post(`/v1/invoices/${invoiceId}/lines`).set(as(role)).send(body);
  const invoice = (id: string) => f.get(`/v1/invoices/${id}`);

  describe('tip and charge lines', () => {
    it('a tip on a redeemed (paid) invoice reopens it for the tip; paying the tip pays it again', async () => {
      const patient = await f.patient('Tia', 'Tipper');
      const purchase = await f.paidPurchase(patient.id, (await f.packagePlan(massage.id, 5, 50000)).id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      expect((await f.redeem({ ...visit, purchaseId: purchase.id })).body.status).toBe('succeeded');
      expect(await invoice(visit.invoiceId)).toMatchObject({ status: 'paid', balanceDue: 0 });

      const tip = await addLine(visit.invoiceId, { kind: 'tip', description: 'Tip', amount: 1500 });
      expect(tip.status).toBe(201);
      expect(tip.body).toMatchObject({ id: expect.any(String), serviceId: null, kind: 'tip', description: 'Tip', quantity: 1, unitPrice: 1500, amount: 1500, taxCodes: [] });
      expect(tip.body.redemption).toBeUndefined();
      const reopened = await invoice(visit.invoiceId);
      expect(reopened).toMatchObject({ status: 'open', total: 13500, balanceDue: 1500, amountWrittenOff: 0 });
      expect(reopened.lines.map((l: any) => l.kind)).toEqual(['service', 'tip']);

      // A charge is taxed by its own codes, which must be the clinic's.
      await env.http().patch('/v1/clinic/settings').set(as('owner')).send({ taxes: [{ code: 'HST', name: 'HST', rate: '13' }] }).expect(200);
      const charge = await addLine(visit.invoiceId, { kind: 'charge', description: 'Massage oil', amount: 2500, taxCodes: ['HST'] });
      expect(charge.status).toBe(201);
      expect(charge.body).toMatchObject({ kind: 'charge', serviceId: null, amount: 2500, taxCodes: ['HST'], taxes: [{ code: 'HST', rate: '13', amount: 325 }] });
      await f.pay(visit.invoiceId, 4325);
      expect(await invoice(visit.invoiceId)).toMatchObject({ status: 'paid', total: 16325, amountPaid: 4325, balanceDue: 0 });
    });

    it('a void invoice refuses any line (invoice_void); nothing is written', async () => {
      const patient = await f.patient('Val', 'Void');
      const { invoiceId } = await f.visitInvoice(patient.id, massage.id);
      await env.db.query(`update invoice set status = 'void', voided_at = now() where id = $1`, [invoiceId]);
      for (const body of [{ kind: 'tip', description: 'Tip', amount: 100 }, { kind: 'charge', description: 'Oil', amount: 100 }, { serviceId: massage.id }]) {
        const res = await addLine(invoiceId, body);
        expect(res.body.code).toBe('invoice_void');
        expect(res.status).toBe(409);
      }
      expect((await invoice(invoiceId)).lines).toHaveLength(1);
    });

    it.each([
      ['tip without amount', { kind: 'tip', description: 'Tip' }, 'amount'],
      ['tip of 0', { kind: 'tip', description: 'Tip', amount: 0 }, 'amount'],
      ['tip of 1.5', { kind: 'tip', description: 'Tip', amount: 1.5 }, 'amount'],
      ['tip without description', { kind: 'tip', amount: 100 }, 'description'],
      ['tip with taxCodes', { kind: 'tip', description: 'Tip', amount: 100, taxCodes: ['HST'] }, 'taxCodes'],
      ['tip with empty taxCodes', { kind: 'tip', description: 'Tip', amount: 100, taxCodes: [] }, 'taxCodes'],
      ['tip with a serviceId', { kind: 'tip', description: 'Tip', amount: 100, serviceId: '0190a0a0-0000-7000-8000-000000000000' }, 'serviceId'],
      ['charge with taxCodes not strings', { kind: 'charge', description: 'Oil', amount: 100, taxCodes: [13] }, 'taxCodes'],
      ['service with an amount', { amount: 100, serviceId: '0190a0a0-0000-7000-8000-000000000000' }, 'amount'],
      ['service with taxCodes', { kind: 'service', serviceId: '0190a0a0-0000-7000-8000-000000000000', taxCodes: [] }, 'taxCodes'],
      ['charge with a quantity', { kind: 'charge', description: 'Oil', amount: 100, quantity: 2 }, 'quantity'],
      ['kind plan', { kind: 'plan', description: 'x', amount: 100 }, 'kind'],
      ['nothing', {}, 'serviceId'],
    ])('400 validation_failed: %s', async (_label, body, field) => {
      const patient = await f.patient('Vic', 'Invalid');
      const { invoiceId } = await f.visitInvoice(patient.id, massage.id);
      const res = await addLine(invoiceId, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: any) => e.field)).toContain(field);
    });

    it('a tip or charge line is not redeemable: service_not_covered, with or without a purchase named; the redeemable list is empty', async () => {
      const patient = await f.patient('Nora', 'Notcovered');
      const purchase = await f.paidPurchase(patient.id, (await f.packagePlan(massage.id, 5, 50000)).id);
      const blank = (await env.http().post('/v1/invoices').set(as('front_desk')).send({ patientId: patient.id }).expect(201)).body;
      const tip = (await addLine(blank.id, { kind: 'tip', description: 'Tip', amount: 1500 })).body;
      const charge = (await addLine(blank.id, { kind: 'charge', description: 'Oil', amount: 900 })).body;
      for (const line of [tip, charge]) {
        for (const body of [{ invoiceId: blank.id, lineId: line.id, purchaseId: purchase.id }, { invoiceId: blank.id, lineId: line.id }]) {
          const res = await f.redeem(body);
          expect(res.body).toMatchObject({ status: 'rejected', error: { code: 'service_not_covered' } });
        }
      }
      const redeemable = await f.get(`/v1/invoices/${blank.id}/redeemable`);
      expect(redeemable.lines.every((l: any) => l.options.length === 0)).toBe(true);
      expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0].used).toBe(0);
    });

    it('another clinic’s invoice is 404', async () => {
      const patient = await f.patient('Oz', 'Other');
      const { invoiceId } = await f.visitInvoice(patient.id, massage.id);
      const res = await env.http().post(`/v1/invoices/${invoiceId}/lines`).set(as('front_desk', other)).send({ kind: 'tip', description: 'Tip', amount: 100 });
      expect(res.status).toBe(404);
    });
  });

  describe("tips and charges on a purchase's invoices (its extras)", () => {
    const liability = async (planId: string) => (await f.get(`/v1/reports/liability?asOf=${todayIn(TZ)}`)).plans.find((r: any) => r.planId === planId);

    it('a tip on a paid package invoice reopens it; visits stay unlocked; paying it closes it; the liability report and refunds see the plan only', async () => {
      await env.http().patch('/v1/clinic/settings').set(as('owner')).send({ taxes: [{ code: 'HST', name: 'HST', rate: '13' }] }).expect(200);
      const plan = await f.packagePlan(massage.id, 5, 50000, { name: 'Tipped 5' });
      const patient = await f.patient('Pia', 'Packagetip');
      const purchase = await f.paidPurchase(patient.id, plan.id);
      const packageInvoiceId = purchase.invoices[0].id;
      expect((await f.redeem({ ...(await f.visitInvoice(patient.id, massage.id)), purchaseId: purchase.id })).body.status).toBe('succeeded');
      const before = await liability(plan.id);
      expect(before).toMatchObject({ paid: 50000, recognized: 10000, outstanding: 40000 });

      const tip = await addLine(packageInvoiceId, { kind: 'tip', description: 'Tip', amount: 1500 });
      expect(tip.status).toBe(201);
      expect(tip.body).toMatchObject({ kind: 'tip', amount: 1500, taxes: [] });
      expect(await invoice(packageInvoiceId)).toMatchObject({ status: 'open', total: 51500, amountPaid: 50000, balanceDue: 1500 });
      // The plan is paid: its visits stay unlocked, the purchase's money is the plan's, the report does not move.
      const tipped = await f.get(`/v1/purchases/${purchase.id}`);
      expect(tipped).toMatchObject({ amountPaid: 50000 });
      expect(tipped.balances[0]).toMatchObject({ used: 1, available: 4 });
      expect(await liability(plan.id)).toEqual(before);
      expect((await f.redeem({ ...(await f.visitInvoice(patient.id, massage.id)), purchaseId: purchase.id })).body.status).toBe('succeeded');

      // A charge is taxed by its codes; a service line stays a visit invoice's (invoice_not_open).
      const charge = await addLine(packageInvoiceId, { kind: 'charge', description: 'Massage oil', amount: 2500, taxCodes: ['HST'] });
      expect(charge.status).toBe(201);
      expect(charge.body).toMatchObject({ kind: 'charge', amount: 2500, taxes: [{ code: 'HST', rate: '13', amount: 325 }] });
      const service = await addLine(packageInvoiceId, { serviceId: massage.id });
      expect(service.status).toBe(409);
      expect(service.body.code).toBe('invoice_not_open');
      expect(await invoice(packageInvoiceId)).toMatchObject({ status: 'open', subtotal: 54000, taxTotal: 325, total: 54325, balanceDue: 4325 });

      const afterVisits = await liability(plan.id);
      expect(afterVisits).toMatchObject({ paid: 50000, recognized: 20000, outstanding: 30000 });
      await f.pay(packageInvoiceId, 4325);
      expect(await invoice(packageInvoiceId)).toMatchObject({ status: 'paid', amountPaid: 54325, balanceDue: 0 });
      expect(await liability(plan.id)).toEqual(afterVisits);
      expect((await f.get(`/v1/purchases/${purchase.id}`)).amountPaid).toBe(50000);

      // The refund returns the plan's unused visits only (3 × 10000), untaxed like the plan.
      const refund = await f.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'card', reason: 'Moving away' });
      expect(refund.body).toMatchObject({ status: 'succeeded', result: { amount: 30000, taxAmount: 0, cancelled: true } });
      expect(await liability(plan.id)).toMatchObject({ paid: 50000, refunded: 30000, recognized: 20000, forfeited: 0, outstanding: 0 });
      const verified = await verifyLedger(orm.em.fork());
      expect(verified.checks.filter((c) => c.violations > 0)).toEqual([]);
    });

    it("an instalment's and a membership cycle's invoice take extras too; the cycle's visits stay unlocked while only the tip is due", async () => {
      const instalments = await f.packagePlan(massage.id, 4, 40000, { name: 'Tipped parts', installments: { count: 2, intervalDays: 30 } });
      const patient = await f.patient('Ima', 'Instalmenttip');
      const bought = await f.purchase(patient.id, instalments.id, { paymentSchedule: 'installments' });
      const [first] = bought.installments;
      await f.pay(first.invoiceId, 20000);
      expect((await addLine(first.invoiceId, { kind: 'tip', description: 'Tip', amount: 700 })).status).toBe(201);
      expect(await invoice(first.invoiceId)).toMatchObject({ status: 'open', total: 20700, balanceDue: 700 });
      // Half the price paid: two visits unlocked, whatever the tip owes.
      expect((await f.get(`/v1/purchases/${bought.id}`)).balances[0]).toMatchObject({ available: 2 });

      const monthly = await f.membershipPlan(massage.id, 2, 8000, { name: 'Tipped monthly' });
      const member = await f.patient('Mo', 'Membertip');
      const membership = await f.paidPurchase(member.id, monthly.id);
      const cycleInvoiceId = membership.invoices[0].id;
      expect((await addLine(cycleInvoiceId, { kind: 'charge', description: 'Towel', amount: 1000 })).status).toBe(201);
      expect(await invoice(cycleInvoiceId)).toMatchObject({ status: 'open', balanceDue: 1000 });
      expect((await f.redeem({ ...(await f.visitInvoice(member.id, massage.id)), purchaseId: membership.id })).body.status).toBe('succeeded');
      // Paying the charge is money received (revenue's payments), never the membership's: recognized and the liability stay.
      const today = todayIn(TZ);
      const revenue = async () => (await f.get(`/v1/reports/revenue?from=${today}&to=${today}`)).days[0];
      const [revenueBefore, liabilityBefore] = [await revenue(), await liability(monthly.id)];
      expect(liabilityBefore).toMatchObject({ paid: 8000, recognized: 8000 });
      await f.pay(cycleInvoiceId, 1000);
      expect(await invoice(cycleInvoiceId)).toMatchObject({ status: 'paid', balanceDue: 0 });
      expect((await f.get(`/v1/purchases/${membership.id}`)).amountPaid).toBe(8000);
      expect(await revenue()).toEqual({ ...revenueBefore, payments: revenueBefore.payments + 1000 });
      expect(await liability(monthly.id)).toEqual(liabilityBefore);
      const verified = await verifyLedger(orm.em.fork());
      expect(verified.checks.filter((c) => c.violations > 0)).toEqual([]);
    });

    it('a void or written-off purchase invoice refuses extras as before', async () => {
      // A clinic of its own: the write-off tests list this clinic's written-off invoices.
      const own = await createClinic(env);
      const g = new Fixtures(env, own);
      const plan = await g.packagePlan((await g.service('Massage 60', 12000)).id, 4, 40000, { name: 'Closed parts', installments: { count: 2, intervalDays: 30 } });
      const patient = await g.patient('Cy', 'Closed');
      const bought = await g.purchase(patient.id, plan.id, { paymentSchedule: 'installments' });
      const [first, second] = bought.installments;
      await g.pay(first.invoiceId, 5000);
      expect((await g.command(`/v1/purchases/${bought.id}/cancellation`, { reason: 'Closed' })).body.status).toBe('succeeded');
      for (const [invoiceId, code] of [[first.invoiceId, 'invoice_not_open'], [second.invoiceId, 'invoice_void']]) {
        const res = await env.http().post(`/v1/invoices/${invoiceId}/lines`).set(as('front_desk', own)).send({ kind: 'tip', description: 'Tip', amount: 100 });
        expect(res.status).toBe(409);
        expect(res.body.code).toBe(code);
      }
    });
  });

  describe('patient portion', () => {
    it('a package with a portion covers the line less the portion; the patient pays the portion', async () => {
      const plan = await f.plan({ kind: 'package', name: 'Co-pay 5', price: 50000, items: [{ serviceId: massage.id, quantity: 5, patientPortion: 2000 }] });
      const patient = await f.patient('Pat', 'Portion');
      const purchase = await f.paidPurchase(patient.id, plan.id);
      // A later change of the plan's portion does not touch the sold purchase (snapshot at sale).
      await env.http().patch(`/v1/plans/${plan.id}`).set(as('owner')).send({ items: [{ serviceId: massage.id, patientPortion: 9000 }] }).expect(200);
      const visit = await f.visitInvoice(patient.id, massage.id, 2);
      const res = await f.redeem({ ...visit, purchaseId: purchase.id });
      expect(res.body).toMatchObject({ status: 'succeeded', result: { coveredAmount: 24000 - 2 * 2000 } });
      const inv = await invoice(visit.invoiceId);
      expect(inv).toMatchObject({ status: 'open', total: 24000, balanceDue: 4000 });
      expect(inv.lines[0].redemption).toMatchObject({ coveredAmount: 20000 });
      await f.pay(visit.invoiceId, 4000);
      expect(await invoice(visit.invoiceId)).toMatchObject({ status: 'paid', balanceDue: 0 });
    });

    it('insurance-friendly: the line is priced at the visit value plus the portion, the package credit pays the visit value', async () => {
      const plan = await f.plan({ kind: 'package', name: 'Insured 10', price: 100000, insuranceFriendly: true, items: [{ serviceId: massage.id, quantity: 10, patientPortion: 1500 }] });
      const patient = await f.patient('Ian', 'Insured');
      const purchase = await f.paidPurchase(patient.id, plan.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      const res = await f.redeem({ ...visit, purchaseId: purchase.id });
      expect(res.body).toMatchObject({ status: 'succeeded', result: { coveredAmount: 0, paymentId: expect.any(String) } });
      const inv = await invoice(visit.invoiceId);
      expect(inv.lines[0]).toMatchObject({ unitPrice: 11500, amount: 11500, redemption: { coveredAmount: 0, paymentId: res.body.result.paymentId } });
      expect(inv.payments).toEqual([expect.objectContaining({ method: 'package_credit', amount: 10000 })]);
      expect(inv).toMatchObject({ status: 'open', total: 11500, amountPaid: 10000, balanceDue: 1500 });
    });
  });

  describe('write-offs', () => {
    it('cancelling a package writes off its partly paid instalment: written_off, amountWrittenOff, balanceDue 0, off the overdue lists; the unpaid one is void', async () => {
      const today = todayIn(TZ);
      const plan = await f.packagePlan(massage.id, 9, 90000, { name: 'Three parts', installments: { count: 3, intervalDays: 30 } });
      const patient = await f.patient('Wren', 'Writeoff');
      // Started 40 days ago: the first instalment is due 40 days ago, the second 10 days ago (overdue), the third in 20 days.
      const purchase = await f.purchase(patient.id, plan.id, { paymentSchedule: 'installments', startDate: addDays(today, -40) });
      const [first, second, third] = purchase.installments;
      await f.pay(first.invoiceId, 30000);
      await f.pay(second.invoiceId, 10000);

      const overdueBefore = await f.get('/v1/invoices?overdue=true&kind=installment');
      expect(overdueBefore.data.map((i: any) => i.id)).toContain(second.invoiceId);
      expect((await f.get('/v1/dashboard')).overdueInstallments.map((i: any) => i.invoiceId)).toContain(second.invoiceId);

      const cancelled = await f.command(`/v1/purchases/${purchase.id}/cancellation`, { reason: 'Moving away' });
      expect(cancelled.body).toMatchObject({ status: 'succeeded', result: { status: 'cancelled', voidedInvoices: 1 } });

      expect(await invoice(second.invoiceId)).toMatchObject({ status: 'written_off', total: 30000, amountPaid: 10000, amountWrittenOff: 20000, balanceDue: 0 });
      expect(await invoice(third.invoiceId)).toMatchObject({ status: 'void', amountWrittenOff: 0, balanceDue: 30000 - 0 });
      expect(await invoice(first.invoiceId)).toMatchObject({ status: 'paid', amountWrittenOff: 0, balanceDue: 0 });

      const details = await f.get(`/v1/purchases/${purchase.id}`);
      expect(details.installments.map((i: any) => [i.status, i.amountWrittenOff, i.balanceDue])).toEqual([
        ['paid', 0, 0],
        ['written_off', 20000, 0],
        ['void', 0, 30000],
      ]);
      expect(details.invoices.find((i: any) => i.id === second.invoiceId)).toMatchObject({ status: 'written_off', amountWrittenOff: 20000, balanceDue: 0 });

      expect((await f.get('/v1/invoices?overdue=true&kind=installment')).data.map((i: any) => i.id)).not.toContain(second.invoiceId);
      const dashboard = await f.get('/v1/dashboard');
      expect(dashboard.overdueInstallments.map((i: any) => i.invoiceId)).not.toContain(second.invoiceId);
      expect((await f.get('/v1/invoices?status=written_off')).data.map((i: any) => i.id)).toEqual([second.invoiceId]);

      // A written-off invoice takes no more money and no lines.
      const pay = await env.http().post(`/v1/invoices/${second.invoiceId}/payments`).set(as('front_desk')).send({ amount: 1, method: 'cash' });
      expect(pay.status).toBe(422);
      expect(pay.body.code).toBe('overpayment');

      const verified = await verifyLedger(orm.em.fork());
      expect(verified.checks.filter((c) => c.violations > 0)).toEqual([]);
    });

    it('a refund that cancels a partly paid instalment plan writes off the rest and records the refund on the same invoice', async () => {
      const today = todayIn(TZ);
      const plan = await f.packagePlan(massage.id, 4, 40000, { name: 'Two parts', installments: { count: 2, intervalDays: 30 } });
      const patient = await f.patient('Rae', 'Refund');
      const purchase = await f.purchase(patient.id, plan.id, { paymentSchedule: 'installments', startDate: today });
      const [first] = purchase.installments;
      await f.pay(first.invoiceId, 5000);
      const refund = await f.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'card', reason: 'Changed mind' });
      expect(refund.body).toMatchObject({ status: 'succeeded', result: { amount: 5000, cancelled: true } });
      expect(await invoice(first.invoiceId)).toMatchObject({ status: 'written_off', amountPaid: 5000, amountRefunded: 5000, amountWrittenOff: 15000, balanceDue: 0 });
      const verified = await verifyLedger(orm.em.fork());
      expect(verified.checks.filter((c) => c.violations > 0)).toEqual([]);
    });
  });

  describe('retry of a failed command', () => {
    it('a failed redemption, retried after the fault is gone, succeeds once under the same id with its effects once; attempts keep counting', async () => {
      const patient = await f.patient('Ray', 'Retry');
      const purchase = await f.paidPurchase(patient.id, (await f.packagePlan(massage.id, 5, 50000)).id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      // An unexpected database error on every attempt (test/failed-commands.e2e-spec.ts).
      await env.db.query(`create function cb_test_retry_boom() returns trigger language plpgsql as $$ begin raise exception 'boom'; end $$`);
      await env.db.query(`create trigger cb_test_retry_boom before insert on ledger_entry for each row execute function cb_test_retry_boom()`);
      let failed: any;
      try {
        const posted = await f.redeem({ ...visit, purchaseId: purchase.id }, { wait: 0 });
        expect(posted.status).toBe(202);
        failed = await f.waitForCommand(posted.body.id, 20_000);
      } finally {
        await env.db.query('drop trigger cb_test_retry_boom on ledger_entry');
        await env.db.query('drop function cb_test_retry_boom()');
      }
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'internal_error' } });

      // front_desk may not retry; another clinic's command is unknown.
      expect((await env.http().post(`/v1/commands/${failed.id}/retry`).set(as('front_desk'))).status).toBe(403);
      const elsewhere = await env.http().post(`/v1/commands/${failed.id}/retry`).set(as('billing', other));
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body.code).toBe('not_found');

      const retried = await env.http().post(`/v1/commands/${failed.id}/retry`).set(as('billing'));
      expect(retried.status).toBe(202);
      expect(retried.headers.location).toBe(`/v1/commands/${failed.id}`);
      expect(retried.body).toMatchObject({ id: failed.id, type: 'redemption', status: 'queued', request: failed.request });
      expect(retried.body.error).toBeUndefined();

      const done = await f.waitForCommand(failed.id, 20_000);
      expect(done).toMatchObject({ id: failed.id, status: 'succeeded', attempts: 3, result: { purchaseId: purchase.id, coveredAmount: 12000 } });
      const ledger = await env.db.query(`select count(*)::int as n from ledger_entry where command_id = $1`, [failed.id]);
      expect(ledger.rows[0].n).toBe(1);
      expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0].used).toBe(1);
      expect(await invoice(visit.invoiceId)).toMatchObject({ status: 'paid', balanceDue: 0 });

      // Once more, and a redelivery of its job: nothing applies twice.
      const again = await env.http().post(`/v1/commands/${failed.id}/retry`).set(as('owner'));
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('not_retryable');
      await f.redeliver(failed.id);
      expect((await env.db.query(`select count(*)::int as n from ledger_entry where command_id = $1`, [failed.id])).rows[0].n).toBe(1);
      expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0].used).toBe(1);
    });

    it('409 not_retryable for a rejected command; 404 for an unknown id', async () => {
      const patient = await f.patient('Rex', 'Rejected');
      const visit = await f.visitInvoice(patient.id, massage.id);
      const rejected = await f.redeem(visit);
      expect(rejected.body.status).toBe('rejected');
      const res = await env.http().post(`/v1/commands/${rejected.body.id}/retry`).set(as('billing'));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('not_retryable');
      expect((await env.http().post('/v1/commands/0190a0a0-0000-7000-8000-000000000000/retry').set(as('billing'))).status).toBe(404);
    });
  });
});
