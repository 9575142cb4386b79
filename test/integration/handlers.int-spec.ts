import { randomUUID } from 'node:crypto';
import { usePipeline } from './pipeline.js';

// Every command type through its handler, its effects and its refusals (a refusal writes nothing).
describe('command handlers against Postgres (integration)', () => {
  const t = usePipeline();
  const { one, refusedWithoutEffects } = t;


  describe('redemption', () => {
    it('covers the line, pays the invoice, uses a visit and writes the ledger entry', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 5 });
      const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      const command = await t.run(t.clinicId, 'redemption', { ...visit, purchaseId });
      expect(command.status).toBe('succeeded');
      expect(command.result).toMatchObject({ purchaseId, invoiceId: visit.invoiceId, lineId: visit.lineId, serviceId: t.serviceId, quantity: 1, coveredAmount: 10_000 });
      expect(await one('select status, total::int, covered_amount::int, amount_paid::int from invoice where id = $1', [visit.invoiceId])).toEqual({ status: 'paid', total: 10_000, covered_amount: 10_000, amount_paid: 0 });
      expect(await one('select covered_amount::int, redemption_purchase_id, redemption_command_id from invoice_line where id = $1', [visit.lineId])).toEqual({
        covered_amount: 10_000, redemption_purchase_id: purchaseId, redemption_command_id: command.id,
      });
      expect(await one('select used from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ used: 1 });
      expect(await one(`select type, visits, effect_key from ledger_entry where command_id = $1`, [command.id])).toEqual({ type: 'redeemed', visits: -1, effect_key: `${command.id}:redeemed` });
      expect(await one('select status from purchase where id = $1', [purchaseId])).toEqual({ status: 'active' });
    });

    it('chooses the purchase when none is named, and marks a package exhausted by its last visit', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 1, price: 9_000 });
      const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      const command = await t.run(t.clinicId, 'redemption', visit);
      expect(command).toMatchObject({ status: 'succeeded', result: { purchaseId } });
      expect(await one('select status from purchase where id = $1', [purchaseId])).toEqual({ status: 'exhausted' });
    });

    it('refuses a missing invoice, a missing line, a redeemed line, an unpaid package, another patient and an empty balance', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 1 });
      const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      // Rows that vanished after the command was stored (the store checks them: see below).
      await refusedWithoutEffects(() => t.runUnchecked(t.clinicId, 'redemption', { invoiceId: randomUUID(), lineId: visit.lineId, purchaseId }), 'invoice_void');
      await refusedWithoutEffects(() => t.runUnchecked(t.clinicId, 'redemption', { invoiceId: visit.invoiceId, lineId: randomUUID(), purchaseId }), 'line_already_redeemed');

      const unpaid = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { paid: false });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'redemption', { ...visit, purchaseId: unpaid.purchaseId }), 'payment_required');

      const other = await t.seed.patient(t.clinicId);
      const othersVisit = await t.seed.visitInvoice(t.clinicId, other, t.serviceId);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'redemption', { ...othersVisit, purchaseId }), 'patient_mismatch');

      expect((await t.run(t.clinicId, 'redemption', { ...visit, purchaseId })).status).toBe('succeeded');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'redemption', { ...visit, purchaseId }), 'line_already_redeemed');
      const next = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'redemption', { ...next, purchaseId }), 'purchase_not_active');
    });
  });

  describe('cancellation', () => {
    it('cancels a package now: status, forfeited visits in the ledger', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 4 });
      const command = await t.run(t.clinicId, 'cancellation', { purchaseId, reason: 'moving away' });
      expect(command).toMatchObject({ status: 'succeeded', result: { purchaseId, status: 'cancelled', forfeitedVisits: 4, voidedInvoices: 0 } });
      expect(await one('select status from purchase where id = $1', [purchaseId])).toEqual({ status: 'cancelled' });
      expect(await one('select type, details from ledger_entry where command_id = $1', [command.id])).toEqual({ type: 'cancelled', details: { quantity: 4, note: 'moving away' } });
    });

    it('refuses a purchase that is not active, and one that does not exist', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId);
      expect((await t.run(t.clinicId, 'cancellation', { purchaseId, reason: 'first' })).status).toBe('succeeded');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'cancellation', { purchaseId, reason: 'again' }), 'purchase_not_active');
      await t.db.query('update purchase set deleted_at = now() where id = $1', [purchaseId]);
      await refusedWithoutEffects(() => t.runUnchecked(t.clinicId, 'cancellation', { purchaseId, reason: 'deleted' }), 'purchase_not_active');
    });
  });

  describe('refund', () => {
    it('pays back the unused visits of a package as a negative payment, and cancels it', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId, invoiceId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 4, price: 40_000 });
      const command = await t.run(t.clinicId, 'refund', { purchaseId, method: 'card', reason: 'unhappy' });
      expect(command).toMatchObject({ status: 'succeeded', result: { purchaseId, amount: 40_000, allocations: [{ invoiceId, amount: 40_000 }], cancelled: true } });
      expect(await one('select amount::int, method, effect_key from payment where command_id = $1', [command.id])).toEqual({ amount: -40_000, method: 'card', effect_key: `${command.id}:refund:${invoiceId}` });
      expect(await one('select status, amount_paid::int, amount_refunded::int from invoice where id = $1', [invoiceId])).toEqual({ status: 'paid', amount_paid: 40_000, amount_refunded: 40_000 });
      expect(await one('select status from purchase where id = $1', [purchaseId])).toEqual({ status: 'cancelled' });
      const ledger = await t.db.query('select type, amount::int from ledger_entry where command_id = $1 order by type', [command.id]);
      expect(ledger.rows).toEqual([{ type: 'cancelled', amount: 0 }, { type: 'refunded', amount: -40_000 }]);
    });

    it('refuses a purchase with nothing paid, and an amount above what was paid', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const unpaid = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { paid: false });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'refund', { purchaseId: unpaid.purchaseId, method: 'cash', reason: 'nothing paid' }), 'nothing_to_refund');
      const paid = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { price: 40_000 });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'refund', { purchaseId: paid.purchaseId, amount: 40_001, method: 'cash', reason: 'too much' }), 'refund_exceeds_paid');
    });
  });

  describe('transfer', () => {
    it("moves visits to a family member's linked purchase, and adds to it the second time", async () => {
      const family = await t.seed.family(t.clinicId);
      const [from, to] = [await t.seed.patient(t.clinicId, family), await t.seed.patient(t.clinicId, family)];
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, from, t.serviceId, { visits: 5 });
      const first = await t.run(t.clinicId, 'transfer', { purchaseId, toPatientId: to, serviceId: t.serviceId, quantity: 2 });
      expect(first).toMatchObject({ status: 'succeeded', result: { purchaseId, serviceId: t.serviceId, quantity: 2 } });
      const targetId = first.result!.targetPurchaseId;
      expect(await one('select patient_id, source_purchase_id, price::int, status from purchase where id = $1', [targetId])).toEqual({ patient_id: to, source_purchase_id: purchaseId, price: 0, status: 'active' });
      const second = await t.run(t.clinicId, 'transfer', { purchaseId, toPatientId: to, serviceId: t.serviceId, quantity: 3 });
      expect(second).toMatchObject({ status: 'succeeded', result: { targetPurchaseId: targetId } });
      expect(await one('select transferred_out from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ transferred_out: 5 });
      expect(await one('select transferred_in, total::int from purchase_balance where purchase_id = $1', [targetId])).toEqual({ transferred_in: 5, total: 0 });
      expect(await one('select status from purchase where id = $1', [purchaseId])).toEqual({ status: 'exhausted' });
      const ledger = await t.db.query('select purchase_id, type, visits from ledger_entry where command_id = $1 order by type', [second.id]);
      expect(ledger.rows).toEqual([{ purchase_id: targetId, type: 'transferred_in', visits: 3 }, { purchase_id: purchaseId, type: 'transferred_out', visits: -3 }]);
    });

    it('refuses a patient of another family, the same patient and more visits than are left', async () => {
      const family = await t.seed.family(t.clinicId);
      const from = await t.seed.patient(t.clinicId, family);
      const stranger = await t.seed.patient(t.clinicId, await t.seed.family(t.clinicId));
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, from, t.serviceId, { visits: 2 });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'transfer', { purchaseId, toPatientId: stranger, serviceId: t.serviceId, quantity: 1 }), 'not_same_family');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'transfer', { purchaseId, toPatientId: from, serviceId: t.serviceId, quantity: 1 }), 'same_patient');
      const sibling = await t.seed.patient(t.clinicId, family);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'transfer', { purchaseId, toPatientId: sibling, serviceId: t.serviceId, quantity: 3 }), 'insufficient_balance');
    });
  });

  describe('the store checks what a command refers to (the catalogue\'s requires)', () => {
    it('names the first thing missing, in order, and stores nothing', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId);
      const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
      const commands = async () => (await one<{ n: number }>('select count(*)::int as n from command', [])).n;
      const before = await commands();
      expect(await t.store(t.clinicId, 'redemption', { invoiceId: randomUUID(), lineId: randomUUID() })).toEqual({ outcome: 'missing', missing: 'Invoice' });
      expect(await t.store(t.clinicId, 'redemption', { invoiceId: visit.invoiceId, lineId: randomUUID() })).toEqual({ outcome: 'missing', missing: 'Invoice line' });
      expect(await t.store(t.clinicId, 'redemption', { ...visit, purchaseId: randomUUID() })).toEqual({ outcome: 'missing', missing: 'Purchase' });
      expect(await t.store(t.clinicId, 'cancellation', { purchaseId: randomUUID(), reason: 'x' })).toEqual({ outcome: 'missing', missing: 'Purchase' });
      expect(await t.store(t.clinicId, 'refund', { purchaseId: randomUUID(), method: 'cash', reason: 'x' })).toEqual({ outcome: 'missing', missing: 'Purchase' });
      expect(await t.store(t.clinicId, 'transfer', { purchaseId, toPatientId: randomUUID(), serviceId: t.serviceId, quantity: 1 })).toEqual({ outcome: 'missing', missing: 'Patient' });
      // Another clinic's rows are missing too.
      const other = await t.seed.clinic();
      expect(await t.store(other, 'cancellation', { purchaseId, reason: 'x' })).toEqual({ outcome: 'missing', missing: 'Purchase' });
      expect(await commands()).toBe(before);
      expect(await t.store(t.clinicId, 'redemption', { ...visit, purchaseId })).toEqual({ outcome: 'created' });
    });
  });

  describe('reconciliation', () => {
    it('expires a package past its expiry and counts it', async () => {
      const clinic = await t.seed.clinic();
      const service = await t.seed.service(clinic);
      const patient = await t.seed.patient(clinic);
      const { purchaseId } = await t.seed.packagePurchase(clinic, patient, service, { expiresOn: '2020-01-31' });
      const command = await t.run(clinic, 'reconciliation', {});
      expect(command.status).toBe('succeeded');
      expect(command.result).toMatchObject({ counts: { packagesExpired: 1, membershipsChecked: 0, cycleInvoicesCreated: 0 } });
      expect(await one('select status from purchase where id = $1', [purchaseId])).toEqual({ status: 'expired' });
      // Idempotent for a given day: a second run finds nothing more to do.
      expect((await t.run(clinic, 'reconciliation', {})).result).toMatchObject({ counts: { packagesExpired: 0 } });
    });
  });
});
