// A failed command tells its client and the dashboard a generic detail naming the correlation id;
// the internal error is in the worker's log only, under that id.
import '@nestjs/common';
import '@nestjs/core';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import { deleteQueueKeys, dropDatabase, loadConfig, migrate, withDatabase, type AppConfig } from '@app/billing';
import { ADMIN_TOKEN, type TestEnv } from './harness.js';
import { bearer, idem, type KeyRole, type TestClinic } from './helpers.js';
import { signIn } from './dashboard-helpers.js';
import { Fixtures } from './fixtures.js';

const INTERNAL = 'internal-secret-detail-7f3a';

/**
 * Not through startTestEnv: nestjs-pino keeps one pino instance per module registry, made by the
 * first app, and the harness's apps are silent. Both apps here log at info into memory.
 */
describe('failed commands: generic detail with the correlation id, the internal error in the log only', () => {
  let config: AppConfig;
  let db: pg.Pool;
  let api: INestApplication;
  let worker: INestApplication;
  let env: TestEnv;
  const lines: string[] = [];
  const destination = { write: (line: string) => void lines.push(line) };
  const records = () => lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, any>);

  beforeAll(async () => {
    const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
    const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
    const databaseUrl = withDatabase(server, `cb_test_failed_${suffix}`);
    await migrate(databaseUrl);
    config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: `cbtest_failed_${suffix}`,
      ADMIN_TOKEN,
      DB_POOL_SIZE: '5',
      RECONCILE_TICK_MS: '0',
      COMMAND_ATTEMPTS: '2',
    });
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    db.on('error', () => undefined);
    const { createApiApp } = await import('../apps/api/src/bootstrap.js');
    const { createWorkerApp } = await import('../apps/worker/src/bootstrap.js');
    api = await createApiApp(config, { logDestination: destination, logLevel: 'info' });
    await api.listen(0, '127.0.0.1');
    worker = await createWorkerApp(config, { logDestination: destination, logLevel: 'info' });
    await worker.init();
    const baseUrl = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
    env = { config, baseUrl, api, worker, db, http: () => request(baseUrl) } as unknown as TestEnv;
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.end();
    if (config) {
      const redis = new Redis(config.REDIS_URL);
      await deleteQueueKeys(redis, config.QUEUE_PREFIX);
      redis.disconnect();
      await dropDatabase(config.DATABASE_URL);
    }
  });

  it('fails a redemption whose write keeps failing: the client and the dashboard see the correlation id, the log has the error', async () => {
    const created = await env.http().post('/v1/clinics').set(bearer(ADMIN_TOKEN)).send({ name: 'Failing Clinic', currency: 'CAD', timezone: 'America/Toronto' }).expect(201);
    const clinic: TestClinic = { id: created.body.id, keys: { owner: created.body.ownerKey } as Record<KeyRole, string> };
    for (const role of ['billing', 'front_desk'] as const) {
      clinic.keys[role] = (await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name: role, role }).expect(201)).body.key;
    }
    const f = new Fixtures(env, clinic);
    const service = await f.service('Massage', 10000);
    const plan = await f.packagePlan(service.id, 5, 40000);
    const patient = await f.patient('Fay', 'Failing');
    const purchase = await f.paidPurchase(patient.id, plan.id);
    const visit = await f.visitInvoice(patient.id, service.id);

    // An unexpected database error on every attempt (as a broken disk or a bug would give).
    await db.query(`create function cb_test_boom() returns trigger language plpgsql as $$ begin raise exception '${INTERNAL}'; end $$`);
    await db.query(`create trigger cb_test_boom before insert on ledger_entry for each row execute function cb_test_boom()`);

    const posted = await env
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
    const page = await env.http().get('/dashboard').set('Cookie', await signIn(env, clinic.keys.owner)).expect(200);
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
