// Corrections end to end (issue 14; billing-rules.md "Correcting"): reversal, invoice void,
// invoice refund and appointment/booking cancellation over HTTP with the real worker. Every
// refusal code, the effects, exactly-once under replay and redelivery, then a clean verifier.
import { formatVerifyReport, ormConfig, verifyLedger } from '@app/billing';
import { MikroORM } from '@mikro-orm/postgresql';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

describe('corrections end to end', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let massage: any;
  let tenPack: any;
  let onePack: any;
  let insurancePack: any;

  beforeAll(async () => {
    env = await startTestEnv();
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
    massage = await f.service('Massage 60', 12000);
    tenPack = await f.packagePlan(massage.id, 10, 100000);
    onePack = await f.packagePlan(massage.id, 1, 10000);
    insurancePack = await f.packagePlan(massage.id, 10, 90000, { insuranceFriendly: true });
  });
  afterAll(async () => {
    await env?.close();
  });

  const reverse = (redemptionId: string, reason = 'Wrong patient', options: { key?: string; idempotencyKey?: string } = {}) =>
    f.command(`/v1/redemptions/${redemptionId}/reversal`, { reason }, { key: options.key ?? clinic.keys.front_desk, ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}) });
  const voidInvoice = (invoiceId: string, reason = 'Booked twice') => f.command(`/v1/invoices/${invoiceId}/void`, { reason });
  const refundInvoice = (invoiceId: string, body: Record<string, unknown>) => f.command(`/v1/invoices/${invoiceId}/refunds`, { method: 'card', reason: 'Unhappy', ...body });
  const rejectedWith = (res: any, code: string) => {
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', error: { code } });
  };
  const created = async (path: string, body: Record<string, unknown>) => {
    const res = await env.http().post(path).set(bearer(clinic.keys.owner)).send(body);
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const ledgerOf = async (commandId: string) => (await env.db.query('select * from ledger_entry where command_id = $1 order by created_at', [commandId])).rows;

  /** A paid purchase, an appointment invoice and a succeeded redemption of its line. */
  async function redeemed(planId = tenPack.id) {
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, planId);
    const { invoiceId, lineId, appointmentId } = await f.appointmentInvoice(patient.id, massage.id);
    const redemption = await f.redeem({ invoiceId, lineId, purchaseId: purchase.id });
    expect(redemption.body.status).toBe('succeeded');
    return { patient, purchase, invoiceId, lineId, appointmentId, redemptionId: redemption.body.id as string };
  }

  describe('reversal', () => {
    it('gives the visit back as a new ledger entry, frees the line, reopens the invoice and records who and why', async () => {
      const { purchase, invoiceId, lineId, redemptionId } = await redeemed();
      const redeemedEntry = (await ledgerOf(redemptionId))[0];

      const res = await reverse(redemptionId, 'Redeemed on the wrong visit');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        type: 'reversal',
        status: 'succeeded',
        request: { redemptionId, reason: 'Redeemed on the wrong visit' },
        result: { redemptionId, invoiceId, lineId, purchaseId: purchase.id, quantity: 1 },
      });

      // Append-only: the redeemed entry is untouched, the give-back is its own entry with its own key.
      const entries = await ledgerOf(res.body.id);
      expect(entries).toEqual([expect.objectContaining({ type: 'redemption_reversed', visits: 1, purchase_id: purchase.id, invoice_id: invoiceId, effect_key: `${redemptionId}:given_back` })]);
      expect((await ledgerOf(redemptionId))[0]).toEqual(redeemedEntry);

      const invoice = await f.get(`/v1/invoices/${invoiceId}`);
      expect(invoice).toMatchObject({ status: 'open', total: 12000, amountPaid: 0, balanceDue: 12000 });
      expect(invoice.lines[0].redemption ?? null).toBeNull();

      const after = await f.get(`/v1/purchases/${purchase.id}`);
      expect(after.balances[0]).toMatchObject({ used: 0, remaining: 10 });
      const keys = await env.db.query('select id from api_key where clinic_id = $1 and role = $2', [clinic.id, 'front_desk']);
      expect(after.history).toContainEqual(expect.objectContaining({
        type: 'redemption_reversed', quantity: 1, invoiceId, commandId: res.body.id, note: 'Redeemed on the wrong visit', byKeyId: keys.rows[0].id,
      }));

      // The line can be redeemed again by a new command; the old one is reversed for good.
      const again = await f.redeem({ invoiceId, lineId, purchaseId: purchase.id });
      expect(again.body).toMatchObject({ status: 'succeeded', result: { coveredAmount: 12000 } });
      expect(await f.get(`/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'paid', balanceDue: 0 });
      rejectedWith(await reverse(redemptionId), 'already_reversed');
      // And the new redemption reverses on its own.
      expect((await reverse(again.body.id)).body.status).toBe('succeeded');
      expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0]).toMatchObject({ used: 0, remaining: 10 });
    });

    it('makes an exhausted package active again', async () => {
      const { purchase, redemptionId } = await redeemed(onePack.id);
      expect((await f.get(`/v1/purchases/${purchase.id}`)).status).toBe('exhausted');
      expect((await reverse(redemptionId)).body.status).toBe('succeeded');
      expect(await f.get(`/v1/purchases/${purchase.id}`)).toMatchObject({ status: 'active', balances: [expect.objectContaining({ remaining: 1 })] });
    });

    it('voids the package_credit payment of an insurance-friendly visit and puts the line back at list price', async () => {
      const { invoiceId, redemptionId } = await redeemed(insurancePack.id);
      const before = await f.get(`/v1/invoices/${invoiceId}`);
      const credit = before.payments.find((p: any) => p.method === 'package_credit');
      expect(credit).toMatchObject({ amount: 9000, voided: false });
      expect(before).toMatchObject({ status: 'paid', total: 9000, amountPaid: 9000 });

      expect((await reverse(redemptionId)).body.status).toBe('succeeded');
      const after = await f.get(`/v1/invoices/${invoiceId}`);
      expect(after).toMatchObject({ status: 'open', total: 12000, amountPaid: 0, balanceDue: 12000 });
      expect(after.lines[0]).toMatchObject({ amount: 12000, unitPrice: 12000 });
      expect(after.payments.find((p: any) => p.id === credit.id)).toMatchObject({ voided: true, amount: 9000 });
    });

    it('refuses in the written order: not_reversible, already_reversed, purchase_not_active; 404 for what is not a redemption of the clinic', async () => {
      // A rejected redemption is not reversible.
      const patient = await f.patient();
      const { invoiceId, lineId } = await f.appointmentInvoice(patient.id, massage.id);
      const failed = await f.redeem({ invoiceId, lineId });
      expect(failed.body).toMatchObject({ status: 'rejected' });
      rejectedWith(await reverse(failed.body.id), 'not_reversible');

      const { purchase, redemptionId } = await redeemed();
      expect((await reverse(redemptionId)).body.status).toBe('succeeded');
      rejectedWith(await reverse(redemptionId), 'already_reversed');

      // A cancelled purchase takes nothing back.
      const other = await redeemed();
      expect((await f.command(`/v1/purchases/${other.purchase.id}/cancellation`, { reason: 'Moved away' })).body.status).toBe('succeeded');
      const counts = await f.effectCounts();
      rejectedWith(await reverse(other.redemptionId), 'purchase_not_active');
      expect(await f.effectCounts()).toEqual(counts);

      // Another command type, an unknown id, another clinic's redemption: 404.
      const cancellation = await f.command(`/v1/purchases/${purchase.id}/cancellation`, { reason: 'x' });
      expect((await reverse(cancellation.body.id)).status).toBe(404);
      expect((await reverse('0190d7a4-0000-7000-8000-000000000000')).status).toBe(404);
      const elsewhere = await createClinic(env, { name: 'Elsewhere' });
      expect((await reverse(redemptionId, 'x', { key: elsewhere.keys.front_desk })).status).toBe(404);
      // The online role may not reverse; a reason is required.
      expect((await reverse(redemptionId, 'x', { key: clinic.keys.online })).status).toBe(403);
      const noReason = await env.http().post(`/v1/redemptions/${redemptionId}/reversal`).set(bearer(clinic.keys.front_desk)).set('Idempotency-Key', idem()).send({});
      expect(noReason.status).toBe(400);
      expect(noReason.body.code).toBe('validation_failed');
    });

    it('the same command twice changes nothing: a replay by Idempotency-Key and a duplicate job delivery', async () => {
      const { redemptionId } = await redeemed();
      const key = idem('reverse');
      const first = await reverse(redemptionId, 'Twice', { idempotencyKey: key });
      expect(first.body.status).toBe('succeeded');
      const counts = await f.effectCounts();
      const replay = await reverse(redemptionId, 'Twice', { idempotencyKey: key });
      expect(replay.status).toBe(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
      expect(await f.redeliver(first.body.id)).toBe('skipped');
      expect(await f.effectCounts()).toEqual(counts);
      expect(await ledgerOf(first.body.id)).toHaveLength(1);
      // GET /v1/commands/:id shows the type.
      expect(await f.get(`/v1/commands/${first.body.id}`)).toMatchObject({ type: 'reversal', status: 'succeeded' });
    });
  });

  describe('invoice void', () => {
    it('reverses every redemption on the invoice (only releases one of a cancelled purchase) and keeps the number', async () => {
      const patient = await f.patient();
      const kept = await f.paidPurchase(patient.id, tenPack.id);
      const gone = await f.paidPurchase(patient.id, tenPack.id);
      const invoice = await created('/v1/invoices', { patientId: patient.id });
      const line1 = await created(`/v1/invoices/${invoice.id}/lines`, { serviceId: massage.id });
      const line2 = await created(`/v1/invoices/${invoice.id}/lines`, { serviceId: massage.id });
      const r1 = await f.redeem({ invoiceId: invoice.id, lineId: line1.id, purchaseId: kept.id });
      const r2 = await f.redeem({ invoiceId: invoice.id, lineId: line2.id, purchaseId: gone.id });
      expect([r1.body.status, r2.body.status]).toEqual(['succeeded', 'succeeded']);
      expect((await f.command(`/v1/purchases/${gone.id}/cancellation`, { reason: 'Moved away' })).body.status).toBe('succeeded');

      const res = await voidInvoice(invoice.id, 'Entered twice');
      expect(res.body).toMatchObject({ type: 'invoice_void', status: 'succeeded', result: { invoiceId: invoice.id, status: 'void' } });
      expect(res.body.result.redemptions).toEqual(expect.arrayContaining([
        { redemptionId: r1.body.id, purchaseId: kept.id, lineId: line1.id, quantity: 1, kind: 'redemption_reversed' },
        { redemptionId: r2.body.id, purchaseId: gone.id, lineId: line2.id, quantity: 1, kind: 'redemption_released' },
      ]));
      const after = await f.get(`/v1/invoices/${invoice.id}`);
      expect(after).toMatchObject({ status: 'void', number: invoice.number });
      expect(after.lines.every((l: any) => !l.redemption)).toBe(true);
      expect((await f.get(`/v1/purchases/${kept.id}`)).balances[0]).toMatchObject({ used: 0 });
      const released = await f.get(`/v1/purchases/${gone.id}`);
      expect(released).toMatchObject({ status: 'cancelled', balances: [expect.objectContaining({ used: 1 })] });
      expect(released.history).toContainEqual(expect.objectContaining({ type: 'redemption_released', quantity: 1, invoiceId: invoice.id, note: 'Entered twice', commandId: res.body.id, byKeyId: expect.any(String) }));
      // A released redemption counts as reversed.
      rejectedWith(await reverse(r2.body.id), 'already_reversed');
      rejectedWith(await reverse(r1.body.id), 'already_reversed');
    });

    it('refuses in the written order: invoice_void, invoice_not_voidable, invoice_has_payments; refunded money no longer counts', async () => {
      const patient = await f.patient();
      const purchase = await f.purchase(patient.id, tenPack.id);
      rejectedWith(await voidInvoice(purchase.invoices[0].id), 'invoice_not_voidable');

      const { invoiceId } = await f.visitInvoice(patient.id, massage.id);
      await f.pay(invoiceId, 5000, 'cash');
      rejectedWith(await voidInvoice(invoiceId), 'invoice_has_payments');
      expect((await refundInvoice(invoiceId, {})).body).toMatchObject({ status: 'succeeded', result: { amount: 5000, taxAmount: 0 } });
      expect((await voidInvoice(invoiceId)).body.status).toBe('succeeded');
      rejectedWith(await voidInvoice(invoiceId), 'invoice_void');
      // front_desk may not void.
      const res = await f.command(`/v1/invoices/${invoiceId}/void`, { reason: 'x' }, { key: clinic.keys.front_desk });
      expect(res.status).toBe(403);
    });

    it('the same void twice changes nothing (replay and redelivery)', async () => {
      const { invoiceId } = await redeemed();
      const key = idem('void');
      const first = await f.command(`/v1/invoices/${invoiceId}/void`, { reason: 'Twice' }, { idempotencyKey: key });
      expect(first.body.status).toBe('succeeded');
      const counts = await f.effectCounts();
      const replay = await f.command(`/v1/invoices/${invoiceId}/void`, { reason: 'Twice' }, { idempotencyKey: key });
      expect(replay.body.id).toBe(first.body.id);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(await f.redeliver(first.body.id)).toBe('skipped');
      expect(await f.effectCounts()).toEqual(counts);
    });
  });

  describe('invoice refund', () => {
    it('records a negative payment that never reopens the invoice; all that is left by default', async () => {
      const patient = await f.patient();
      const { invoiceId } = await f.visitInvoice(patient.id, massage.id);
      await f.pay(invoiceId, 12000, 'card');
      const part = await refundInvoice(invoiceId, { amount: 5000 });
      expect(part.body).toMatchObject({ type: 'invoice_refund', status: 'succeeded', result: { invoiceId, amount: 5000, taxAmount: 0 } });
      let invoice = await f.get(`/v1/invoices/${invoiceId}`);
      expect(invoice).toMatchObject({ status: 'paid', amountPaid: 12000, amountRefunded: 5000, balanceDue: 0 });
      expect(invoice.payments).toContainEqual(expect.objectContaining({ id: part.body.result.paymentId, amount: -5000, method: 'card' }));
      rejectedWith(await refundInvoice(invoiceId, { amount: 7001 }), 'refund_exceeds_paid');
      const rest = await refundInvoice(invoiceId, {});
      expect(rest.body.result).toMatchObject({ amount: 7000, taxAmount: 0 });
      invoice = await f.get(`/v1/invoices/${invoiceId}`);
      expect(invoice).toMatchObject({ status: 'paid', amountRefunded: 12000 });
      rejectedWith(await refundInvoice(invoiceId, {}), 'nothing_to_refund');
    });

    it('refuses in the written order: refund_via_purchase, nothing_to_refund, refund_exceeds_paid', async () => {
      const patient = await f.patient();
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      rejectedWith(await refundInvoice(purchase.invoices[0].id, {}), 'refund_via_purchase');
      // Package credit is not money received.
      const { invoiceId } = await redeemed(insurancePack.id);
      rejectedWith(await refundInvoice(invoiceId, {}), 'nothing_to_refund');
      const other = await f.visitInvoice(patient.id, massage.id);
      await f.pay(other.invoiceId, 3000);
      rejectedWith(await refundInvoice(other.invoiceId, { amount: 3001 }), 'refund_exceeds_paid');
      const bad = await f.command(`/v1/invoices/${other.invoiceId}/refunds`, { amount: 0, method: 'card', reason: 'x' });
      expect(bad.status).toBe(400);
    });

    it('the same refund twice changes nothing (replay and redelivery)', async () => {
      const patient = await f.patient();
      const { invoiceId } = await f.visitInvoice(patient.id, massage.id);
      await f.pay(invoiceId, 12000);
      const key = idem('refund');
      const first = await f.command(`/v1/invoices/${invoiceId}/refunds`, { amount: 1000, method: 'cash', reason: 'Twice' }, { idempotencyKey: key });
      expect(first.body.status).toBe('succeeded');
      const counts = await f.effectCounts();
      const replay = await f.command(`/v1/invoices/${invoiceId}/refunds`, { amount: 1000, method: 'cash', reason: 'Twice' }, { idempotencyKey: key });
      expect(replay.body.id).toBe(first.body.id);
      expect(await f.redeliver(first.body.id)).toBe('skipped');
      expect(await f.effectCounts()).toEqual(counts);
      expect((await f.get(`/v1/invoices/${invoiceId}`)).amountRefunded).toBe(1000);
    });
  });

  describe('appointment and booking cancellation', () => {
    const cancelAppointment = (id: string, reason = 'Patient called', key = clinic.keys.front_desk, idempotencyKey?: string) =>
      f.command(`/v1/appointments/${id}/cancellation`, { reason }, { key, ...(idempotencyKey ? { idempotencyKey } : {}) });
    const cancelBooking = (id: string, key = clinic.keys.online, body: Record<string, unknown> = {}) => f.command(`/v1/bookings/${id}/cancellation`, body, { key });
    const book = async (patientId: string, startsInMs: number, key = clinic.keys.online) => {
      const res = await env.http().post('/v1/bookings').set(bearer(key)).send({ patientId, serviceId: massage.id, startsAt: new Date(Date.now() + startsInMs).toISOString() });
      expect(res.status).toBe(201);
      return res.body;
    };

    it('cancels the appointment and voids its invoice, giving the redeemed visit back', async () => {
      const { purchase, invoiceId, appointmentId, redemptionId } = await redeemed();
      expect(await f.get(`/v1/appointments/${appointmentId}`)).toMatchObject({ id: appointmentId, status: 'booked', invoiceId });
      const res = await cancelAppointment(appointmentId, 'Patient is ill');
      expect(res.body).toMatchObject({
        type: 'appointment_cancellation', status: 'succeeded',
        result: { appointmentId, status: 'cancelled', invoiceId, invoiceVoided: true, redemptions: [expect.objectContaining({ redemptionId, kind: 'redemption_reversed' })] },
      });
      expect(await f.get(`/v1/appointments/${appointmentId}`)).toMatchObject({ status: 'cancelled', invoiceId });
      expect((await f.get(`/v1/invoices/${invoiceId}`)).status).toBe('void');
      const after = await f.get(`/v1/purchases/${purchase.id}`);
      expect(after.balances[0]).toMatchObject({ used: 0 });
      expect(after.history).toContainEqual(expect.objectContaining({ type: 'redemption_reversed', note: 'Patient is ill', commandId: res.body.id }));
      rejectedWith(await cancelAppointment(appointmentId), 'appointment_cancelled');
    });

    it('refuses an appointment whose invoice has money on it (invoice_has_payments); one without an invoice is simply cancelled', async () => {
      const patient = await f.patient();
      const { invoiceId, appointmentId } = await f.appointmentInvoice(patient.id, massage.id);
      await f.pay(invoiceId, 2000);
      rejectedWith(await cancelAppointment(appointmentId), 'invoice_has_payments');
      expect((await f.get(`/v1/appointments/${appointmentId}`)).status).toBe('booked');

      const bare = await created('/v1/appointments', { patientId: patient.id, serviceId: massage.id, startsAt: new Date().toISOString() });
      expect((await cancelAppointment(bare.id)).body.result).toMatchObject({ invoiceId: null, invoiceVoided: false, redemptions: [] });
    });

    it('online: its own bookings only (else 404), within onlineCancellationHours; staff may cancel any', async () => {
      const patient = await f.patient();
      const late = await book(patient.id, 3600_000);
      rejectedWith(await cancelBooking(late.id), 'cancellation_window_passed');
      // Another online key does not see the booking.
      const other = await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: 'other online', role: 'online' });
      expect((await cancelBooking(late.id, other.body.key)).status).toBe(404);
      // Staff are not held to the window.
      const staff = await cancelBooking(late.id, clinic.keys.front_desk, { reason: 'Desk' });
      expect(staff.body).toMatchObject({ type: 'appointment_cancellation', status: 'succeeded', request: { bookingId: late.id } });
      expect((await env.http().get(`/v1/bookings/${late.id}`).set(bearer(clinic.keys.online)).expect(200)).body.invoice.status).toBe('void');

      const early = await book(patient.id, 48 * 3600_000);
      expect((await cancelBooking(early.id)).body).toMatchObject({ status: 'succeeded', result: { appointmentId: early.appointment.id, invoiceVoided: true } });
      rejectedWith(await cancelBooking(early.id), 'appointment_cancelled');

      // The window is the clinic's setting.
      const settings = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ onlineCancellationHours: 0 });
      expect(settings.status).toBe(200);
      expect(settings.body.settings.onlineCancellationHours).toBe(0);
      const soon = await book(patient.id, 600_000);
      expect((await cancelBooking(soon.id)).body.status).toBe('succeeded');
      await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ onlineCancellationHours: 24 }).expect(200);
      for (const bad of [169, -1, 1.5]) {
        const res = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ onlineCancellationHours: bad });
        expect(res.status).toBe(400);
      }
      // The online role cannot use the staff route.
      expect((await cancelAppointment(early.appointment.id, 'x', clinic.keys.online)).status).toBe(403);
    });

    it('the same cancellation twice changes nothing (replay and redelivery)', async () => {
      const { appointmentId } = await redeemed();
      const key = idem('cancel-appt');
      const first = await cancelAppointment(appointmentId, 'Twice', clinic.keys.front_desk, key);
      expect(first.body.status).toBe('succeeded');
      const counts = await f.effectCounts();
      const replay = await cancelAppointment(appointmentId, 'Twice', clinic.keys.front_desk, key);
      expect(replay.body.id).toBe(first.body.id);
      expect(await f.redeliver(first.body.id)).toBe('skipped');
      expect(await f.effectCounts()).toEqual(counts);
    });
  });

  // In a describe of its own: jest runs a block's own tests before its nested blocks.
  describe('after every scenario', () => {
    it('leaves the ledger clean (verifier)', async () => {
      const orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
      try {
        const result = await verifyLedger(orm.em);
        if (!result.clean) throw new Error(formatVerifyReport(result));
        expect(result.clean).toBe(true);
      } finally {
        await orm.close();
      }
    });
  });
});
