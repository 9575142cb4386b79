import { addDays, todayIn } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const TZ = 'America/Toronto';
const today = () => todayIn(TZ);

describe('package and membership lifecycle', () => {
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

  const redeemOk = async (patientId: string, purchaseId: string, serviceId = massage.id) => {
    const visit = await f.visitInvoice(patientId, serviceId);
    const res = await f.redeem({ ...visit, purchaseId });
    expect(res.body.status).toBe('succeeded');
    return { ...visit, command: res.body };
  };
  const rejected = (res: { body: any }, code: string) => expect(res.body).toMatchObject({ status: 'rejected', error: { code } });

  describe('instalments', () => {
    it('splits the price exactly, spaces the due dates and unlocks visits as instalments are paid', async () => {
      const plan = await f.packagePlan(massage.id, 10, 100000, { installments: { count: 3, intervalDays: 30 } });
      const patient = await f.patient();
      const purchase = await f.purchase(patient.id, plan.id, { paymentSchedule: 'installments' });
      expect(purchase.installments).toEqual([
        { number: 1, dueDate: today(), amount: 33334, invoiceId: expect.any(String), status: 'open', amountWrittenOff: 0, balanceDue: 33334 },
        { number: 2, dueDate: addDays(today(), 30), amount: 33333, invoiceId: expect.any(String), status: 'open', amountWrittenOff: 0, balanceDue: 33333 },
        { number: 3, dueDate: addDays(today(), 60), amount: 33333, invoiceId: expect.any(String), status: 'open', amountWrittenOff: 0, balanceDue: 33333 },
      ]);
      expect(purchase.invoices.map((i: any) => i.kind)).toEqual(['installment', 'installment', 'installment']);
      expect(purchase.balances[0]).toMatchObject({ remaining: 10, available: 0 });

      await f.pay(purchase.installments[0].invoiceId, 33334);
      const afterOne = await f.get(`/v1/purchases/${purchase.id}`);
      expect(afterOne.balances[0]).toMatchObject({ remaining: 10, available: 3 }); // floor(10 × 33334 / 100000)
      expect(afterOne.installments[0].status).toBe('paid');
      for (let i = 0; i < 3; i += 1) await redeemOk(patient.id, purchase.id);
      const fourth = await f.visitInvoice(patient.id, massage.id);
      rejected(await f.redeem({ ...fourth, purchaseId: purchase.id }), 'payment_required');
    });

    it('refuses installments for a plan without them', async () => {
      const patient = await f.patient();
      const res = await env.http().post(`/v1/patients/${patient.id}/purchases`).set(bearer(clinic.keys.front_desk)).send({ planId: tenPack.id, paymentSchedule: 'installments' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    });
  });

  describe('insurance-friendly packages', () => {
    it('prices each visit at the package rate and pays it with package credit', async () => {
      // 5 massages (list 12000) + 5 facials (list 9000) for 90000: 10285 and 7714 a visit, 5 left over for the first visit.
      const plan = await f.plan({ kind: 'package', name: 'Insurance pack', price: 90000, insuranceFriendly: true, items: [{ serviceId: massage.id, quantity: 5 }, { serviceId: facial.id, quantity: 5 }] });
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, plan.id);
      const visit = await f.visitInvoice(patient.id, massage.id);
      const before = await f.get(`/v1/invoices/${visit.invoiceId}`);
      expect(before.lines[0]).toMatchObject({ unitPrice: 12000, amount: 12000 });

      const res = await f.redeem({ ...visit, purchaseId: purchase.id });
      expect(res.body).toMatchObject({ status: 'succeeded', result: { coveredAmount: 0, paymentId: expect.any(String) } });
      const invoice = await f.get(`/v1/invoices/${visit.invoiceId}`);
      expect(invoice).toMatchObject({ status: 'paid', total: 10290, amountPaid: 10290, balanceDue: 0 });
      expect(invoice.lines[0]).toMatchObject({ unitPrice: 10290, amount: 10290, redemption: { coveredAmount: 0, paymentId: res.body.result.paymentId } });
      expect(invoice.payments).toEqual([expect.objectContaining({ id: res.body.result.paymentId, amount: 10290, method: 'package_credit' })]);

      const second = await redeemOk(patient.id, purchase.id, facial.id);
      expect((await f.get(`/v1/invoices/${second.invoiceId}`)).total).toBe(7714);
    });

    it('has visit values that add up to the price exactly', async () => {
      const { rows } = await env.db.query(
        `select p.price, p.first_visit_extra + sum(b.total * b.visit_value) as total from purchase p join purchase_balance b on b.purchase_id = p.id
         where p.insurance_friendly group by p.id`,
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(Number(row.total)).toBe(Number(row.price));
    });
  });

  describe('cancellation', () => {
    it('cancels a package now, forfeits its visits and voids its open instalments', async () => {
      const plan = await f.packagePlan(massage.id, 6, 60000, { installments: { count: 2, intervalDays: 30 } });
      const patient = await f.patient();
      const purchase = await f.purchase(patient.id, plan.id, { paymentSchedule: 'installments' });
      await f.pay(purchase.installments[0].invoiceId, 30000);
      await redeemOk(patient.id, purchase.id);
      const res = await f.command(`/v1/purchases/${purchase.id}/cancellation`, { reason: 'moving away' });
      expect(res.body).toMatchObject({ status: 'succeeded', result: { status: 'cancelled' } });
      const after = await f.get(`/v1/purchases/${purchase.id}`);
      expect(after.status).toBe('cancelled');
      expect(after.installments.map((i: any) => i.status)).toEqual(['paid', 'void']);
      expect(after.history.at(-1)).toMatchObject({ type: 'cancelled', quantity: 5, note: 'moving away', commandId: res.body.id, byKeyId: expect.any(String) });
      rejected(await f.command(`/v1/purchases/${purchase.id}/cancellation`, { reason: 'again' }), 'purchase_not_active');
      const visit = await f.visitInvoice(patient.id, massage.id);
      rejected(await f.redeem({ ...visit, purchaseId: purchase.id }), 'purchase_not_active');
    });

    it('keeps a membership active until its cycle ends by default, and cancels now when asked', async () => {
      const plan = await f.membershipPlan(massage.id, 2, 15000);
      const patient = await f.patient();
      const startDate = addDays(today(), -3);
      const later = await f.paidPurchase(patient.id, plan.id, { startDate });
      const res = await f.command(`/v1/purchases/${later.id}/cancellation`, { reason: 'end of month' });
      expect(res.body.result).toMatchObject({ status: 'active', cancelAt: expect.any(String) });
      const details = await f.get(`/v1/purchases/${later.id}`);
      expect(details).toMatchObject({ status: 'active', cancelAt: addDays(details.currentCycle.end, 1) });
      await redeemOk(patient.id, later.id); // still usable in its last cycle

      const now = await f.paidPurchase(patient.id, plan.id);
      const cancelNow = await f.command(`/v1/purchases/${now.id}/cancellation`, { reason: 'now', effective: 'now' });
      expect(cancelNow.body.result.status).toBe('cancelled');
      expect((await f.get(`/v1/purchases/${now.id}`)).status).toBe('cancelled');
    });

    it('is for back office only', async () => {
      const patient = await f.patient();
      const purchase = await f.purchase(patient.id, tenPack.id);
      const res = await f.command(`/v1/purchases/${purchase.id}/cancellation`, { reason: 'x' }, { key: clinic.keys.front_desk });
      expect(res.status).toBe(403);
    });
  });

  describe('refunds', () => {
    it('refunds 70000 of 10 visits for 100000 with 3 used (prorated), cancelling the purchase', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      for (let i = 0; i < 3; i += 1) await redeemOk(patient.id, purchase.id);
      const res = await f.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'card', reason: 'unhappy' });
      expect(res.body).toMatchObject({ status: 'succeeded', result: { amount: 70000, cancelled: true } });
      const after = await f.get(`/v1/purchases/${purchase.id}`);
      expect(after).toMatchObject({ status: 'cancelled', amountPaid: 100000, amountRefunded: 70000 });
      expect(after.history.filter((h: any) => h.type === 'refunded')).toEqual([expect.objectContaining({ amount: 70000, note: 'unhappy', commandId: res.body.id })]);
      const invoice = await f.get(`/v1/invoices/${purchase.invoices[0].id}`);
      expect(invoice).toMatchObject({ status: 'paid', amountPaid: 100000, amountRefunded: 70000, balanceDue: 0 });
      expect(invoice.payments.map((p: any) => p.amount)).toEqual([100000, -70000]);
      rejected(await f.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'card', reason: 'again' }), 'nothing_to_refund');
      rejected(await f.command(`/v1/purchases/${purchase.id}/refunds`, { amount: 30001, method: 'card', reason: 'too much' }), 'refund_exceeds_paid');
      const rest = await f.command(`/v1/purchases/${purchase.id}/refunds`, { amount: 30000, method: 'card', reason: 'goodwill' });
      expect(rest.body.result.amount).toBe(30000);
    });

    it('refunds 64000 under the full-price policy (list price 12000)', async () => {
      const other = await createClinic(env, { name: 'Full price clinic' });
      const g = new Fixtures(env, other);
      const settings = await env.http().patch('/v1/clinic/settings').set(bearer(other.keys.owner)).send({ refundPolicy: 'full_price' });
      expect(settings.status).toBe(200);
      const service = await g.service('Massage 60', 12000);
      const plan = await g.packagePlan(service.id, 10, 100000);
      const patient = await g.patient();
      const purchase = await g.paidPurchase(patient.id, plan.id);
      for (let i = 0; i < 3; i += 1) {
        const visit = await g.visitInvoice(patient.id, service.id);
        expect((await g.redeem({ ...visit, purchaseId: purchase.id })).body.status).toBe('succeeded');
      }
      const res = await g.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'cash', reason: 'policy' });
      expect(res.body.result.amount).toBe(64000);
    });

    it('has nothing to refund on an unpaid purchase', async () => {
      const patient = await f.patient();
      const purchase = await f.purchase(patient.id, tenPack.id);
      rejected(await f.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'card', reason: 'x' }), 'nothing_to_refund');
    });
  });

  describe('transfers to a family member', () => {
    let family: any;
    let parent: any;
    let child: any;
    beforeAll(async () => {
      family = await f.family();
      parent = await f.patient('Parent', 'Lovelace', { familyId: family.id });
      child = await f.patient('Child', 'Lovelace', { familyId: family.id });
    });

    it('moves paid visits to a linked purchase, adds later transfers to it, and counts them as used for refunds', async () => {
      const source = await f.paidPurchase(parent.id, tenPack.id);
      const first = await f.command(`/v1/purchases/${source.id}/transfers`, { toPatientId: child.id, serviceId: massage.id, quantity: 2 });
      expect(first.body).toMatchObject({ status: 'succeeded', result: { targetPurchaseId: expect.any(String), quantity: 2 } });
      const targetId = first.body.result.targetPurchaseId;
      const second = await f.command(`/v1/purchases/${source.id}/transfers`, { toPatientId: child.id, serviceId: massage.id, quantity: 1 });
      expect(second.body.result.targetPurchaseId).toBe(targetId);

      const target = await f.get(`/v1/purchases/${targetId}`);
      expect(target).toMatchObject({ patientId: child.id, sourcePurchaseId: source.id, price: 0, expiresOn: source.expiresOn, status: 'active' });
      expect(target.balances[0]).toMatchObject({ total: 0, transferredIn: 3, remaining: 3, available: 3 });
      const after = await f.get(`/v1/purchases/${source.id}`);
      expect(after.balances[0]).toMatchObject({ transferredOut: 3, remaining: 7, available: 7 });
      expect(after.history.filter((h: any) => h.type === 'transferred_out').map((h: any) => h.quantity)).toEqual([2, 1]);

      await redeemOk(child.id, targetId);
      rejected(await f.command(`/v1/purchases/${targetId}/refunds`, { method: 'card', reason: 'x' }), 'nothing_to_refund');
      const refund = await f.command(`/v1/purchases/${source.id}/refunds`, { method: 'card', reason: 'leaving' });
      expect(refund.body.result.amount).toBe(70000);
    });

    it('refuses in the order of billing-rules.md', async () => {
      const stranger = await f.patient('No', 'Family');
      const source = await f.paidPurchase(parent.id, tenPack.id);
      const transfer = (body: Record<string, unknown>, id = source.id) => f.command(`/v1/purchases/${id}/transfers`, { toPatientId: child.id, serviceId: massage.id, quantity: 1, ...body });
      const membership = await f.paidPurchase(parent.id, (await f.membershipPlan(massage.id, 2, 15000)).id);
      rejected(await transfer({}, membership.id), 'membership_not_transferable');
      rejected(await transfer({ toPatientId: parent.id }), 'same_patient');
      rejected(await transfer({ toPatientId: stranger.id }), 'not_same_family');
      rejected(await transfer({ quantity: 11 }), 'insufficient_balance');
      rejected(await transfer({ serviceId: facial.id }), 'insufficient_balance');
      const unpaid = await f.purchase(parent.id, tenPack.id);
      rejected(await transfer({}, unpaid.id), 'payment_required');
      const expired = await f.paidPurchase(parent.id, (await f.packagePlan(massage.id, 2, 2000, { validityDays: 10 })).id, { startDate: addDays(today(), -20) });
      rejected(await transfer({}, expired.id), 'purchase_expired');
      const res = await env.http().post(`/v1/purchases/${source.id}/transfers`).set(bearer(clinic.keys.billing)).set('Idempotency-Key', 'bad-quantity').send({ toPatientId: child.id, serviceId: massage.id, quantity: 0 });
      expect(res.status).toBe(400);
      // What the command names must exist in the clinic: a 404 that says what, before anything is stored.
      const unknown = '0192f000-0000-7000-8000-000000000000';
      for (const [sent, detail] of [
        [await transfer({ toPatientId: unknown }), 'Patient not found'],
        [await transfer({}, unknown), 'Purchase not found'],
        [await f.command(`/v1/purchases/${unknown}/refunds`, { method: 'card', reason: 'x' }), 'Purchase not found'],
        [await f.command(`/v1/purchases/${unknown}/cancellation`, { reason: 'moving away' }), 'Purchase not found'],
      ] as const) {
        expect({ status: sent.status, detail: sent.body.detail }).toEqual({ status: 404, detail });
      }
    });
  });

  describe('archived plans', () => {
    it('cannot be sold (plan_archived), while purchases already sold keep working', async () => {
      const plan = await f.packagePlan(massage.id, 3, 30000);
      const patient = await f.patient();
      const sold = await f.paidPurchase(patient.id, plan.id);
      await env.http().patch(`/v1/plans/${plan.id}`).set(bearer(clinic.keys.billing)).send({ active: false }).expect(200);
      const res = await env.http().post(`/v1/patients/${patient.id}/purchases`).set(bearer(clinic.keys.front_desk)).send({ planId: plan.id });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('plan_archived');
      await redeemOk(patient.id, sold.id);
    });
  });

  describe('deletion', () => {
    it('deletes an untouched purchase and voids its invoices, keeping their numbers', async () => {
      const patient = await f.patient();
      const purchase = await f.purchase(patient.id, tenPack.id);
      await env.http().delete(`/v1/purchases/${purchase.id}`).set(bearer(clinic.keys.billing)).expect(204);
      await env.http().get(`/v1/purchases/${purchase.id}`).set(bearer(clinic.keys.billing)).expect(404);
      const invoice = await f.get(`/v1/invoices/${purchase.invoices[0].id}`);
      expect(invoice).toMatchObject({ status: 'void', number: purchase.invoices[0].number });
      const list = await f.get(`/v1/patients/${patient.id}/purchases`);
      expect(list.data).toEqual([]);
    });

    it('refuses a purchase that was paid (409 purchase_in_use)', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const res = await env.http().delete(`/v1/purchases/${purchase.id}`).set(bearer(clinic.keys.billing));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('purchase_in_use');
      await env.http().delete(`/v1/purchases/${purchase.id}`).set(bearer(clinic.keys.front_desk)).expect(403);
    });
  });

  describe('membership allowances', () => {
    it('refuses with membership_invoice_unpaid inside the grace days no more', async () => {
      const graceful = await createClinic(env, { name: 'Graceful', settings: { membershipGraceDays: 60 } });
      const g = new Fixtures(env, graceful);
      const service = await g.service();
      const plan = await g.membershipPlan(service.id, 2, 15000);
      const patient = await g.patient();
      const purchase = await g.purchase(patient.id, plan.id, { startDate: addDays(today(), -40) });
      const visit = await g.visitInvoice(patient.id, service.id);
      // Within the grace days the earlier invoice does not block; the current cycle is not billed yet.
      rejected(await g.redeem({ ...visit, purchaseId: purchase.id }), 'payment_required');
    });

    it('allows the cycle allowance and no more', async () => {
      const plan = await f.membershipPlan(massage.id, 2, 15000);
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, plan.id);
      await redeemOk(patient.id, purchase.id);
      await redeemOk(patient.id, purchase.id);
      const third = await f.visitInvoice(patient.id, massage.id);
      rejected(await f.redeem({ ...third, purchaseId: purchase.id }), 'insufficient_balance');
    });
  });

  it('changes nothing when a cancellation, a refund or a transfer job is processed again', async () => {
    const family = await f.family('Again');
    const a = await f.patient('A', 'Again', { familyId: family.id });
    const b = await f.patient('B', 'Again', { familyId: family.id });
    const purchase = await f.paidPurchase(a.id, tenPack.id);
    const transfer = await f.command(`/v1/purchases/${purchase.id}/transfers`, { toPatientId: b.id, serviceId: massage.id, quantity: 1 });
    const refund = await f.command(`/v1/purchases/${purchase.id}/refunds`, { amount: 1000, method: 'card', reason: 'partial' });
    const other = await f.paidPurchase(a.id, tenPack.id);
    const cancel = await f.command(`/v1/purchases/${other.id}/cancellation`, { reason: 'x' });
    for (const res of [transfer, refund, cancel]) expect(res.body.status).toBe('succeeded');
    const before = await f.effectCounts();
    for (const res of [transfer, refund, cancel]) expect(await f.redeliver(res.body.id)).toBe('skipped');
    expect(await f.effectCounts()).toEqual(before);
  });
});
