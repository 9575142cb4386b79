import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { dropDatabase, migrate, withDatabase } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

// Tenants kept apart by Postgres itself: every reference between tenant tables is a foreign key
// on (clinic_id, <ref>) → (clinic_id, id), so a row written by any code, here plain SQL, cannot
// point at another clinic's row.

const INITIAL = 'Migration20261125141423_initial';
const FOREIGN_KEY_VIOLATION = '23503';

/** Ids of one clinic's rows, made through the API as staff would. */
interface Refs {
  clinicId: string;
  keyId: string;
  familyId: string;
  patientId: string;
  serviceId: string;
  /** A service in no plan and on no purchase (so a valid balance or plan item for it is new). */
  spareServiceId: string;
  planId: string;
  purchaseId: string;
  invoiceId: string;
  /** An appointment that has no invoice yet (invoice.appointment_id is unique). */
  appointmentId: string;
}

/** Inserts of rows of the first clinic that reference the second's: (own, referenced) → SQL. */
const INSERTS: Record<string, (o: Refs, r: Refs) => [string, unknown[]]> = {
  'patient → family': (o, r) => [`insert into patient (id, clinic_id, first_name, last_name, family_id) values (gen_random_uuid(), $1, 'X', 'Y', $2)`, [o.clinicId, r.familyId]],
  'purchase → patient': (o, r) => [purchaseSql, [o.clinicId, r.patientId, o.planId, null, null]],
  'purchase → plan': (o, r) => [purchaseSql, [o.clinicId, o.patientId, r.planId, null, null]],
  'purchase → source purchase': (o, r) => [purchaseSql, [o.clinicId, o.patientId, o.planId, r.purchaseId, null]],
  'purchase → api key': (o, r) => [purchaseSql, [o.clinicId, o.patientId, o.planId, null, r.keyId]],
  'purchase balance → purchase': (o, r) => [balanceSql, [o.clinicId, r.purchaseId, o.spareServiceId]],
  'purchase balance → service': (o, r) => [balanceSql, [o.clinicId, o.purchaseId, r.spareServiceId]],
  'plan item → plan': (o, r) => [planItemSql, [o.clinicId, r.planId, o.spareServiceId]],
  'plan item → service': (o, r) => [planItemSql, [o.clinicId, o.planId, r.spareServiceId]],
  'ledger entry → purchase': (o, r) => [ledgerSql, [o.clinicId, r.purchaseId, null]],
  'ledger entry → api key': (o, r) => [ledgerSql, [o.clinicId, o.purchaseId, r.keyId]],
  'appointment → patient': (o, r) => [appointmentSql, [o.clinicId, r.patientId, o.serviceId, null]],
  'appointment → service': (o, r) => [appointmentSql, [o.clinicId, o.patientId, r.serviceId, null]],
  'appointment → api key': (o, r) => [appointmentSql, [o.clinicId, o.patientId, o.serviceId, r.keyId]],
  'invoice → patient': (o, r) => [invoiceSql, [o.clinicId, r.patientId, null, null, null]],
  'invoice → purchase': (o, r) => [invoiceSql, [o.clinicId, o.patientId, r.purchaseId, null, null]],
  'invoice → appointment': (o, r) => [invoiceSql, [o.clinicId, o.patientId, null, r.appointmentId, null]],
  'invoice → api key': (o, r) => [invoiceSql, [o.clinicId, o.patientId, null, null, r.keyId]],
  'invoice line → invoice': (o, r) => [lineSql, [o.clinicId, r.invoiceId, null, null]],
  'invoice line → service': (o, r) => [lineSql, [o.clinicId, o.invoiceId, r.serviceId, null]],
  'invoice line → redemption purchase': (o, r) => [lineSql, [o.clinicId, o.invoiceId, null, r.purchaseId]],
  "invoice line naming another clinic on its own invoice": (o, r) => [lineSql, [r.clinicId, o.invoiceId, null, null]],
  'payment → invoice': (o, r) => [paymentSql, [o.clinicId, r.invoiceId, null]],
  'payment → api key': (o, r) => [paymentSql, [o.clinicId, o.invoiceId, r.keyId]],
  'booking → appointment': (o, r) => [bookingSql, [o.clinicId, r.appointmentId, o.invoiceId, null]],
  'booking → invoice': (o, r) => [bookingSql, [o.clinicId, o.appointmentId, r.invoiceId, null]],
  'booking → api key': (o, r) => [bookingSql, [o.clinicId, o.appointmentId, o.invoiceId, r.keyId]],
  'command → api key': (o, r) => [`insert into command (id, clinic_id, type, request, requested_by_key_id) values (gen_random_uuid(), $1, 'redemption', '{}', $2)`, [o.clinicId, r.keyId]],
};

const purchaseSql = `insert into purchase (id, clinic_id, patient_id, plan_id, source_purchase_id, created_by_key_id, kind, plan_name, start_date)
  values (gen_random_uuid(), $1, $2, $3, $4, $5, 'package', 'X', current_date)`;
const balanceSql = `insert into purchase_balance (id, clinic_id, purchase_id, service_id, service_name) values (gen_random_uuid(), $1, $2, $3, 'X')`;
const planItemSql = `insert into plan_item (id, clinic_id, plan_id, service_id, quantity, position) values (gen_random_uuid(), $1, $2, $3, 1, 9)`;
const ledgerSql = `insert into ledger_entry (id, clinic_id, purchase_id, by_key_id, type, effect_key) values (gen_random_uuid(), $1, $2, $3, 'cancelled', gen_random_uuid()::text)`;
const appointmentSql = `insert into appointment (id, clinic_id, patient_id, service_id, created_by_key_id, starts_at) values (gen_random_uuid(), $1, $2, $3, $4, now())`;
const invoiceSql = `insert into invoice (id, clinic_id, number, patient_id, purchase_id, appointment_id, created_by_key_id, kind, service_date)
  values (gen_random_uuid(), $1, 1000000, $2, $3, $4, $5, 'service', current_date)`;
const lineSql = `insert into invoice_line (id, clinic_id, invoice_id, service_id, redemption_purchase_id, description) values (gen_random_uuid(), $1, $2, $3, $4, 'X')`;
const paymentSql = `insert into payment (id, clinic_id, invoice_id, created_by_key_id, amount, method, effect_key) values (gen_random_uuid(), $1, $2, $3, 1, 'cash', gen_random_uuid()::text)`;
const bookingSql = `insert into booking (id, clinic_id, appointment_id, invoice_id, created_by_key_id) values (gen_random_uuid(), $1, $2, $3, $4)`;

/** Runs one statement in a transaction that is rolled back; returns its error code, or null. */
async function tryInsert(db: pg.Pool, [sql, params]: [string, unknown[]]): Promise<string | null> {
  const client = await db.connect();
  try {
    await client.query('begin');
    await client.query(sql, params);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

describe('tenants kept apart by composite foreign keys (e2e)', () => {
  let env: TestEnv;
  let a: Refs;
  let b: Refs;

  /** A clinic with one of everything, made through the API (so the writers set clinic_id themselves). */
  async function clinicWithData(): Promise<Refs> {
    const clinic = await createClinic(env);
    const f = new Fixtures(env, clinic);
    const service = await f.service('Massage 60', 12000);
    const spare = await f.service('Spare', 5000);
    const plan = await f.packagePlan(service.id, 10, 100000);
    const family = await f.family();
    const patient = await f.patient('Ada', 'Lovelace', { familyId: family.id });
    const purchase = await f.paidPurchase(patient.id, plan.id);
    const visit = await f.appointmentInvoice(patient.id, service.id);
    const redeemed = await f.redeem({ invoiceId: visit.invoiceId, lineId: visit.lineId, purchaseId: purchase.id });
    expect(`${redeemed.status} ${redeemed.body.status}`).toBe('200 succeeded');
    const appointment = await env.http().post('/v1/appointments').set(bearer(clinic.keys.owner)).send({ patientId: patient.id, serviceId: service.id, startsAt: new Date().toISOString() });
    expect(appointment.status).toBe(201);
    const key = await env.db.query<{ id: string }>(`select id from api_key where clinic_id = $1 limit 1`, [clinic.id]);
    return {
      clinicId: clinic.id, keyId: key.rows[0].id, familyId: family.id, patientId: patient.id, serviceId: service.id, spareServiceId: spare.id,
      planId: plan.id, purchaseId: purchase.id, invoiceId: visit.invoiceId, appointmentId: appointment.body.id,
    };
  }

  beforeAll(async () => {
    env = await startTestEnv();
    a = await clinicWithData();
    b = await clinicWithData();
  });
  afterAll(async () => {
    await env?.close();
  });

  it("the API's writers set clinic_id on lines, balances and plan items (their parent's)", async () => {
    for (const r of [a, b]) {
      const rows = await env.db.query(
        `select (select array_agg(distinct clinic_id) from invoice_line where invoice_id = $1) as lines,
                (select array_agg(distinct clinic_id) from purchase_balance where purchase_id = $2) as balances,
                (select array_agg(distinct clinic_id) from plan_item where plan_id = $3) as items`,
        [r.invoiceId, r.purchaseId, r.planId],
      );
      expect(rows.rows[0]).toEqual({ lines: [r.clinicId], balances: [r.clinicId], items: [r.clinicId] });
    }
  });

  it.each(Object.keys(INSERTS))('refuses a cross-clinic reference: %s (and accepts the same row within one clinic)', async (name) => {
    expect(await tryInsert(env.db, INSERTS[name](a, a))).toBeNull();
    expect(await tryInsert(env.db, INSERTS[name](a, b))).toBe(FOREIGN_KEY_VIOLATION);
    expect(await tryInsert(env.db, INSERTS[name](b, a))).toBe(FOREIGN_KEY_VIOLATION);
  });

  it('every foreign key between tenant tables is on (clinic_id, …): only clinic itself is referenced by one column', async () => {
    const keys = await env.db.query<{ name: string; target: string; columns: string[] }>(
      `select c.conname as name, c.confrelid::regclass::text as target,
              array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as columns
         from pg_constraint c where c.contype = 'f' and c.connamespace = 'public'::regnamespace order by 1`,
    );
    const single = keys.rows.filter((k) => k.target !== 'clinic');
    expect(single.length).toBe(28);
    for (const key of single) expect({ name: key.name, first: key.columns[0], count: key.columns.length }).toEqual({ name: key.name, first: 'clinic_id', count: 2 });
    for (const key of keys.rows.filter((k) => k.target === 'clinic')) expect(key.columns).toEqual(['clinic_id']);
  });
});

describe('the composite-key migration on a database with data (e2e)', () => {
  const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
  const scratch: string[] = [];
  const newDatabase = () => {
    const url = withDatabase(server, `cb_test_fkmig_${process.pid}_${randomBytes(4).toString('hex')}`);
    scratch.push(url);
    return url;
  };
  afterAll(async () => {
    for (const url of scratch) await dropDatabase(url);
  });

  /** One clinic's rows in the initial schema (children have no clinic_id yet); returns the ids. */
  async function seedInitialSchema(db: pg.Client) {
    const id = () => randomUUID();
    const r = { clinic: id(), key: id(), family: id(), patient: id(), plan: id(), service: id(), purchase: id(), transfer: id(), appointment: id(), invoice: id(), line: id(), command: id() };
    const q = (sql: string, params: unknown[]) => db.query(sql, params);
    await q(`insert into clinic (id, name, currency, timezone, settings) values ($1, 'C', 'CAD', 'UTC', '{}')`, [r.clinic]);
    await q(`insert into api_key (id, clinic_id, name, role, key_hash, key_prefix) values ($1, $2, 'k', 'owner', $3, 'p')`, [r.key, r.clinic, randomBytes(32).toString('hex')]);
    await q(`insert into family (id, clinic_id, name) values ($1, $2, 'F')`, [r.family, r.clinic]);
    await q(`insert into patient (id, clinic_id, first_name, last_name, family_id) values ($1, $2, 'A', 'B', $3)`, [r.patient, r.clinic, r.family]);
    await q(`insert into service (id, clinic_id, name, price) values ($1, $2, 'S', 1000)`, [r.service, r.clinic]);
    await q(`insert into plan (id, clinic_id, kind, name, price) values ($1, $2, 'package', 'P', 5000)`, [r.plan, r.clinic]);
    await q(`insert into plan_item (id, plan_id, service_id, quantity, position) values ($1, $2, $3, 5, 0)`, [id(), r.plan, r.service]);
    await q(`insert into purchase (id, clinic_id, patient_id, plan_id, created_by_key_id, kind, plan_name, start_date, price) values ($1, $2, $3, $4, $5, 'package', 'P', current_date, 5000)`, [r.purchase, r.clinic, r.patient, r.plan, r.key]);
    await q(`insert into purchase (id, clinic_id, patient_id, plan_id, source_purchase_id, kind, plan_name, start_date) values ($1, $2, $3, $4, $5, 'package', 'P', current_date)`, [r.transfer, r.clinic, r.patient, r.plan, r.purchase]);
    await q(`insert into purchase_balance (id, purchase_id, service_id, service_name, total) values ($1, $2, $3, 'S', 5)`, [id(), r.purchase, r.service]);
    await q(`insert into ledger_entry (id, clinic_id, purchase_id, by_key_id, type, effect_key) values ($1, $2, $3, $4, 'purchased', $5)`, [id(), r.clinic, r.purchase, r.key, id()]);
    await q(`insert into appointment (id, clinic_id, patient_id, service_id, created_by_key_id, starts_at) values ($1, $2, $3, $4, $5, now())`, [r.appointment, r.clinic, r.patient, r.service, r.key]);
    await q(`insert into invoice (id, clinic_id, number, patient_id, purchase_id, appointment_id, created_by_key_id, kind, service_date, total) values ($1, $2, 1, $3, $4, $5, $6, 'service', current_date, 1000)`, [r.invoice, r.clinic, r.patient, r.purchase, r.appointment, r.key]);
    await q(`insert into invoice_line (id, invoice_id, service_id, redemption_purchase_id, description, amount) values ($1, $2, $3, $4, 'S', 1000)`, [r.line, r.invoice, r.service, r.purchase]);
    await q(`insert into payment (id, clinic_id, invoice_id, created_by_key_id, amount, method, effect_key) values ($1, $2, $3, $4, 500, 'cash', $5)`, [id(), r.clinic, r.invoice, r.key, id()]);
    await q(`insert into booking (id, clinic_id, appointment_id, invoice_id, created_by_key_id) values ($1, $2, $3, $4, $5)`, [id(), r.clinic, r.appointment, r.invoice, r.key]);
    await q(`insert into command (id, clinic_id, type, request, requested_by_key_id) values ($1, $2, 'redemption', '{}', $3)`, [r.command, r.clinic, r.key]);
    return r;
  }

  async function withClient<T>(url: string, run: (db: pg.Client) => Promise<T>): Promise<T> {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      return await run(db);
    } finally {
      await db.end();
    }
  }

  it('migrates rows written under the initial schema: children get their parent\'s clinic, and the keys hold', async () => {
    const url = newDatabase();
    expect(await migrate(url, { to: INITIAL })).toEqual([INITIAL]);
    const [one, two] = await withClient(url, async (db) => [await seedInitialSchema(db), await seedInitialSchema(db)]);

    const applied = await migrate(url);
    expect(applied.length).toBeGreaterThanOrEqual(1);
    expect(applied).toContain('Migration20261128100000_tenant_composite_fks');

    await withClient(url, async (db) => {
      for (const r of [one, two]) {
        const children = await db.query(
          `select (select clinic_id from invoice_line where invoice_id = $1) as line,
                  (select clinic_id from purchase_balance where purchase_id = $2) as balance,
                  (select clinic_id from plan_item where plan_id = $3) as item`,
          [r.invoice, r.purchase, r.plan],
        );
        expect(children.rows[0]).toEqual({ line: r.clinic, balance: r.clinic, item: r.clinic });
      }
      const crossLine = await db.query(lineSql, [one.clinic, two.invoice, null, null]).then(() => null, (e: { code?: string }) => e.code);
      expect(crossLine).toBe(FOREIGN_KEY_VIOLATION);
      const crossLedger = await db.query(ledgerSql, [two.clinic, one.purchase, null]).then(() => null, (e: { code?: string }) => e.code);
      expect(crossLedger).toBe(FOREIGN_KEY_VIOLATION);
    });
  });

  it('refuses to migrate a database that already holds a cross-clinic reference, and leaves it as it was', async () => {
    const url = newDatabase();
    await migrate(url, { to: INITIAL });
    await withClient(url, async (db) => {
      const one = await seedInitialSchema(db);
      const two = await seedInitialSchema(db);
      // Possible before: only the single-column key existed.
      await db.query(`insert into payment (id, clinic_id, invoice_id, amount, method, effect_key) values (gen_random_uuid(), $1, $2, 1, 'cash', 'cross')`, [one.clinic, two.invoice]);
    });

    await expect(migrate(url)).rejects.toMatchObject({ code: FOREIGN_KEY_VIOLATION });
    await withClient(url, async (db) => {
      const column = await db.query(`select 1 from information_schema.columns where table_name = 'invoice_line' and column_name = 'clinic_id'`);
      expect(column.rowCount).toBe(0);
      const executed = await db.query<{ name: string }>(`select name from mikro_orm_migrations order by id`);
      expect(executed.rows.map((row) => row.name)).toEqual([INITIAL]);
    });
  });
});
