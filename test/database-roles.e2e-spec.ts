// The compose file's database roles, for real: deploy/postgres/roles.sql run by psql as it runs in
// the postgres container, the migrations applied by the (non-superuser) owner, then the API and the
// worker connected as the app role, which may read and write rows and nothing else.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { dropDatabase, migrate, withDatabase } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
const names = { owner: `cb_owner_${suffix}`, app: `cb_app_${suffix}`, database: `cb_roles_${suffix}` };
const passwords = { owner: `owner-${randomBytes(8).toString('hex')}`, app: `app-${randomBytes(8).toString('hex')}` };

/** The server's URL as another role, on the scratch database. */
function as(role: string, password: string): string {
  const url = new URL(withDatabase(server, names.database));
  url.username = role;
  url.password = password;
  return url.toString();
}
const ownerUrl = as(names.owner, passwords.owner);
const appUrl = as(names.app, passwords.app);

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

describe('database roles of the compose file (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let created = false;

  beforeAll(async () => {
    // Exactly what init-roles.sh does in the container, with scratch names.
    await promisify(execFile)('psql', [
      withDatabase(server, 'postgres'), '--no-psqlrc', '--quiet',
      '--set', `owner_role=${names.owner}`, '--set', `owner_password=${passwords.owner}`,
      '--set', `app_role=${names.app}`, '--set', `app_password=${passwords.app}`,
      '--set', `database=${names.database}`,
      '--file', join(root, 'deploy/postgres/roles.sql'),
    ]);
    created = true;
    await migrate(ownerUrl);
    // The harness migrates a scratch database of its own (unused here); the apps get the app role's URL.
    env = await startTestEnv({ env: { DATABASE_URL: appUrl } });
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
  }, 60_000);

  afterAll(async () => {
    await env?.close();
    if (created) {
      await dropDatabase(withDatabase(server, names.database));
      await query(withDatabase(server, 'postgres'), `DROP ROLE IF EXISTS "${names.app}"`);
      await query(withDatabase(server, 'postgres'), `DROP ROLE IF EXISTS "${names.owner}"`);
    }
  }, 30_000);

  it('makes neither role a superuser, and the owner (not the app) owns the schema and every table', async () => {
    const { rows: roles } = await query(ownerUrl, 'select rolname, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls from pg_roles where rolname = any($1) order by rolname', [[names.owner, names.app]]);
    expect(roles).toHaveLength(2);
    for (const role of roles) expect(role).toMatchObject({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolbypassrls: false });
    const { rows: schema } = await query(ownerUrl, `select nspowner::regrole::text as owner from pg_namespace where nspname = 'public'`);
    expect(schema[0].owner).toBe(names.owner);
    const { rows: owners } = await query(ownerUrl, `select distinct tableowner from pg_tables where schemaname = 'public'`);
    expect(owners).toEqual([{ tableowner: names.owner }]);
  });

  it('runs a redemption through the API and the worker connected as the app role', async () => {
    const massage = await f.service('Massage 60', 12000);
    const tenPack = await f.packagePlan(massage.id, 10, 100000);
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, tenPack.id);
    const { invoiceId, lineId } = await f.appointmentInvoice(patient.id, massage.id);

    const res = await f.redeem({ invoiceId, lineId, purchaseId: purchase.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', result: { purchaseId: purchase.id, coveredAmount: 12000 } });
    const { rows } = await query(ownerUrl, 'select count(*)::int as n from ledger_entry where command_id = $1', [res.body.id]);
    expect(rows[0].n).toBe(1);

    // Every connection the apps hold on this database is the app role's (this query's is the owner's).
    const { rows: sessions } = await query(ownerUrl, 'select distinct usename from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [names.database]);
    expect(sessions.map((s) => s.usename)).toEqual([names.app]);
  });

  it('refuses the app role any change to the schema, and any new database', async () => {
    for (const ddl of [
      'create table intruder (id int)',
      'drop table ledger_entry',
      'alter table ledger_entry add column note text',
      'truncate ledger_entry',
      `create database "${names.database}_2"`,
    ]) {
      await expect(query(appUrl, ddl)).rejects.toMatchObject({ code: '42501' }); // insufficient_privilege
    }
  });

  it('grants the app role the rows of tables a later migration creates', async () => {
    await query(ownerUrl, 'create table later_table (id int primary key, note text)');
    await query(appUrl, `insert into later_table values (1, 'written by the app')`);
    await query(appUrl, `update later_table set note = 'changed' where id = 1`);
    expect((await query(appUrl, 'select note from later_table')).rows).toEqual([{ note: 'changed' }]);
    await query(appUrl, 'delete from later_table');
  });
});
