// The ledger verifier: clean after a realistic run of every kind of command, and each check
// catches a row corrupted on purpose (raw SQL in a transaction that is rolled back).
import { addDays, formatVerifyReport, ormConfig, todayIn, verifyLedger, VERIFY_CHECKS, type VerifyResult } from '@app/billing';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const TZ = 'America/Toronto';

class Rollback extends Error {}

describe('ledger verifier', () => {
  let env: TestEnv;
  let orm: MikroORM;
  let clinic: TestClinic;
  let other: TestClinic;
  let f: Fixtures;

  /** Applies `statements` in a transaction, verifies inside it, then rolls everything back. */
  async function verifyCorrupted(statements: [string, unknown[]?][]): Promise<VerifyResult> {
    let result: VerifyResult | undefined;
    await orm.em
      .fork()
      .transactional(async (tx: EntityManager) => {
        for (const [sql, params] of statements) await tx.execute(sql, params ?? []);
        result = await verifyLedger(tx);
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    return result!;
  }
  const check = (result: VerifyResult, name: string) => result.checks.find((c) => c.name === name)!;
  const one = async <T = any>(sql: string, params: unknown[] = []): Promise<T> => {
    const { rows } = await env.db.query(sql, params);
    if (!rows[0]) throw new Error(`no row for: ${sql}`);
    return rows[0] as T;
  };

  beforeAll(async () => {
    env = await startTestEnv();
    orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
    clinic = await createClinic(env);
    other = await createClinic(env, { name: 'Other clinic' });
    f = new Fixtures(env, clinic);
    await realisticRun(env, clinic, f);
    await realisticRun(env, other, new Fixtures(env, other));
  }, 120_000);
  afterAll(async () => {
    await orm?.close(true);
    await env?.close();
  });

  it('finds a database clean after a realistic run of every command, refusal and replay', async () => {
    const result = await verifyLedger(orm.em.fork());
    const report = formatVerifyReport(result);
    console.log(report);
    expect(result.checks.map((c) => c.name)).toEqual(VERIFY_CHECKS.map((c) => c.name));
    expect(result.checks.filter((c) => c.violations > 0)).toEqual([]);
    expect(result.clean).toBe(true);
    // The run did write what the checks look at.
    const counts = await one(`select (select count(*) from command where status = 'succeeded')::int as succeeded,
                                     (select count(*) from command where status = 'rejected')::int as rejected,
                                     (select count(distinct type) from command where status = 'succeeded')::int as types,
                                     (select count(*) from payment where amount < 0)::int as refunds,
                                     (select count(*) from payment where method = 'package_credit')::int as credit,
                                     (select count(*) from invoice where status = 'void')::int as voided`);
    expect(counts).toMatchObject({ types: 4 });
    expect(counts.succeeded).toBeGreaterThan(20);
    expect(counts.rejected).toBeGreaterThan(4);
    expect(counts.refunds).toBeGreaterThan(2);
    expect(counts.credit).toBeGreaterThan(1);
    expect(counts.voided).toBeGreaterThan(1);
  });

  it('prints a table with the examples of every failing check', () => {
    const text = formatVerifyReport({
      clean: false,
      checks: [
        { name: 'balance_counters', violations: 0, examples: [] },
        { name: 'invoice_numbers', violations: 2, examples: ['clinic a: gap', 'clinic b: gap'] },
      ],
    });
    expect(text).toMatch(/^check\s+violations\s+status$/m);
    expect(text).toMatch(/^balance_counters\s+0\s+ok$/m);
    expect(text).toMatch(/^invoice_numbers\s+2\s+FAIL$/m);
    expect(text).toContain('  - clinic b: gap');
    expect(text.split('\n').at(-1)).toBe('ledger DIRTY: 1 of 2 checks failed');
  });

  describe('catches a corrupted row', () => {
    const cases: { check: string; what: string; corrupt: () => Promise<{ statements: [string, unknown[]?][]; id: string }> }[] = [
      {
        check: 'balance_counters',
        what: 'a balance counter edited without a ledger entry',
        corrupt: async () => {
          const b = await one(`select b.purchase_id as id from purchase_balance b join purchase p on p.id = b.purchase_id
                               where p.kind = 'package' and b.total + b.transferred_in - b.used - b.transferred_out > 0 limit 1`);
          return { id: b.id, statements: [['update purchase_balance set used = used + 1 where purchase_id = ?', [b.id]]] };
        },
      },
      {
        check: 'balance_counters',
        what: 'a ledger entry whose visits have the wrong sign',
        corrupt: async () => {
          const e = await one(`select id, purchase_id from ledger_entry where type = 'transferred_out' limit 1`);
          return { id: e.purchase_id, statements: [['update ledger_entry set visits = -visits where id = ?', [e.id]]] };
        },
      },
      {
        check: 'balance_counters',
        what: 'a membership whose counters moved',
        corrupt: async () => {
          const b = await one(`select b.purchase_id as id from purchase_balance b join purchase p on p.id = b.purchase_id where p.kind = 'membership' limit 1`);
          return { id: b.id, statements: [['update purchase_balance set used = 1 where purchase_id = ?', [b.id]]] };
        },
      },
      {
        check: 'balances_non_negative',
        what: 'a balance below 0 (with the table check dropped)',
        corrupt: async () => {
          const b = await one(`select b.purchase_id as id from purchase_balance b join purchase p on p.id = b.purchase_id where p.kind = 'package' limit 1`);
          return {
            id: b.id,
            statements: [
              ['alter table purchase_balance drop constraint purchase_balance_never_negative'],
              ['update purchase_balance set used = total + transferred_in - transferred_out + 1 where purchase_id = ?', [b.id]],
            ],
          };
        },
      },
      {
        check: 'balances_non_negative',
        what: 'a membership cycle used beyond its allowance',
        corrupt: async () => {
          const e = await one(`select e.id, e.purchase_id from ledger_entry e join purchase p on p.id = e.purchase_id
                               where p.kind = 'membership' and e.type = 'redeemed' limit 1`);
          return { id: e.purchase_id, statements: [['update ledger_entry set visits = -100 where id = ?', [e.id]]] };
        },
      },
      {
        check: 'invoice_totals',
        what: "a line's amount changed without its invoice's total",
        corrupt: async () => {
          const l = await one(`select l.id, l.invoice_id from invoice_line l join invoice i on i.id = l.invoice_id
                               where i.status = 'open' and i.kind = 'service' and l.redemption_command_id is null limit 1`);
          return { id: l.invoice_id, statements: [['update invoice_line set amount = amount + 100 where id = ?', [l.id]]] };
        },
      },
      {
        check: 'invoice_totals',
        what: 'a payment without its amountPaid',
        corrupt: async () => {
          const i = await one(`select id, clinic_id from invoice where status = 'open' and kind = 'service' and total > 0 limit 1`);
          return {
            id: i.id,
            statements: [[`insert into payment (id, created_at, clinic_id, invoice_id, amount, method, effect_key) values (gen_random_uuid(), now(), ?, ?, 1, 'cash', 'corrupt:1')`, [i.clinic_id, i.id]]],
          };
        },
      },
      {
        check: 'invoice_totals',
        what: "a line's tax changed without its invoice's taxTotal",
        corrupt: async () => {
          const l = await one(`select l.id, l.invoice_id from invoice_line l where jsonb_array_length(l.taxes) > 0 limit 1`);
          return { id: l.invoice_id, statements: [[`update invoice_line set taxes = jsonb_set(taxes, '{0,amount}', to_jsonb((taxes->0->>'amount')::bigint + 1)) where id = ?`, [l.id]]] };
        },
      },
      {
        check: 'invoice_totals',
        what: 'a total that is not subtotal + taxTotal (with the table check dropped)',
        corrupt: async () => {
          const i = await one(`select id from invoice where tax_total > 0 and status = 'open' limit 1`);
          return {
            id: i.id,
            statements: [['alter table invoice drop constraint invoice_total_with_taxes'], ['update invoice set tax_total = tax_total - 1, subtotal = subtotal + 1 where id = ?', [i.id]]],
          };
        },
      },
      {
        check: 'instalment_taxes',
        what: "instalments' taxes that no longer add up to the tax of the whole price (invoice and line moved together)",
        corrupt: async () => {
          const l = await one(`select l.id, l.invoice_id, i.purchase_id from invoice_line l join invoice i on i.id = l.invoice_id
                               where i.kind = 'installment' and i.status = 'open' and jsonb_array_length(l.taxes) > 0 limit 1`);
          return {
            id: l.purchase_id,
            statements: [
              [`update invoice_line set taxes = jsonb_set(taxes, '{0,amount}', to_jsonb((taxes->0->>'amount')::bigint + 1)) where id = ?`, [l.id]],
              ['update invoice set tax_total = tax_total + 1, total = total + 1 where id = ?', [l.invoice_id]],
            ],
          };
        },
      },
      {
        check: 'instalment_taxes',
        what: 'one instalment at another rate for the same code',
        corrupt: async () => {
          const l = await one(`select l.id, i.purchase_id from invoice_line l join invoice i on i.id = l.invoice_id
                               where i.kind = 'installment' and jsonb_array_length(l.taxes) > 0 limit 1`);
          return { id: l.purchase_id, statements: [[`update invoice_line set taxes = jsonb_set(taxes, '{0,rateMilliPercent}', to_jsonb((taxes->0->>'rateMilliPercent')::bigint + 1)) where id = ?`, [l.id]]] };
        },
      },
      {
        check: 'invoice_status',
        what: 'an invoice marked paid while money is due',
        corrupt: async () => {
          const i = await one(`select id from invoice where status = 'open' and total - covered_amount - amount_paid > 0 limit 1`);
          return { id: i.id, statements: [[`update invoice set status = 'paid' where id = ?`, [i.id]]] };
        },
      },
      {
        check: 'invoice_status',
        what: 'an invoice left open with nothing due',
        corrupt: async () => {
          const i = await one(`select id from invoice where status = 'paid' and total > 0 limit 1`);
          return { id: i.id, statements: [[`update invoice set status = 'open' where id = ?`, [i.id]]] };
        },
      },
      {
        check: 'line_redemptions',
        what: 'a line covered twice (a second succeeded redemption naming it)',
        corrupt: async () => {
          const c = await one(`select id, clinic_id, request, result from command where type = 'redemption' and status = 'succeeded' limit 1`);
          return {
            id: c.result.lineId,
            statements: [
              [
                `insert into command (id, created_at, clinic_id, type, status, request, result) values (gen_random_uuid(), now(), ?, 'redemption', 'succeeded', ?, ?)`,
                [c.clinic_id, JSON.stringify(c.request), JSON.stringify(c.result)],
              ],
            ],
          };
        },
      },
      {
        check: 'line_redemptions',
        what: 'a covered line naming a rejected command',
        corrupt: async () => {
          const rejected = await one(`select id from command where type = 'redemption' and status = 'rejected' limit 1`);
          const l = await one(`select id from invoice_line where redemption_command_id is not null limit 1`);
          return { id: l.id, statements: [['update invoice_line set redemption_command_id = ? where id = ?', [rejected.id, l.id]]] };
        },
      },
      {
        check: 'succeeded_command_effects',
        what: 'a succeeded cancellation whose ledger entry is gone',
        corrupt: async () => {
          const c = await one(`select id from command where type = 'cancellation' and status = 'succeeded' limit 1`);
          return { id: c.id, statements: [['delete from ledger_entry where command_id = ?', [c.id]]] };
        },
      },
      {
        check: 'succeeded_command_effects',
        what: 'a succeeded refund whose result says more than its payments',
        corrupt: async () => {
          const c = await one(`select id from command where type = 'refund' and status = 'succeeded' limit 1`);
          return {
            id: c.id,
            statements: [[`update command set result = jsonb_set(result, '{amount}', to_jsonb((result->>'amount')::int + 1)) where id = ?`, [c.id]]],
          };
        },
      },
      {
        check: 'succeeded_command_effects',
        what: 'a succeeded transfer applied twice (a second pair of entries under another key)',
        corrupt: async () => {
          const c = await one(`select id from command where type = 'transfer' and status = 'succeeded' limit 1`);
          return {
            id: c.id,
            statements: [
              [
                `insert into ledger_entry (id, created_at, clinic_id, purchase_id, service_id, type, visits, amount, command_id, effect_key)
                 select gen_random_uuid(), now(), clinic_id, purchase_id, service_id, type, visits, amount, command_id, effect_key || ':again'
                 from ledger_entry where command_id = ?`,
                [c.id],
              ],
            ],
          };
        },
      },
      {
        check: 'unsucceeded_command_effects',
        what: 'a ledger entry naming a rejected command',
        corrupt: async () => {
          const c = await one(`select c.id, c.clinic_id, p.id as purchase_id from command c, purchase p
                               where c.status = 'rejected' and p.clinic_id = c.clinic_id limit 1`);
          return {
            id: c.id,
            statements: [
              [
                `insert into ledger_entry (id, created_at, clinic_id, purchase_id, type, visits, amount, command_id, effect_key)
                 values (gen_random_uuid(), now(), ?, ?, 'cancelled', 0, 0, ?, 'corrupt:rejected')`,
                [c.clinic_id, c.purchase_id, c.id],
              ],
            ],
          };
        },
      },
      {
        check: 'unsucceeded_command_effects',
        what: 'a refund payment naming a command that never finished',
        corrupt: async () => {
          const c = await one(`select id from command where type = 'refund' and status = 'succeeded' limit 1`);
          return { id: c.id, statements: [[`update command set status = 'running', result = null where id = ?`, [c.id]]] };
        },
      },
      {
        check: 'effects_without_command',
        what: 'a cancelled entry without a command',
        corrupt: async () => {
          const p = await one(`select id, clinic_id from purchase limit 1`);
          return {
            id: p.id,
            statements: [
              [
                `insert into ledger_entry (id, created_at, clinic_id, purchase_id, type, visits, amount, effect_key) values (gen_random_uuid(), now(), ?, ?, 'cancelled', 0, 0, 'corrupt:orphan')`,
                [p.clinic_id, p.id],
              ],
            ],
          };
        },
      },
      {
        check: 'effects_without_command',
        what: 'a payment naming a command that does not exist',
        corrupt: async () => {
          const p = await one(`select id from payment where command_id is null limit 1`);
          return { id: p.id, statements: [['update payment set command_id = gen_random_uuid() where id = ?', [p.id]]] };
        },
      },
      {
        check: 'invoice_numbers',
        what: 'a gap in the invoice numbers',
        corrupt: async () => ({ id: clinic.id, statements: [['update clinic set invoice_seq = invoice_seq + 1 where id = ?', [clinic.id]]] }),
      },
      {
        check: 'invoice_numbers',
        what: 'an invoice renumbered past the counter',
        corrupt: async () => {
          const i = await one(`select id from invoice where clinic_id = $1 order by number limit 1`, [other.id]);
          return { id: other.id, statements: [['update invoice set number = number + 10000 where id = ?', [i.id]]] };
        },
      },
      {
        check: 'purchase_money',
        what: 'more refunded than paid (with the table check dropped)',
        corrupt: async () => {
          const i = await one(`select purchase_id as id, id as invoice_id from invoice where purchase_id is not null and amount_refunded > 0 limit 1`);
          return {
            id: i.id,
            statements: [
              ['alter table invoice drop constraint invoice_amounts_consistent'],
              ['update invoice set amount_refunded = amount_paid + 1 where id = ?', [i.invoice_id]],
            ],
          };
        },
      },
      {
        check: 'purchase_money',
        what: 'a refunded ledger amount that differs from the refund payments',
        corrupt: async () => {
          const e = await one(`select id, purchase_id from ledger_entry where type = 'refunded' limit 1`);
          return { id: e.purchase_id, statements: [['update ledger_entry set amount = amount - 1 where id = ?', [e.id]]] };
        },
      },
      {
        check: 'clinic_isolation',
        what: 'a payment of one clinic on an invoice of another (with the composite tenant keys dropped)',
        corrupt: async () => {
          const p = await one(`select id from payment where clinic_id = $1 limit 1`, [clinic.id]);
          return {
            id: p.id,
            statements: [
              ['alter table payment drop constraint payment_clinic_id_invoice_id_foreign'],
              ['alter table payment drop constraint payment_clinic_id_created_by_key_id_foreign'],
              ['update payment set clinic_id = ? where id = ?', [other.id, p.id]],
            ],
          };
        },
      },
      {
        check: 'clinic_isolation',
        what: "a redemption covering another patient's line",
        corrupt: async () => {
          const l = await one(`select l.id, i.id as invoice_id from invoice_line l join invoice i on i.id = l.invoice_id where l.redemption_purchase_id is not null and i.clinic_id = $1 limit 1`, [clinic.id]);
          const stranger = await one(`select id from patient where clinic_id = $1 and id not in (select patient_id from invoice where id = $2) limit 1`, [clinic.id, l.invoice_id]);
          return { id: l.id, statements: [['update invoice set patient_id = ? where id = ?', [stranger.id, l.invoice_id]]] };
        },
      },
      {
        check: 'liability_identity',
        what: "a package's visit value edited, so its visits no longer add up to its price",
        corrupt: async () => {
          const b = await one(`select b.id, b.purchase_id from purchase_balance b join purchase p on p.id = b.purchase_id
                               where p.kind = 'package' and p.source_purchase_id is null and b.total > 0 limit 1`);
          return { id: b.purchase_id, statements: [['update purchase_balance set visit_value = visit_value + 1 where id = ?', [b.id]]] };
        },
      },
      {
        check: 'liability_identity',
        what: 'a redeemed visit of a paid active package gone from the ledger: the money would owe more than the visits left',
        corrupt: async () => {
          const e = await one(`select e.id, e.purchase_id from ledger_entry e join purchase p on p.id = e.purchase_id
                               where e.type = 'redeemed' and p.kind = 'package' and p.status = 'active' and p.source_purchase_id is null and p.price > 0
                                 and (select sum(amount_paid) from invoice i where i.purchase_id = p.id and i.status <> 'void') = p.price limit 1`);
          return { id: e.purchase_id, statements: [['delete from ledger_entry where id = ?', [e.id]]] };
        },
      },
      {
        check: 'liability_totals',
        what: "a purchase's running total of money paid edited",
        corrupt: async () => {
          const t = await one(`select purchase_id from purchase_totals where amount_paid > 0 limit 1`);
          return { id: t.purchase_id, statements: [['update purchase_totals set amount_paid = amount_paid + 1 where purchase_id = ?', [t.purchase_id]]] };
        },
      },
      {
        check: 'liability_totals',
        what: "an invoice's refund written with the triggers off (as a replica would), so its purchase's totals miss it",
        corrupt: async () => {
          const i = await one(`select id, purchase_id from invoice where purchase_id is not null and amount_paid > amount_refunded and status <> 'void' limit 1`);
          return {
            id: i.purchase_id,
            statements: [['set local session_replication_role = replica'], ['update invoice set amount_refunded = amount_refunded + 1 where id = ?', [i.id]]],
          };
        },
      },
      {
        check: 'liability_totals',
        what: 'a visit used on a balance written with the triggers off, so its purchase counts one visit less used',
        corrupt: async () => {
          const b = await one(`select id, purchase_id from purchase_balance where used > 0 limit 1`);
          return { id: b.purchase_id, statements: [['set local session_replication_role = replica'], ['update purchase_balance set used = used - 1 where id = ?', [b.id]]] };
        },
      },
    ];

    it.each(cases)('$check: $what', async ({ check: name, corrupt }) => {
      const { statements, id } = await corrupt();
      const result = await verifyCorrupted(statements);
      expect(result.clean).toBe(false);
      const hit = check(result, name);
      expect(hit.violations).toBeGreaterThan(0);
      expect(hit.examples.join('\n')).toContain(id);
    });

    it('covers every check with at least one corruption', () => {
      expect(new Set(cases.map((c) => c.check))).toEqual(new Set(VERIFY_CHECKS.map((c) => c.name)));
    });

    it('is clean again once the corruptions are rolled back', async () => {
      expect((await verifyLedger(orm.em.fork())).clean).toBe(true);
    });
  });

  // Found by the invoice_status check: removing the last line still owed from an invoice whose other
  // lines are redeemed used to leave it `open` with nothing due.
  it('keeps an invoice consistent when its only unredeemed line is removed', async () => {
    const patient = await f.patient('Line', 'Remover');
    const service = await f.service('Massage 30', 6000);
    const pack = await f.paidPurchase(patient.id, (await f.packagePlan(service.id, 2, 12000)).id);
    const { invoiceId, lineId } = await f.visitInvoice(patient.id, service.id);
    const second = await env.http().post(`/v1/invoices/${invoiceId}/lines`).set(bearer(clinic.keys.front_desk)).send({ serviceId: service.id });
    expect((await f.redeem({ invoiceId, lineId, purchaseId: pack.id })).body.status).toBe('succeeded');
    await env.http().delete(`/v1/invoices/${invoiceId}/lines/${second.body.id}`).set(bearer(clinic.keys.front_desk)).expect(204);
    const result = await verifyLedger(orm.em.fork());
    expect(check(result, 'invoice_status').examples.join('\n')).not.toContain(invoiceId);
    expect((await f.get(`/v1/invoices/${invoiceId}`)).status).toBe('paid');
  });
});

/** One clinic's day: every kind of sale, command, refusal and replay, through the API. */
async function realisticRun(env: TestEnv, clinic: TestClinic, f: Fixtures): Promise<void> {
  const ok = (res: { status: number; body: any }, status = 'succeeded') => {
    if (res.body?.status !== status) throw new Error(`expected ${status}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const today = todayIn(TZ);
  const massage = await f.service('Massage 60', 12000);
  const facial = await f.service('Facial', 9000);
  const tenPack = await f.packagePlan(massage.id, 10, 100000);
  const insurance = await f.plan({ kind: 'package', name: 'Insurance pack', price: 90000, insuranceFriendly: true, items: [{ serviceId: massage.id, quantity: 5 }, { serviceId: facial.id, quantity: 5 }] });
  const instalments = await f.packagePlan(massage.id, 6, 60000, { installments: { count: 2, intervalDays: 30 } });
  const membership = await f.membershipPlan(massage.id, 2, 15000, { rollover: true });
  const online = await f.packagePlan(massage.id, 5, 50000, { onlineRedemption: true });
  // Taxes (issue 15): GST + PST on a package sold in instalments (the first paid) and at full price (paid).
  const taxes = await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner)).send({ taxes: [{ code: 'GST', name: 'GST', rate: '5' }, { code: 'PST', name: 'PST', rate: '7' }] });
  if (taxes.status !== 200) throw new Error(`taxes: ${taxes.status} ${JSON.stringify(taxes.body)}`);
  const taxedPatient = await f.patient('Taxed', 'Payer');
  const taxedPlan = await f.packagePlan(massage.id, 3, 100000, { taxCodes: ['GST', 'PST'], installments: { count: 3, intervalDays: 30 } });
  const taxedSale = await f.purchase(taxedPatient.id, taxedPlan.id, { paymentSchedule: 'installments' });
  await f.pay(taxedSale.invoices[0].id, taxedSale.invoices[0].total);
  await f.paidPurchase(taxedPatient.id, taxedPlan.id);
  const family = await f.family('Lovelace');
  const parent = await f.patient('Parent', 'Lovelace', { familyId: family.id });
  const child = await f.patient('Child', 'Lovelace', { familyId: family.id });
  const stranger = await f.patient('Stranger', 'Nobody');

  // A package: redemptions three ways, a replay, transfers, a partial and a policy refund.
  const pack = await f.paidPurchase(parent.id, tenPack.id);
  const { invoiceId, lineId } = await f.appointmentInvoice(parent.id, massage.id);
  const appointment = { invoiceId, lineId };
  const key = idem('verify');
  ok(await f.redeem({ ...appointment, purchaseId: pack.id }, { idempotencyKey: key }));
  const replay = await f.redeem({ ...appointment, purchaseId: pack.id }, { idempotencyKey: key });
  if (replay.headers['idempotent-replayed'] !== 'true') throw new Error('no replay');
  ok(await f.redeem(await f.visitInvoice(parent.id, massage.id)));
  ok(await f.redeem({ ...(await f.visitInvoice(parent.id, massage.id)), purchaseId: pack.id }));
  ok(await f.redeem({ ...appointment, purchaseId: pack.id }), 'rejected'); // line_already_redeemed
  const transfer = ok(await f.command(`/v1/purchases/${pack.id}/transfers`, { toPatientId: child.id, serviceId: massage.id, quantity: 2 }));
  ok(await f.command(`/v1/purchases/${pack.id}/transfers`, { toPatientId: child.id, serviceId: massage.id, quantity: 1 }));
  ok(await f.command(`/v1/purchases/${pack.id}/transfers`, { toPatientId: stranger.id, serviceId: massage.id, quantity: 1 }), 'rejected');
  ok(await f.redeem({ ...(await f.visitInvoice(child.id, massage.id)), purchaseId: transfer.result.targetPurchaseId }));
  ok(await f.command(`/v1/purchases/${transfer.result.targetPurchaseId}/refunds`, { method: 'card', reason: 'x' }), 'rejected');
  ok(await f.command(`/v1/purchases/${pack.id}/refunds`, { amount: 1000, method: 'card', reason: 'goodwill' }));
  ok(await f.command(`/v1/purchases/${pack.id}/refunds`, { method: 'card', reason: 'leaving' }));
  ok(await f.command(`/v1/purchases/${pack.id}/refunds`, { method: 'card', reason: 'again' }), 'rejected');

  // Insurance-friendly: visits priced at the package rate and paid with package credit.
  const ins = await f.paidPurchase(parent.id, insurance.id);
  ok(await f.redeem({ ...(await f.visitInvoice(parent.id, massage.id)), purchaseId: ins.id }));
  ok(await f.redeem({ ...(await f.visitInvoice(parent.id, facial.id, 2)), purchaseId: ins.id }));
  ok(await f.command(`/v1/purchases/${ins.id}/refunds`, { amount: 5000, method: 'cash', reason: 'partial' }));

  // Instalments: one paid, one redemption, the rest refused, then cancelled (voids the open one).
  const inst = await f.purchase(child.id, instalments.id, { paymentSchedule: 'installments' });
  await f.pay(inst.installments[0].invoiceId, 10000);
  await f.pay(inst.installments[0].invoiceId, 20000);
  ok(await f.redeem({ ...(await f.visitInvoice(child.id, massage.id)), purchaseId: inst.id }));
  ok(await f.redeem({ ...(await f.visitInvoice(child.id, massage.id, 4)), purchaseId: inst.id }), 'rejected'); // payment_required
  ok(await f.command(`/v1/purchases/${inst.id}/cancellation`, { reason: 'moving' }));

  // Memberships: a redemption, an end-of-cycle and an immediate cancellation, a refund.
  const member = await f.paidPurchase(child.id, membership.id);
  ok(await f.redeem({ ...(await f.visitInvoice(child.id, massage.id)), purchaseId: member.id }));
  ok(await f.command(`/v1/purchases/${member.id}/cancellation`, { reason: 'end of month' }));
  const member2 = await f.paidPurchase(stranger.id, membership.id, { startDate: addDays(today, -3) });
  ok(await f.redeem(await f.visitInvoice(stranger.id, massage.id)));
  ok(await f.command(`/v1/purchases/${member2.id}/cancellation`, { reason: 'now', effective: 'now' }));
  ok(await f.command(`/v1/purchases/${member2.id}/refunds`, { method: 'card', reason: 'sorry' }), 'succeeded');

  // Unpaid, deleted, blank, partly paid: what stays open or void.
  const unpaid = await f.purchase(stranger.id, tenPack.id);
  ok(await f.redeem({ ...(await f.visitInvoice(stranger.id, massage.id)), purchaseId: unpaid.id }), 'rejected');
  ok(await f.command(`/v1/purchases/${unpaid.id}/refunds`, { method: 'card', reason: 'x' }), 'rejected');
  const untouched = await f.purchase(stranger.id, instalments.id, { paymentSchedule: 'installments' });
  const del = await env.http().delete(`/v1/purchases/${untouched.id}`).set(bearer(clinic.keys.billing));
  if (del.status !== 204) throw new Error(`delete: ${del.status}`);
  await env.http().post('/v1/invoices').set(bearer(clinic.keys.front_desk)).send({ patientId: stranger.id }).expect(201);
  const partly = await f.visitInvoice(stranger.id, facial.id, 2);
  await f.pay(partly.invoiceId, 5000);
  const paidCash = await f.visitInvoice(stranger.id, facial.id);
  await f.pay(paidCash.invoiceId, 9000);

  // Online booking: redeemed through the online channel.
  const onlinePatient = await f.patient('Online', 'Booker');
  await f.paidPurchase(onlinePatient.id, online.id);
  const booking = await env.http().post('/v1/bookings').set(bearer(clinic.keys.online))
    .send({ patientId: onlinePatient.id, serviceId: massage.id, startsAt: new Date(Date.now() + 3600_000).toISOString() });
  if (booking.status !== 201 || !booking.body.redemption) throw new Error(`booking: ${booking.status} ${JSON.stringify(booking.body)}`);
  const command = await f.waitForCommand(booking.body.redemption.id);
  if (command.status !== 'succeeded') throw new Error(`online redemption ${command.status}`);
}
