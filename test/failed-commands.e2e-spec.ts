// A failed command tells its client and the dashboard a generic detail naming the correlation id;
// the internal error is in the worker's log only, under that id.
import '@nestjs/common';
import '@nestjs/core';
import { ADMIN_TOKEN } from './harness.js';
import { bearer, idem, type KeyRole, type TestClinic } from './helpers.js';
import { signIn } from './dashboard-helpers.js';
import { Fixtures } from './fixtures.js';
import { useLoggedApps } from './logged-apps.js';

const INTERNAL = 'internal-secret-detail-7f3a';

describe('failed commands: generic detail with the correlation id, the internal error in the log only', () => {
  const apps = useLoggedApps('failed', { COMMAND_ATTEMPTS: '2' });
  const { records } = apps;

  it('fails a redemption whose write keeps failing: the client and the dashboard see the correlation id, the log has the error', async () => {
    const created = await apps.env.http().post('/v1/clinics').set(bearer(ADMIN_TOKEN)).send({ name: 'Failing Clinic', currency: 'CAD', timezone: 'America/Toronto' }).expect(201);
    const clinic: TestClinic = { id: created.body.id, keys: { owner: created.body.ownerKey } as Record<KeyRole, string> };
    for (const role of ['billing', 'front_desk'] as const) {
      clinic.keys[role] = (await apps.env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: role, role }).expect(201)).body.key;
    }
    const f = new Fixtures(apps.env, clinic);
    const service = await f.service('Massage', 10000);
    const plan = await f.packagePlan(service.id, 5, 40000);
    const patient = await f.patient('Fay', 'Failing');
    const purchase = await f.paidPurchase(patient.id, plan.id);
    const visit = await f.visitInvoice(patient.id, service.id);

    // An unexpected database error on every attempt (as a broken disk or a bug would give).
    await apps.db.query(`create function cb_test_boom() returns trigger language plpgsql as $$ begin raise exception '${INTERNAL}'; end $$`);
    await apps.db.query(`create trigger cb_test_boom before insert on ledger_entry for each row execute function cb_test_boom()`);

    const posted = await apps.env
      .http()
      .post('/v1/redemptions')
      .set(bearer(clinic.keys.front_desk))
      .set('Idempotency-Key', idem('fail'))
      .set('X-Request-Id', 'corr-failing-77')
      .send({ invoiceId: visit.invoiceId, lineId: visit.lineId, purchaseId: purchase.id });
    expect(posted.status).toBe(202);
    const command = await f.waitForCommand(posted.body.id, 20_000);

    expect(command.status).toBe('failed');
    expect(command.attempts).toBe(2);
    expect(command.error).toMatchObject({ code: 'internal_error', status: 500, detail: 'The command failed after 2 attempts; quote correlation id corr-failing-77 to support' });
    expect(JSON.stringify(command)).not.toContain(INTERNAL);

    // The dashboard's failed-commands panel says the same, and nothing internal.
    const page = await apps.env.http().get('/dashboard').set('Cookie', await signIn(apps.env, clinic.keys.owner)).expect(200);
    const panel = page.text.slice(page.text.indexOf('id="failed-commands"'));
    expect(panel).toContain(`data-command-id="${command.id}"`);
    expect(panel).toContain('quote correlation id corr-failing-77 to support');
    expect(page.text).not.toContain(INTERNAL);

    // The worker's log has the internal error (the trigger's, unless something failed earlier), under the request's correlation id.
    const logged = () => records().find((r) => r.context === 'CommandRunner' && r.correlationId === 'corr-failing-77' && r.commandId === command.id && r.level === 'error');
    for (let i = 0; i < 40 && !logged(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged()).toMatchObject({ msg: 'Command failed: retries exhausted', attempts: 2, err: { message: expect.stringMatching(/\S/) } });
    const internal = String(logged()!.err.message);
    expect(JSON.stringify(command)).not.toContain(internal);
    expect(panel).not.toContain(internal.slice(0, 20));
  });
});
