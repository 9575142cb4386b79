import { randomUUID } from 'node:crypto';
import { addDays, cycleStart, todayIn } from '@app/billing';
import { startPipeline, Seed, type Pipeline } from './pipeline.js';

// extension, pause and resume through their handlers against Postgres: effects, history rows, and
// refusals that write nothing.
describe('extension, pause and resume handlers (integration)', () => {
  let p: Pipeline;
  let seed: Seed;
  let clinicId: string;
  let serviceId: string;
  let today: string;

  beforeAll(async () => {
    p = await startPipeline();
    seed = new Seed(p.db);
    clinicId = await seed.clinic();
    serviceId = await seed.service(clinicId);
    const { rows } = await p.db.query<{ timezone: string }>('select timezone from clinic where id = $1', [clinicId]);
    today = todayIn(rows[0].timezone);
  });
  afterAll(async () => {
    await p?.close();
  });

  const one = async <T extends Record<string, any>>(sql: string, params: unknown[]) => (await p.db.query<T>(sql, params)).rows[0];
  const refusedWithoutEffects = async (run: () => Promise<{ status: string; error: Record<string, any> | null }>, code: string) => {
    const before = await seed.effectCounts();
    const command = await run();
    expect(command.status).toBe('rejected');
    expect(command.error).toMatchObject({ code });
    expect(await seed.effectCounts()).toEqual(before);
  };

  /** An active monthly membership starting today (its first invoice is not needed by these handlers). */
  async function membership(patientId: string): Promise<string> {
    const planId = randomUUID();
    const purchaseId = randomUUID();
    await p.db.query(`insert into plan (id, clinic_id, kind, name, price, billing_interval) values ($1, $2, 'membership', 'Monthly', 9000, 'month')`, [planId, clinicId]);
    await p.db.query(
      `insert into purchase (id, clinic_id, patient_id, plan_id, kind, plan_name, start_date, price, billing_interval) values ($1, $2, $3, $4, 'membership', 'Monthly', $5, 9000, 'month')`,
      [purchaseId, clinicId, patientId, planId, today],
    );
    return purchaseId;
  }

  describe('extension', () => {
    it('moves the expiry, makes an expired package active again and writes an extended entry', async () => {
      const patient = await seed.patient(clinicId);
      const { purchaseId } = await seed.packagePurchase(clinicId, patient, serviceId, { expiresOn: addDays(today, -3) });
      await p.db.query(`update purchase set status = 'expired' where id = $1`, [purchaseId]);
      const command = await p.run(clinicId, 'extension', { purchaseId, expiresOn: addDays(today, 10), reason: 'goodwill' });
      expect(command).toMatchObject({ status: 'succeeded', result: { purchaseId, previousExpiresOn: addDays(today, -3), expiresOn: addDays(today, 10), status: 'active' } });
      expect(await one(`select status, expires_on::text from purchase where id = $1`, [purchaseId])).toEqual({ status: 'active', expires_on: addDays(today, 10) });
      expect(await one('select type, visits, amount::int, details from ledger_entry where command_id = $1', [command.id])).toEqual({
        type: 'extended', visits: 0, amount: 0, details: { previousExpiresOn: addDays(today, -3), expiresOn: addDays(today, 10), note: 'goodwill' },
      });
    });

    it('refuses a membership, a cancelled package and a date not later, writing nothing', async () => {
      const patient = await seed.patient(clinicId);
      // A purchase gone after the command was stored.
      await refusedWithoutEffects(() => p.runUnchecked(clinicId, 'extension', { purchaseId: randomUUID(), expiresOn: today, reason: 'x' }), 'purchase_not_active');
      const member = await membership(patient);
      await refusedWithoutEffects(() => p.run(clinicId, 'extension', { purchaseId: member, expiresOn: addDays(today, 30), reason: 'x' }), 'not_extendable');
      const { purchaseId } = await seed.packagePurchase(clinicId, patient, serviceId, { expiresOn: addDays(today, 5) });
      await refusedWithoutEffects(() => p.run(clinicId, 'extension', { purchaseId, expiresOn: addDays(today, 5), reason: 'x' }), 'extension_not_later');
      await p.db.query(`update purchase set status = 'cancelled' where id = $1`, [purchaseId]);
      await refusedWithoutEffects(() => p.run(clinicId, 'extension', { purchaseId, expiresOn: addDays(today, 50), reason: 'x' }), 'purchase_not_active');
    });
  });

  describe('pause and resume', () => {
    it('pauses the cycles after the current one, then resume unpauses those not started', async () => {
      const patient = await seed.patient(clinicId);
      const purchaseId = await membership(patient);
      const c = (k: number) => cycleStart(today, 'month', k);
      const paused = [{ start: c(1), end: addDays(c(2), -1) }, { start: c(2), end: addDays(c(3), -1) }];
      const pause = await p.run(clinicId, 'pause', { purchaseId, cycles: 2, reason: 'travel' });
      expect(pause).toMatchObject({ status: 'succeeded', result: { purchaseId, paused, pausedCycles: paused } });
      expect(await one('select paused_cycles from purchase where id = $1', [purchaseId])).toEqual({ paused_cycles: paused });
      expect(await one('select type, details from ledger_entry where command_id = $1', [pause.id])).toEqual({ type: 'paused', details: { quantity: 2, cycles: paused, note: 'travel' } });
      await refusedWithoutEffects(() => p.run(clinicId, 'pause', { purchaseId, cycles: 1, reason: 'again' }), 'already_paused');

      const resume = await p.run(clinicId, 'resume', { purchaseId, reason: 'back' });
      expect(resume).toMatchObject({ status: 'succeeded', result: { purchaseId, unpaused: paused, pausedCycles: [] } });
      expect(await one('select paused_cycles from purchase where id = $1', [purchaseId])).toEqual({ paused_cycles: [] });
      expect(await one('select type, details from ledger_entry where command_id = $1', [resume.id])).toEqual({ type: 'resumed', details: { quantity: 2, cycles: paused, note: 'back' } });
      await refusedWithoutEffects(() => p.run(clinicId, 'resume', { purchaseId, reason: 'again' }), 'not_paused');
    });

    it('refuses a package and a membership that is not active, writing nothing', async () => {
      const patient = await seed.patient(clinicId);
      const { purchaseId } = await seed.packagePurchase(clinicId, patient, serviceId);
      await refusedWithoutEffects(() => p.run(clinicId, 'pause', { purchaseId, cycles: 1, reason: 'x' }), 'not_a_membership');
      await refusedWithoutEffects(() => p.run(clinicId, 'resume', { purchaseId, reason: 'x' }), 'not_a_membership');
      const member = await membership(patient);
      await p.db.query(`update purchase set cancel_at = $2 where id = $1`, [member, cycleStart(today, 'month', 1)]);
      await refusedWithoutEffects(() => p.run(clinicId, 'pause', { purchaseId: member, cycles: 1, reason: 'x' }), 'purchase_not_active');
      await p.db.query(`update purchase set status = 'cancelled' where id = $1`, [member]);
      await refusedWithoutEffects(() => p.run(clinicId, 'resume', { purchaseId: member, reason: 'x' }), 'purchase_not_active');
    });
  });
});
