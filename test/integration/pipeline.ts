// Integration tier: the command pipeline against a real Postgres, without HTTP and without Redis.
// A scratch database per suite; rows seeded by SQL; commands stored by submitCommand and run by
// the CommandRunner with the real handlers, as the worker runs them.
import '@nestjs/common';
import '@nestjs/core';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CommandRequest, CommandType } from '@app/billing';

export interface Pipeline {
  db: pg.Pool;
  orm: MikroORM;
  /** Stores a command of a clinic (no key) and runs it once; returns the command row. */
  run<T extends CommandType>(clinicId: string, type: T, request: CommandRequest<T>): Promise<CommandRow>;
  /** Stores a command by SQL, past the store's existence checks (as if a row vanished after), and runs it once. */
  runUnchecked<T extends CommandType>(clinicId: string, type: T, request: CommandRequest<T>): Promise<CommandRow>;
  /** What the store answers for a command (created, or the name of what is missing); stores nothing when missing. */
  store<T extends CommandType>(clinicId: string, type: T, request: CommandRequest<T>): Promise<{ outcome: string; missing?: string }>;
  /** Runs a command already stored (by SQL, say) once, not as its last attempt. */
  runStored(commandId: string): Promise<string>;
  /** Stores a command of a clinic (no key) without running it; returns its id. */
  submit<T extends CommandType>(clinicId: string, type: T, request: CommandRequest<T>): Promise<string>;
  /** Runs stored commands as one worker's shared transaction (CommandRunner.runMany), not as their last attempts. */
  runMany(commandIds: readonly string[]): Promise<PromiseSettledResult<string>[]>;
  close(): Promise<void>;
}

export interface CommandRow {
  id: string;
  status: string;
  attempts: number;
  result: Record<string, any> | null;
  error: Record<string, any> | null;
}

export async function startPipeline(): Promise<Pipeline> {
  const { dropDatabase, migrate, ormConfig, submitCommand, withDatabase } = await import('@app/billing');
  const { CommandRunner, COMMAND_HANDLERS } = await import('@app/billing/worker');
  const { MikroORM } = await import('@mikro-orm/postgresql');
  const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
  const databaseUrl = withDatabase(server, `cb_int_${process.pid}_${randomBytes(4).toString('hex')}`);
  await migrate(databaseUrl);
  const orm = await MikroORM.init(ormConfig({ databaseUrl, poolSize: 3 }));
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  db.on('error', () => undefined);
  // A silent logger: the unreadable commands log an error on purpose.
  const runner = new CommandRunner(orm.em, COMMAND_HANDLERS, null, { error: () => undefined });
  const row = async (id: string) => (await db.query<CommandRow>('select id, status, attempts, result, error from command where id = $1', [id])).rows[0];
  const submit = async <T extends CommandType>(clinicId: string, type: T, request: CommandRequest<T>) => {
    const submitted = await submitCommand(orm.em.fork(), { clinicId, type, endpoint: `TEST ${type}`, request, idempotencyKey: null, requestedByKeyId: null, channel: 'staff' });
    if (submitted.outcome !== 'created') throw new Error(`not stored: ${JSON.stringify(submitted)}`);
    return submitted.command.id;
  };
  return {
    db,
    orm,
    async run(clinicId, type, request) {
      const id = await submit(clinicId, type, request);
      await runner.run(id, { lastAttempt: true });
      return row(id);
    },
    submit,
    runMany: (commandIds) => Promise.allSettled(runner.runMany(commandIds.map((commandId) => ({ commandId, lastAttempt: false })))),
    async runUnchecked(clinicId, type, request) {
      const id = randomUUID();
      await db.query(`insert into command (id, clinic_id, type, status, request, channel, attempts) values ($1, $2, $3, 'queued', $4, 'staff', 0)`, [id, clinicId, type, JSON.stringify(request)]);
      await runner.run(id, { lastAttempt: true });
      return row(id);
    },
    async store(clinicId, type, request) {
      const submitted = await submitCommand(orm.em.fork(), { clinicId, type, endpoint: `TEST ${type}`, request, idempotencyKey: null, requestedByKeyId: null, channel: 'staff' });
      return submitted.outcome === 'missing' ? { outcome: 'missing', missing: submitted.missing } : { outcome: submitted.outcome };
    },
    runStored: (commandId) => runner.run(commandId, { lastAttempt: false }),
    async close() {
      await orm.close(true);
      await db.end();
      await dropDatabase(databaseUrl);
    },
  };
}

const today = () => new Date().toISOString().slice(0, 10);
const daysFromToday = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** Rows seeded by SQL, the fewest columns each table needs. */
export class Seed {
  private invoiceNumber = 0;
  constructor(private readonly db: pg.Pool) {}

  async clinic(): Promise<string> {
    const id = randomUUID();
    await this.db.query(`insert into clinic (id, name, currency, timezone, settings) values ($1, 'Integration', 'CAD', 'UTC', $2)`, [
      id, JSON.stringify({ refundPolicy: 'prorated', membershipGraceDays: 0, reconciliationTime: '02:00' }),
    ]);
    return id;
  }

  async family(clinicId: string): Promise<string> {
    const id = randomUUID();
    await this.db.query(`insert into family (id, clinic_id, name) values ($1, $2, 'Family')`, [id, clinicId]);
    return id;
  }

  async patient(clinicId: string, familyId: string | null = null): Promise<string> {
    const id = randomUUID();
    await this.db.query(`insert into patient (id, clinic_id, first_name, last_name, family_id) values ($1, $2, 'Pat', 'Ient', $3)`, [id, clinicId, familyId]);
    return id;
  }

  async service(clinicId: string, price = 10_000): Promise<string> {
    const id = randomUUID();
    await this.db.query(`insert into service (id, clinic_id, name, price) values ($1, $2, 'Massage', $3)`, [id, clinicId, price]);
    return id;
  }

  /** A package of `visits` visits of one service, bought today, paid in full unless `paid` is false. */
  async packagePurchase(clinicId: string, patientId: string, serviceId: string, options: { visits?: number; price?: number; paid?: boolean; expiresOn?: string } = {}) {
    const { visits = 5, price = 40_000, paid = true, expiresOn = daysFromToday(365) } = options;
    const planId = randomUUID();
    const purchaseId = randomUUID();
    const invoiceId = randomUUID();
    await this.db.query(`insert into plan (id, clinic_id, kind, name, price) values ($1, $2, 'package', 'Five massages', $3)`, [planId, clinicId, price]);
    await this.db.query(
      `insert into purchase (id, clinic_id, patient_id, plan_id, kind, plan_name, start_date, expires_on, price) values ($1, $2, $3, $4, 'package', 'Five massages', $5, $6, $7)`,
      [purchaseId, clinicId, patientId, planId, today(), expiresOn, price],
    );
    await this.db.query(
      `insert into purchase_balance (id, clinic_id, purchase_id, service_id, service_name, total, visit_value, list_price) values ($1, $2, $3, $4, 'Massage', $5, $6, 10000)`,
      [randomUUID(), clinicId, purchaseId, serviceId, visits, Math.floor(price / visits)],
    );
    await this.invoice(clinicId, patientId, { id: invoiceId, kind: 'package', purchaseId, total: price, amountPaid: paid ? price : 0 });
    return { purchaseId, invoiceId };
  }

  /** A visit's invoice with one line of the service. */
  async visitInvoice(clinicId: string, patientId: string, serviceId: string, amount = 10_000) {
    const invoiceId = await this.invoice(clinicId, patientId, { kind: 'service', total: amount, amountPaid: 0 });
    const lineId = randomUUID();
    await this.db.query(
      `insert into invoice_line (id, clinic_id, invoice_id, service_id, description, quantity, unit_price, amount) values ($1, $2, $3, $4, 'Massage', 1, $5, $5)`,
      [lineId, clinicId, invoiceId, serviceId, amount],
    );
    return { invoiceId, lineId };
  }

  private async invoice(clinicId: string, patientId: string, o: { id?: string; kind: string; purchaseId?: string; total: number; amountPaid: number }): Promise<string> {
    const id = o.id ?? randomUUID();
    await this.db.query(
      `insert into invoice (id, clinic_id, number, patient_id, kind, status, purchase_id, service_date, subtotal, total, amount_paid) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)`,
      [id, clinicId, ++this.invoiceNumber, patientId, o.kind, o.total === o.amountPaid ? 'paid' : 'open', o.purchaseId ?? null, today(), o.total, o.amountPaid],
    );
    return id;
  }

  /** Rows in each effect table, to show that a refusal wrote nothing. */
  async effectCounts() {
    const { rows } = await this.db.query(
      `select (select count(*) from ledger_entry)::int as ledger, (select count(*) from payment)::int as payments,
              (select count(*) from purchase)::int as purchases, (select count(*) from purchase_balance)::int as balances,
              (select count(*) from invoice where status = 'void')::int as voided`,
    );
    return rows[0];
  }
}

/** A suite's pipeline, with one clinic and one service, started before its tests and closed after them. */
export interface PipelineSuite extends Pipeline {
  seed: Seed;
  clinicId: string;
  serviceId: string;
  /** The first row a query returns. */
  one<T extends Record<string, any>>(sql: string, params: unknown[]): Promise<T>;
  /** Runs a command that must be rejected with `code`, and checks it wrote no effect. */
  refusedWithoutEffects(run: () => Promise<Pick<CommandRow, 'status' | 'error'>>, code: string): Promise<void>;
}

/** Registers the suite's beforeAll (start, seed a clinic and a service) and afterAll (close); its fields are set once beforeAll has run. */
export function usePipeline(): PipelineSuite {
  let pipeline: Pipeline | undefined;
  const suite = {
    async one(sql: string, params: unknown[]) {
      return (await suite.db.query(sql, params)).rows[0];
    },
    async refusedWithoutEffects(run: () => Promise<Pick<CommandRow, 'status' | 'error'>>, code: string) {
      const before = await suite.seed.effectCounts();
      const command = await run();
      expect(command.status).toBe('rejected');
      expect(command.error).toMatchObject({ code });
      expect(await suite.seed.effectCounts()).toEqual(before);
    },
  } as PipelineSuite;
  beforeAll(async () => {
    pipeline = await startPipeline();
    const seed = new Seed(pipeline.db);
    const clinicId = await seed.clinic();
    Object.assign(suite, pipeline, { seed, clinicId, serviceId: await seed.service(clinicId) });
  });
  afterAll(async () => {
    await pipeline?.close();
  });
  return suite;
}
