import { MikroORM } from '@mikro-orm/postgresql';
import { addDays, addYears, loadConfig, ormConfig, todayIn } from '@app/billing';
import { cliActions } from '../libs/billing/src/cli/actions.js';
import { buildProgram } from '../libs/billing/src/cli/program.js';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

// UTC+14 and UTC−11: at any instant the first is at least a day ahead of the second, so
// "today in the clinic's time zone" is told apart from the server's.
const AHEAD = 'Pacific/Kiritimati';
const BEHIND = 'Pacific/Pago_Pago';

describe('dates are bounded (production posture)', () => {
  let env: TestEnv;
  let ahead: TestClinic;
  let behind: TestClinic;
  let f: Fixtures;

  beforeAll(async () => {
    // The deployment default, said out loud: no reconciliation ahead of today.
    env = await startTestEnv({ env: { ALLOW_FUTURE_AS_OF: 'false' } });
    ahead = await createClinic(env, { name: 'Line Islands', timezone: AHEAD });
    behind = await createClinic(env, { name: 'Samoa', timezone: BEHIND });
    f = new Fixtures(env, behind);
  });
  afterAll(async () => {
    await env?.close();
  });

  const reconcile = (clinic: TestClinic, body: Record<string, unknown>) =>
    env.http().post('/v1/reconciliations').set(bearer(clinic.keys.owner)).set('Idempotency-Key', idem('asof')).set('Prefer', 'wait=20').send(body);
  const commandCount = async (clinic: TestClinic) =>
    (await env.db.query(`select count(*)::int as n from command where clinic_id = $1 and type = 'reconciliation'`, [clinic.id])).rows[0].n;

  describe('a reconciliation asOf', () => {
    it('after today in the clinic’s time zone is refused, naming asOf, and nothing is stored', async () => {
      const tomorrow = addDays(todayIn(BEHIND), 1);
      for (const asOf of [tomorrow, '9999-12-31']) {
        const res = await reconcile(behind, { asOf });
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'asOf' }] });
        expect(res.body.errors[0].message).toContain(todayIn(BEHIND));
      }
      expect(await commandCount(behind)).toBe(0);
    });

    it('is measured in the clinic’s own time zone: the same date is today for one clinic and tomorrow for another', async () => {
      const asOf = todayIn(AHEAD);
      const accepted = await reconcile(ahead, { asOf });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: 'succeeded', result: { asOf } });
      const refused = await reconcile(behind, { asOf });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].field).toBe('asOf');
    });

    it('today, an earlier date or none at all is accepted', async () => {
      for (const body of [{ asOf: todayIn(BEHIND) }, { asOf: '2020-01-01' }, {}]) {
        const res = await reconcile(behind, body);
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('succeeded');
      }
    });

    it('the CLI applies the same rule: a later --as-of exits 1 naming ALLOW_FUTURE_AS_OF and queues nothing', async () => {
      const orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
      try {
        const run = async (config: typeof env.config, ...argv: string[]) => {
          const out: string[] = [];
          const err: string[] = [];
          let code: number | undefined;
          const program = buildProgram(cliActions({ config, em: async () => orm.em, io: { out: (l) => void out.push(l), err: (l) => void err.push(l), isTty: false }, pollMs: 50, exit: (c) => (code = c) }));
          await program.parseAsync(argv, { from: 'user' });
          return { out, err, code };
        };
        const before = await commandCount(behind);
        const refused = await run(env.config, 'reconcile', '--clinic', behind.id, '--as-of', addDays(todayIn(BEHIND), 1), '--timeout', '20');
        expect(refused.code).toBe(1);
        expect(refused.err.join('\n')).toMatch(/after today .*ALLOW_FUTURE_AS_OF=true/);
        expect(await commandCount(behind)).toBe(before);
        // A deployment that allows it (demos) may run ahead.
        const allowing = loadConfig({ ...process.env, ...configEnv(env), ALLOW_FUTURE_AS_OF: 'true' });
        const allowed = await run(allowing, 'reconcile', '--clinic', behind.id, '--as-of', addDays(todayIn(BEHIND), 1), '--timeout', '20');
        expect(allowed.err).toEqual([]);
        expect(allowed.code).toBe(0);
        expect(await commandCount(behind)).toBe(before + 1);
      } finally {
        await orm.close(true);
      }
    });
  });

  describe("a purchase's startDate", () => {
    let patientId: string;
    let planId: string;
    beforeAll(async () => {
      const service = await f.service();
      planId = (await f.packagePlan(service.id, 2, 20000)).id;
      patientId = (await f.patient()).id;
    });
    const buy = (startDate: string) => env.http().post(`/v1/patients/${patientId}/purchases`).set(bearer(behind.keys.owner)).send({ planId, startDate });

    it('from 5 years before to 1 year after today in the clinic’s time zone is accepted, both ends included', async () => {
      const today = todayIn(BEHIND);
      for (const startDate of [addYears(today, -5), today, addYears(today, 1)]) {
        const res = await buy(startDate);
        expect(res.status).toBe(201);
        expect(res.body.startDate).toBe(startDate);
      }
    });

    it('a day outside, or far outside, is refused naming startDate, and nothing is stored', async () => {
      const today = todayIn(BEHIND);
      const before = (await env.db.query('select count(*)::int as n from purchase where patient_id = $1', [patientId])).rows[0].n;
      for (const startDate of [addDays(addYears(today, -5), -1), addDays(addYears(today, 1), 1), '9999-12-31', '0001-01-01']) {
        const res = await buy(startDate);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'startDate' }] });
      }
      expect((await env.db.query('select count(*)::int as n from purchase where patient_id = $1', [patientId])).rows[0].n).toBe(before);
    });
  });
});

/** The settings the suite's apps run with, as environment variables (for a second config). */
function configEnv(env: TestEnv): Record<string, string> {
  const { DATABASE_URL, REDIS_URL, QUEUE_PREFIX, ADMIN_TOKEN } = env.config;
  return { NODE_ENV: 'test', DATABASE_URL, REDIS_URL, QUEUE_PREFIX, ADMIN_TOKEN };
}
