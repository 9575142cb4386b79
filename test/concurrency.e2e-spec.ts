// Concurrency properties: randomised interleavings (fast-check, fixed seed) of redemptions,
// transfers, refunds and payments on shared purchases, all sent at once by many clients, never
// drive a balance below 0, never use unpaid visits, never refund more than was paid, never apply
// one Idempotency-Key twice; the verifier is clean after every interleaving.
import fc from 'fast-check';
import { ormConfig, verifyLedger, formatVerifyReport } from '@app/billing';
import { MikroORM } from '@mikro-orm/postgresql';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const SEED = Number(process.env.CONCURRENCY_SEED ?? 20261125);
const RUNS = Number(process.env.CONCURRENCY_RUNS ?? 15);

type Step =
  | { kind: 'redeem'; who: 0 | 1; quantity: number; withPurchase: boolean; twice: boolean }
  | { kind: 'transfer'; quantity: number; twice: boolean }
  | { kind: 'refund'; amount: number | null; twice: boolean }
  | { kind: 'pay'; amount: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('redeem' as const), who: fc.constantFrom(0 as const, 1 as const), quantity: fc.integer({ min: 1, max: 2 }), withPurchase: fc.boolean(), twice: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('transfer' as const), quantity: fc.integer({ min: 1, max: 3 }), twice: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), amount: fc.option(fc.integer({ min: 1, max: 4_000 }), { nil: null, freq: 4 }), twice: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), amount: fc.integer({ min: 500, max: 6_000 }) }) },
);

const scenarioArb = fc.record({
  visits: fc.integer({ min: 3, max: 8 }),
  paidShare: fc.constantFrom(0.25, 0.5, 0.75, 1),
  steps: fc.array(stepArb, { minLength: 8, maxLength: 24 }),
});

describe('concurrency properties', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let orm: MikroORM;
  let massage: any;
  const VISIT_PRICE = 1_000;

  beforeAll(async () => {
    env = await startTestEnv();
    orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
    massage = await f.service('Massage', VISIT_PRICE);
  });
  afterAll(async () => {
    await orm?.close(true);
    await env?.close();
  });

  it('never drives a balance below 0, uses unpaid visits, refunds more than was paid or applies a key twice', async () => {
    let interleavings = 0;
    let commands = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ visits, paidShare, steps }) => {
        interleavings += 1;
        // A family of two: a package for the first, whose visits may move to the second.
        const family = await f.family(`Family ${interleavings}`);
        const parent = await f.patient('Parent', `F${interleavings}`, { familyId: family.id });
        const child = await f.patient('Child', `F${interleavings}`, { familyId: family.id });
        const price = visits * VISIT_PRICE;
        const plan = await f.packagePlan(massage.id, visits, price);
        const pack = await f.purchase(parent.id, plan.id);
        const invoiceId = pack.invoices[0].id;
        await f.pay(invoiceId, Math.round(price * paidShare));

        // Everything each step needs is made first; then every step is sent at once.
        const prepared = await Promise.all(
          steps.map(async (step) => {
            if (step.kind !== 'redeem') return null;
            return f.visitInvoice(step.who === 0 ? parent.id : child.id, massage.id, step.quantity);
          }),
        );
        const keys = steps.map(() => idem('conc'));
        const send = (step: Step, i: number) => {
          const billingKey = { key: clinic.keys.billing, idempotencyKey: keys[i], wait: 0 };
          switch (step.kind) {
            case 'redeem':
              return f.redeem({ ...prepared[i]!, ...(step.withPurchase && step.who === 0 ? { purchaseId: pack.id } : {}) }, { idempotencyKey: keys[i], wait: 0 });
            case 'transfer':
              return f.command(`/v1/purchases/${pack.id}/transfers`, { toPatientId: child.id, serviceId: massage.id, quantity: step.quantity }, billingKey);
            case 'refund':
              return f.command(`/v1/purchases/${pack.id}/refunds`, { ...(step.amount === null ? {} : { amount: step.amount }), method: 'card', reason: 'concurrency' }, billingKey);
            case 'pay':
              return env.http().post(`/v1/invoices/${invoiceId}/payments`).set(bearer(clinic.keys.front_desk)).set('Idempotency-Key', keys[i]).send({ amount: step.amount, method: 'cash' });
          }
        };
        const sends = steps.flatMap((step, i) => (step.kind !== 'pay' && step.twice ? [send(step, i), send(step, i)] : [send(step, i)]));
        const answers = await Promise.all(sends);

        // Every command answer is a 202/200 command; a key answered twice names one command.
        const idsByKey = new Map<string, Set<string>>();
        let i = 0;
        for (const [index, step] of steps.entries()) {
          const copies = step.kind !== 'pay' && step.twice ? 2 : 1;
          for (let c = 0; c < copies; c += 1) {
            const res = answers[i++];
            if (step.kind === 'pay') {
              expect([201, 409, 422]).toContain(res.status);
              continue;
            }
            expect([200, 202]).toContain(res.status);
            const set = idsByKey.get(keys[index]) ?? new Set<string>();
            set.add(res.body.id);
            idsByKey.set(keys[index], set);
          }
        }
        for (const ids of idsByKey.values()) expect(ids.size).toBe(1);
        const finals = await Promise.all([...idsByKey.values()].map((ids) => f.waitForCommand([...ids][0], 30_000)));
        commands += finals.length;
        for (const c of finals) outcomes.set(`${c.type}:${c.status}`, (outcomes.get(`${c.type}:${c.status}`) ?? 0) + 1);
        expect(finals.filter((c) => c.status === 'failed')).toEqual([]);

        // The source: nothing below 0, nothing used beyond what was paid for.
        const source = await f.get(`/v1/purchases/${pack.id}`);
        const b = source.balances[0];
        expect(b.used + b.transferredOut).toBeLessThanOrEqual(b.total);
        expect(b.remaining).toBeGreaterThanOrEqual(0);
        expect(b.remaining).toBe(b.total + b.transferredIn - b.used - b.transferredOut);
        expect(b.used + b.transferredOut).toBeLessThanOrEqual(Math.floor((b.total * source.amountPaid) / price));
        expect(source.amountRefunded).toBeLessThanOrEqual(source.amountPaid);
        const refunds = finals.filter((c) => c.type === 'refund' && c.status === 'succeeded');
        expect(refunds.reduce((sum, c) => sum + c.result.amount, 0)).toBe(source.amountRefunded);
        // What succeeded is exactly what the counters hold.
        const redeemedFromSource = finals.filter((c) => c.type === 'redemption' && c.status === 'succeeded' && c.result.purchaseId === pack.id);
        expect(redeemedFromSource.reduce((sum, c) => sum + c.result.quantity, 0)).toBe(b.used);
        const transfers = finals.filter((c) => c.type === 'transfer' && c.status === 'succeeded');
        expect(transfers.reduce((sum, c) => sum + c.result.quantity, 0)).toBe(b.transferredOut);
        // The family member's purchase: only the visits moved, never below 0.
        if (transfers.length > 0) {
          const target = await f.get(`/v1/purchases/${transfers[0].result.targetPurchaseId}`);
          const t = target.balances[0];
          expect(t.transferredIn).toBe(b.transferredOut);
          expect(t.used).toBeLessThanOrEqual(t.transferredIn);
          expect(t.remaining).toBeGreaterThanOrEqual(0);
          expect(target.amountRefunded).toBe(0);
        }
        // A line is covered once at most, and only by a succeeded redemption.
        const { rows } = await env.db.query(
          `select count(*)::int as lines, count(distinct redemption_command_id)::int as commands from invoice_line where redemption_command_id = any($1::uuid[])`,
          [finals.filter((c) => c.type === 'redemption').map((c) => c.id)],
        );
        expect(rows[0].lines).toBe(finals.filter((c) => c.type === 'redemption' && c.status === 'succeeded').length);
        expect(rows[0].commands).toBe(rows[0].lines);

        const verified = await verifyLedger(orm.em.fork());
        if (!verified.clean) console.log(formatVerifyReport(verified));
        expect(verified.clean).toBe(true);
        return true;
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(
      `concurrency: ${interleavings} interleavings (seed ${SEED}), ${commands} commands: ${[...outcomes.entries()].sort().map(([k, n]) => `${k}=${n}`).join(' ')}`,
    );
  }, 300_000);

  it('gives 20 concurrent redemptions, transfers and refunds on one 5-visit package exactly what it holds', async () => {
    const family = await f.family('Crowd');
    const parent = await f.patient('Crowd', 'Parent', { familyId: family.id });
    const child = await f.patient('Crowd', 'Child', { familyId: family.id });
    const plan = await f.packagePlan(massage.id, 5, 5 * VISIT_PRICE);
    const pack = await f.paidPurchase(parent.id, plan.id);
    const lines = await Promise.all(Array.from({ length: 12 }, () => f.visitInvoice(parent.id, massage.id)));
    const answers = await Promise.all([
      ...lines.map((v) => f.redeem({ ...v, purchaseId: pack.id }, { wait: 0 })),
      ...Array.from({ length: 6 }, () => f.command(`/v1/purchases/${pack.id}/transfers`, { toPatientId: child.id, serviceId: massage.id, quantity: 1 }, { wait: 0 })),
      ...Array.from({ length: 2 }, () => f.command(`/v1/purchases/${pack.id}/refunds`, { amount: 3_000, method: 'card', reason: 'crowd' }, { wait: 0 })),
    ]);
    const finals = await Promise.all(answers.map((a) => f.waitForCommand(a.body.id, 30_000)));
    const ok = finals.filter((c) => c.status === 'succeeded');
    const visitsTaken = ok.filter((c) => c.type !== 'refund').reduce((sum, c) => sum + c.result.quantity, 0);
    const refunded = ok.filter((c) => c.type === 'refund').reduce((sum, c) => sum + c.result.amount, 0);
    const after = await f.get(`/v1/purchases/${pack.id}`);
    expect(visitsTaken).toBeLessThanOrEqual(5);
    expect(visitsTaken).toBe(after.balances[0].used + after.balances[0].transferredOut);
    expect(after.balances[0].remaining).toBeGreaterThanOrEqual(0);
    expect(refunded).toBeLessThanOrEqual(5 * VISIT_PRICE);
    expect(after.amountRefunded).toBe(refunded);
    expect((await verifyLedger(orm.em.fork())).clean).toBe(true);
  }, 60_000);
});
