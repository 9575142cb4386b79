import '@nestjs/common';
import '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { dropDatabase, hashApiKey, loadConfig, migrate, ormConfig, verifyLedger, withDatabase, type AppConfig } from '@app/billing';
import { cliActions } from '../libs/billing/src/cli/actions.js';
import { buildProgram } from '../libs/billing/src/cli/program.js';
import { seedDemo } from '../libs/billing/src/demo/seed.js';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer } from './helpers.js';

/** The CLI as `npm run cli -- …` runs it, its output and exit code captured. */
function cli(config: AppConfig, em: () => Promise<MikroORM['em']>) {
  return async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    let code: number | undefined;
    const program = buildProgram(cliActions({ config, em, io: { out: (l) => void out.push(l), err: (l) => void err.push(l), isTty: false }, pollMs: 50, exit: (c) => (code = c) }));
    await program.parseAsync(argv, { from: 'user' });
    return { out, err, code };
  };
}

const keyIn = (lines: string[]) => /(cbk_[A-Za-z0-9_-]{43})/.exec(lines.join('\n'))?.[1];

describe('CLI and demo seed against a scratch database', () => {
  let databaseUrl: string;
  let orm: MikroORM;
  let db: pg.Pool;
  let run: ReturnType<typeof cli>;

  beforeAll(async () => {
    const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
    databaseUrl = withDatabase(server, `cb_test_cli_${process.pid}_${randomBytes(4).toString('hex')}`);
    await migrate(databaseUrl);
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl });
    orm = await MikroORM.init(ormConfig({ databaseUrl, poolSize: 3 }));
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // pool.end() resolves before its idle connections have closed: the DROP DATABASE … WITH (FORCE)
    // that follows may end them first, an error nobody needs to hear about.
    db.on('error', () => undefined);
    run = cli(config, async () => orm.em);
  });
  afterAll(async () => {
    await db?.end();
    await orm?.close(true);
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it('create-clinic makes the clinic and its owner key, printed once and stored as a hash', async () => {
    const res = await run('create-clinic', '--name', 'CLI Clinic', '--currency', 'cad', '--timezone', 'America/Vancouver');
    expect(res.code).toBe(0);
    const key = keyIn(res.out)!;
    expect(key).toBeDefined();
    const { rows } = await db.query(`select c.name, c.currency, c.timezone, k.role, k.key_hash from clinic c join api_key k on k.clinic_id = c.id where c.name = 'CLI Clinic'`);
    expect(rows).toEqual([{ name: 'CLI Clinic', currency: 'CAD', timezone: 'America/Vancouver', role: 'owner', key_hash: hashApiKey(key) }]);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('create-clinic refuses an unknown currency or time zone, and writes nothing', async () => {
    const before = (await db.query('select count(*)::int as n from clinic')).rows[0].n;
    const zone = await run('create-clinic', '--name', 'Nowhere', '--timezone', 'Mars/Olympus_Mons');
    expect(zone.code).toBe(1);
    expect(zone.err.join('')).toMatch(/timezone must be an IANA time zone/);
    const currency = await run('create-clinic', '--name', 'Nowhere', '--currency', 'XYZ');
    expect(currency.code).toBe(1);
    expect((await db.query('select count(*)::int as n from clinic')).rows[0].n).toBe(before);
  });

  it('create-key adds a key of a role to a clinic; an unknown clinic is refused', async () => {
    const created = await run('create-clinic', '--name', 'Keys Clinic');
    const clinicId = /: ([0-9a-f-]{36}) /.exec(created.out[0])![1];
    const res = await run('create-key', '--clinic', clinicId, '--role', 'front_desk', '--name', 'Desk tablet');
    expect(res.code).toBe(0);
    const key = keyIn(res.out)!;
    const { rows } = await db.query('select clinic_id, role, name, revoked_at from api_key where key_hash = $1', [hashApiKey(key)]);
    expect(rows).toEqual([{ clinic_id: clinicId, role: 'front_desk', name: 'Desk tablet', revoked_at: null }]);
    const unknown = await run('create-key', '--clinic', '00000000-0000-7000-8000-000000000000', '--role', 'billing', '--name', 'Nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('')).toMatch(/No clinic/);
  });

  it('seeds a demo clinic with every kind of plan, a family, sales, redemptions and an unpaid membership invoice, and a clean ledger', async () => {
    const demo = await seedDemo(orm.em);
    expect(Object.keys(demo.keys).sort()).toEqual(['billing', 'front_desk', 'online', 'owner']);
    const one = async (sql: string) => (await db.query(sql, [demo.clinicId])).rows[0];
    expect(await one(`select count(*)::int as n from plan where clinic_id = $1 and kind = 'package' and installments is not null`)).toEqual({ n: 1 });
    expect(await one(`select count(*)::int as n from plan where clinic_id = $1 and kind = 'package' and insurance_friendly`)).toEqual({ n: 1 });
    expect(await one(`select count(*)::int as n from plan where clinic_id = $1 and kind = 'membership' and rollover`)).toEqual({ n: 1 });
    expect(await one(`select count(*)::int as n from patient p join family f on f.id = p.family_id where p.clinic_id = $1`)).toEqual({ n: 3 });
    expect(await one(`select count(*)::int as n from command where clinic_id = $1 and type = 'redemption' and status = 'succeeded'`)).toEqual({ n: demo.counts.redemptions });
    expect(await one(`select count(*)::int as n from invoice where clinic_id = $1 and kind = 'membership' and status = 'open'`)).toEqual({ n: 1 });
    expect(await one(`select count(*)::int as n from invoice where clinic_id = $1 and kind = 'installment' and status = 'open' and due_date < current_date`)).toEqual({ n: 1 });
    expect((await verifyLedger(orm.em)).clean).toBe(true);
  });
});

describe('CLI reconcile: a queued command followed to its end', () => {
  let env: TestEnv;
  let orm: MikroORM;
  beforeAll(async () => {
    env = await startTestEnv();
    orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
  });
  afterAll(async () => {
    await orm?.close(true);
    await env?.close();
  });

  it('submits a reconciliation through the library, queues it, and reports its progress until it succeeds', async () => {
    const run = cli(env.config, async () => orm.em);
    const clinic = await run('create-clinic', '--name', 'Reconciled Clinic');
    const clinicId = /: ([0-9a-f-]{36}) /.exec(clinic.out[0])![1];
    const res = await run('reconcile', '--clinic', clinicId, '--as-of', '2026-11-24', '--timeout', '20');
    expect(res.err).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.out[0]).toMatch(/^Reconciliation [0-9a-f-]{36} submitted/);
    expect(res.out.at(-1)).toMatch(/^Reconciliation succeeded: \{.*\}$/);
    const id = /Reconciliation ([0-9a-f-]{36})/.exec(res.out[0])![1];
    const command = await env.http().get(`/v1/commands/${id}`).set(bearer(keyIn(clinic.out)!)).expect(200);
    expect(command.body).toMatchObject({ type: 'reconciliation', status: 'succeeded', request: { asOf: '2026-11-24' }, result: { asOf: '2026-11-24' } });
    expect((await run('reconcile', '--clinic', '00000000-0000-7000-8000-000000000000')).code).toBe(1);
  });
});
