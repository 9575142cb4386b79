import { randomUUID } from 'node:crypto';
import { addDays, cycleStart, todayIn } from '@app/billing';
import { usePipeline } from './pipeline.js';

// extension, pause and resume through their handlers against Postgres: effects, history rows, and
// refusals that write nothing.
describe('extension, pause and resume handlers (integration)', () => {
  const t = usePipeline();
  const { one, refusedWithoutEffects } = t;
  let today: string;
  beforeAll(async () => {
    const { rows } = await t.db.query<{ timezone: string }>('select timezone from clinic where id = $1', [t.clinicId]);
    today = todayIn(rows[0].timezone);
  });

  /** An active monthly membership starting today (its first invoice is not needed by these handlers). */
  async function membership(patientId: string): Promise<string> {
    const planId = randomUUID();
    const purchaseId = randomUUID();
    await t.db.query(`insert into plan (id, clinic_id, kind, name, price, billing_interval) values ($1, $2, 'membership', 'Monthly', 9000, 'month')`, [planId, t.clinicId]);
    await t.db.query(
      `insert into purchase (id, clinic_id, patient_id, plan_id, kind, plan_name, start_date, price, billing_interval) values ($1, $2, $3, $4, 'membership', 'Monthly', $5, 9000, 'month')`,
      [purchaseId, t.clinicId, patientId, planId, today],
    );
    return purchaseId;
  }

  describe('extension', () => {
    it('moves the expiry, makes an expired package active again and writes an extended entry', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { expiresOn: addDays(today, -3) });
      await t.db.query(`update purchase set status = 'expired' where id = $1`, [purchaseId]);
      const command = await t.run(t.clinicId, 'extension', { purchaseId, expiresOn: addDays(today, 10), reason: 'goodwill' });
      expect(command).toMatchObject({ status: 'succeeded', result: { purchaseId, previousExpiresOn: addDays(today, -3), expiresOn: addDays(today, 10), status: 'active' } });
      expect(await one(`select status, expires_on::text from purchase where id = $1`, [purchaseId])).toEqual({ status: 'active', expires_on: addDays(today, 10) });
      expect(await one('select type, visits, amount::int, details from ledger_entry where command_id = $1', [command.id])).toEqual({
        type: 'extended', visits: 0, amount: 0, details: { previousExpiresOn: addDays(today, -3), expiresOn: addDays(today, 10), note: 'goodwill' },
      });
    });

    it('refuses a membership, a cancelled package and a date not later, writing nothing', async () => {
      const patient = await t.seed.patient(t.clinicId);
      // A purchase gone after the command was stored.
      await refusedWithoutEffects(() => t.runUnchecked(t.clinicId, 'extension', { purchaseId: randomUUID(), expiresOn: today, reason: 'x' }), 'purchase_not_active');
      const member = await membership(patient);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'extension', { purchaseId: member, expiresOn: addDays(today, 30), reason: 'x' }), 'not_extendable');
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { expiresOn: addDays(today, 5) });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'extension', { purchaseId, expiresOn: addDays(today, 5), reason: 'x' }), 'extension_not_later');
      await t.db.query(`update purchase set status = 'cancelled' where id = $1`, [purchaseId]);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'extension', { purchaseId, expiresOn: addDays(today, 50), reason: 'x' }), 'purchase_not_active');
    });
  });

  describe('pause and resume', () => {
    it('pauses the cycles after the current one, then resume unpauses those not started', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const purchaseId = await membership(patient);
      const c = (k: number) => cycleStart(today, 'month', k);
      const paused = [{ start: c(1), end: addDays(c(2), -1) }, { start: c(2), end: addDays(c(3), -1) }];
      const pause = await t.run(t.clinicId, 'pause', { purchaseId, cycles: 2, reason: 'travel' });
      expect(pause).toMatchObject({ status: 'succeeded', result: { purchaseId, paused, pausedCycles: paused } });
      expect(await one('select paused_cycles from purchase where id = $1', [purchaseId])).toEqual({ paused_cycles: paused });
      expect(await one('select type, details from ledger_entry where command_id = $1', [pause.id])).toEqual({ type: 'paused', details: { quantity: 2, cycles: paused, note: 'travel' } });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'pause', { purchaseId, cycles: 1, reason: 'again' }), 'already_paused');

      const resume = await t.run(t.clinicId, 'resume', { purchaseId, reason: 'back' });
      expect(resume).toMatchObject({ status: 'succeeded', result: { purchaseId, unpaused: paused, pausedCycles: [] } });
      expect(await one('select paused_cycles from purchase where id = $1', [purchaseId])).toEqual({ paused_cycles: [] });
      expect(await one('select type, details from ledger_entry where command_id = $1', [resume.id])).toEqual({ type: 'resumed', details: { quantity: 2, cycles: paused, note: 'back' } });
      await refusedWithoutEffects(() => t.run(t.clinicId, 'resume', { purchaseId, reason: 'again' }), 'not_paused');
    });

    it('refuses a package and a membership that is not active, writing nothing', async () => {
      const patient = await t.seed.patient(t.clinicId);
      const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'pause', { purchaseId, cycles: 1, reason: 'x' }), 'not_a_membership');
      await refusedWithoutEffects(() => t.run(t.clinicId, 'resume', { purchaseId, reason: 'x' }), 'not_a_membership');
      const member = await membership(patient);
      await t.db.query(`update purchase set cancel_at = $2 where id = $1`, [member, cycleStart(today, 'month', 1)]);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'pause', { purchaseId: member, cycles: 1, reason: 'x' }), 'purchase_not_active');
      await t.db.query(`update purchase set status = 'cancelled' where id = $1`, [member]);
      await refusedWithoutEffects(() => t.run(t.clinicId, 'resume', { purchaseId: member, reason: 'x' }), 'purchase_not_active');
    });
  });
});
