import { randomUUID } from 'node:crypto';
import { usePipeline, type CommandRow } from './pipeline.js';

// The corrections' handlers against Postgres (issue 14): effects, refusals (writing nothing) and
// a second run of the same command finding nothing to do.
describe('correction handlers against Postgres (integration)', () => {
  const t = usePipeline();
  const { one, refusedWithoutEffects } = t;

  /** A paid package of `visits` and a visit's line redeemed from it. */
  const redeemedVisit = async (visits = 5) => {
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId, invoiceId: packageInvoiceId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits });
    const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
    const redemption = await t.run(t.clinicId, 'redemption', { ...visit, purchaseId });
    expect(redemption.status).toBe('succeeded');
    return { patient, purchaseId, packageInvoiceId, ...visit, redemptionId: redemption.id };
  };

  describe('reversal', () => {
    it('adds a redemption_reversed entry keyed by the redemption, frees the line and reopens the invoice; the line redeems again', async () => {
      const { purchaseId, invoiceId, lineId, redemptionId } = await redeemedVisit(1);
      expect(await one('select status from purchase where id = $1', [purchaseId])).toEqual({ status: 'exhausted' });
      const command = await t.run(t.clinicId, 'reversal', { redemptionId, reason: 'Wrong visit' });
      expect(command).toMatchObject({ status: 'succeeded', result: { redemptionId, invoiceId, lineId, purchaseId, quantity: 1 } });
      expect(await one(`select type, visits, effect_key, details->>'note' as note from ledger_entry where command_id = $1`, [command.id])).toEqual({
        type: 'redemption_reversed', visits: 1, effect_key: `${redemptionId}:given_back`, note: 'Wrong visit',
      });
      expect(await one('select covered_amount::int, redemption_command_id from invoice_line where id = $1', [lineId])).toEqual({ covered_amount: 0, redemption_command_id: null });
      expect(await one('select status, covered_amount::int from invoice where id = $1', [invoiceId])).toEqual({ status: 'open', covered_amount: 0 });
      expect(await one('select used from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ used: 0 });
      expect(await one('select status from purchase where id = $1', [purchaseId])).toEqual({ status: 'active' });
      // Run again (a duplicate delivery): nothing to do.
      expect(await t.runStored(command.id)).toBe('skipped');
      // The line takes a new redemption (new command, new keys).
      expect((await t.run(t.clinicId, 'redemption', { invoiceId, lineId, purchaseId })).status).toBe('succeeded');
    });

    it('refuses not_reversible, already_reversed and purchase_not_active, writing nothing', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      const failed = await t.run(t.clinicId, 'redemption', visit);
      expect(failed.status).toBe('rejected');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'reversal', { redemptionId: failed.id, reason: 'x' }), 'not_reversible');

      const done = await redeemedVisit();
      expect((await t.run(t.clinicId, 'reversal', { redemptionId: done.redemptionId, reason: 'x' })).status).toBe('succeeded');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'reversal', { redemptionId: done.redemptionId, reason: 'again' }), 'already_reversed');

      const cancelled = await redeemedVisit();
      expect((await t.run(t.clinicId, 'cancellation', { purchaseId: cancelled.purchaseId, reason: 'gone' })).status).toBe('succeeded');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'reversal', { redemptionId: cancelled.redemptionId, reason: 'x' }), 'purchase_not_active');
    });
  });

  describe('invoice void', () => {
    it('reverses the redemption and voids the invoice', async () => {
      const { purchaseId, invoiceId, redemptionId } = await redeemedVisit();
      const command = await t.run(t.clinicId, 'invoice_void', { invoiceId, reason: 'Twice' });
      expect(command).toMatchObject({ status: 'succeeded', result: { invoiceId, status: 'void', redemptions: [{ redemptionId, purchaseId, kind: 'redemption_reversed' }] } });
      const invoice = await one<{ status: string; voided: boolean }>('select status, voided_at is not null as voided from invoice where id = $1', [invoiceId]);
      expect(invoice).toEqual({ status: 'void', voided: true });
      expect(await one('select used from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ used: 0 });
    });

    it('refuses invoice_void, invoice_not_voidable and invoice_has_payments, writing nothing', async () => {
      const { invoiceId, packageInvoiceId } = await redeemedVisit();
      await refusedWithoutEffects(() => t.run(t.clinicId, 'invoice_void', { invoiceId: packageInvoiceId, reason: 'x' }), 'invoice_not_voidable');
      expect((await t.run(t.clinicId, 'invoice_void', { invoiceId, reason: 'x' })).status).toBe('succeeded');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'invoice_void', { invoiceId, reason: 'x' }), 'invoice_void');

      const patient = await t.seed.patient(t.clinicId);
      const paid = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      await pay(paid.invoiceId, 4_000);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'invoice_void', { invoiceId: paid.invoiceId, reason: 'x' }), 'invoice_has_payments');
    });
  });

  /** A desk payment, written as the desk writes it (payment row and invoice total). */
  const pay = async (invoiceId: string, amount: number) => {
    await t.db.query(`insert into payment (id, clinic_id, invoice_id, amount, method, effect_key) values ($1, $2, $3, $4, 'cash', $5)`, [randomUUID(), t.clinicId, invoiceId, amount, `desk:${randomUUID()}`]);
    await t.db.query(`update invoice set amount_paid = amount_paid + $2::bigint, status = case when total - covered_amount - amount_paid - $2::bigint = 0 then 'paid' else status end where id = $1`, [invoiceId, amount]);
  };

  describe('invoice refund', () => {
    it('writes one negative payment and amount_refunded, and keeps the status', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { invoiceId } = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      await pay(invoiceId, 10_000);
      const command = await t.run(t.clinicId, 'invoice_refund', { invoiceId, amount: 2_500, method: 'card', reason: 'Sorry' });
      expect(command).toMatchObject({ status: 'succeeded', result: { invoiceId, amount: 2_500, taxAmount: 0 } });
      expect(await one('select amount::int, method, reference from payment where command_id = $1', [command.id])).toEqual({ amount: -2_500, method: 'card', reference: 'Sorry' });
      expect(await one('select status, amount_refunded::int from invoice where id = $1', [invoiceId])).toEqual({ status: 'paid', amount_refunded: 2_500 });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'invoice_refund', { invoiceId, amount: 7_501, method: 'card', reason: 'x' }), 'refund_exceeds_paid');
    });

    it('refuses refund_via_purchase and nothing_to_refund, writing nothing', async () => {
      const { packageInvoiceId, invoiceId } = await redeemedVisit();
      await refusedWithoutEffects(() => t.run(t.clinicId, 'invoice_refund', { invoiceId: packageInvoiceId, method: 'card', reason: 'x' }), 'refund_via_purchase');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'invoice_refund', { invoiceId, method: 'card', reason: 'x' }), 'nothing_to_refund');
    });
  });

  describe('appointment cancellation', () => {
    const appointmentFor = async (patientId: string, invoiceId: string | null) => {
      const id = randomUUID();
      await t.db.query(`insert into appointment (id, clinic_id, patient_id, service_id, starts_at) values ($1, $2, $3, $4, now() + interval '2 days')`, [id, t.clinicId, patientId, t.serviceId]);
      if (invoiceId) await t.db.query('update invoice set appointment_id = $1 where id = $2', [id, invoiceId]);
      return id;
    };

    it('cancels it and voids its invoice, giving the visit back; a second time is appointment_cancelled', async () => {
      const { patient, purchaseId, invoiceId } = await redeemedVisit();
      const appointmentId = await appointmentFor(patient, invoiceId);
      const command = await t.run(t.clinicId, 'appointment_cancellation', { appointmentId, reason: 'Ill' });
      expect(command).toMatchObject({ status: 'succeeded', result: { appointmentId, status: 'cancelled', invoiceId, invoiceVoided: true } });
      expect(await one('select status from appointment where id = $1', [appointmentId])).toEqual({ status: 'cancelled' });
      expect(await one('select status from invoice where id = $1', [invoiceId])).toEqual({ status: 'void' });
      expect(await one('select used from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ used: 0 });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'appointment_cancellation', { appointmentId, reason: 'again' }), 'appointment_cancelled');
    });

    it('refuses invoice_has_payments, writing nothing', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { invoiceId } = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      await pay(invoiceId, 1_000);
      const appointmentId = await appointmentFor(patient, invoiceId);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'appointment_cancellation', { appointmentId }), 'invoice_has_payments');
      expect(await one('select status from appointment where id = $1', [appointmentId])).toEqual({ status: 'booked' });
    });
  });

  // A reversal or a void takes its locks in the order a redemption takes them: the purchase(s),
  // then the invoice. Deterministic interleaving: a session holds the purchase's lock, the
  // redemption queues for it, then the correction does; had the correction locked the invoice
  // first, the redemption (given the purchase) would wait for the invoice it holds: a deadlock.
  describe('lock order against a redemption on the same purchase and invoice', () => {
    /** A visit invoice of two lines, the first redeemed from a 5-visit package. */
    const twoLineVisit = async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 5 });
      const { invoiceId, lineId } = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      const secondLineId = randomUUID();
      await t.db.query(
        `insert into invoice_line (id, clinic_id, invoice_id, service_id, description, quantity, unit_price, amount) values ($1, $2, $3, $4, 'Massage', 1, 10000, 10000)`,
        [secondLineId, t.clinicId, invoiceId, t.serviceId],
      );
      await t.db.query('update invoice set total = 20000, subtotal = 20000 where id = $1', [invoiceId]);
      const redemption = await t.run(t.clinicId, 'redemption', { invoiceId, lineId, purchaseId });
      expect(redemption.status).toBe('succeeded');
      return { purchaseId, invoiceId, lineId, secondLineId, redemptionId: redemption.id };
    };

    /** Runs `first` then `second` while another session holds the purchase's lock, once both wait for a lock. */
    const queuedBehindPurchaseLock = async (purchaseId: string, first: () => Promise<CommandRow>, second: () => Promise<CommandRow>) => {
      const holder = await t.db.connect();
      try {
        await holder.query('begin');
        await holder.query('select id from purchase where id = $1 for update', [purchaseId]);
        const waiting = async (n: number) => {
          for (let i = 0; i < 200; i++) {
            const { rows } = await t.db.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
            if (rows[0].n >= n) return;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          throw new Error(`fewer than ${n} sessions waiting for a lock`);
        };
        const a = first();
        await waiting(1);
        const b = second();
        await waiting(2);
        await holder.query('commit');
        return await Promise.all([a, b]);
      } finally {
        holder.release();
      }
    };

    it('a reversal queued behind a redemption of the other line both succeed', async () => {
      const v = await twoLineVisit();
      const [redemption, reversal] = await queuedBehindPurchaseLock(
        v.purchaseId,
        () => t.run(t.clinicId, 'redemption', { invoiceId: v.invoiceId, lineId: v.secondLineId, purchaseId: v.purchaseId }),
        () => t.run(t.clinicId, 'reversal', { redemptionId: v.redemptionId, reason: 'Wrong line' }),
      );
      expect([redemption.status, reversal.status]).toEqual(['succeeded', 'succeeded']);
      expect(await one('select used from purchase_balance where purchase_id = $1', [v.purchaseId])).toEqual({ used: 1 });
    });

    it('a void queued behind a redemption of the other line gives both visits back', async () => {
      const v = await twoLineVisit();
      const [redemption, voided] = await queuedBehindPurchaseLock(
        v.purchaseId,
        () => t.run(t.clinicId, 'redemption', { invoiceId: v.invoiceId, lineId: v.secondLineId }),
        () => t.run(t.clinicId, 'invoice_void', { invoiceId: v.invoiceId, reason: 'Twice' }),
      );
      expect([redemption.status, voided.status]).toEqual(['succeeded', 'succeeded']);
      expect(voided.result!.redemptions).toHaveLength(2);
      expect(await one('select used from purchase_balance where purchase_id = $1', [v.purchaseId])).toEqual({ used: 0 });
    });
  });
});
