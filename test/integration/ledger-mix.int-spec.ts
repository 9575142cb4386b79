// Property (issue 14 "Verifier"): after any mix of redemptions, reversals, invoice voids, refunds
// (purchase and invoice), transfers, cancellations, payments and tips and charges on purchase
// invoices (their extras, issue 14), the ledger verifier is clean, and
// a small model agrees with the database: no balance below zero, each package's used visits = its
// succeeded redemptions less those given back, a line covered by at most one live redemption.
// The real handlers on a real Postgres (integration tier); fast-check with a fixed seed.
import fc from 'fast-check';
import type { EntityManager } from '@mikro-orm/postgresql';
import { startPipeline, type CommandRow, type Pipeline } from './pipeline.js';

const RUNS = Number(process.env.LEDGER_MIX_RUNS ?? 40);
const SEED = Number(process.env.LEDGER_MIX_SEED ?? 20261214);

type Lib = typeof import('@app/billing');

/** One step; indices pick among what exists when the step runs (modulo), so any sequence is valid. */
type Step =
  | { op: 'visit'; patient: number; service: number }
  | { op: 'redeem'; visit: number; purchase: number; auto: boolean }
  | { op: 'reverse'; redemption: number }
  | { op: 'void'; visit: number }
  | { op: 'pay_visit'; visit: number; amount: number }
  | { op: 'invoice_refund'; visit: number; amount: number | null }
  | { op: 'pay_purchase'; purchase: number; amount: number }
  | { op: 'refund'; purchase: number; amount: number | null }
  | { op: 'transfer'; purchase: number; quantity: number }
  | { op: 'cancel'; purchase: number }
  | { op: 'extra'; purchase: number; invoice: number; kind: 'tip' | 'charge'; amount: number };

const index = fc.nat({ max: 50 });
/** Visits and redemptions are picked from the most recent few, so steps meet each other often. */
const recent = fc.nat({ max: 4 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('visit' as const), patient: index, service: index }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('redeem' as const), visit: recent, purchase: index, auto: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('reverse' as const), redemption: recent }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('void' as const), visit: recent }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('pay_visit' as const), visit: recent, amount: fc.integer({ min: 100, max: 9_000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('invoice_refund' as const), visit: recent, amount: fc.option(fc.integer({ min: 1, max: 6_000 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pay_purchase' as const), purchase: index, amount: fc.integer({ min: 100, max: 50_000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('refund' as const), purchase: index, amount: fc.option(fc.integer({ min: 1, max: 9_000 }), { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('transfer' as const), purchase: index, quantity: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), purchase: index }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('extra' as const), purchase: index, invoice: index, kind: fc.constantFrom('tip' as const, 'charge' as const), amount: fc.integer({ min: 1, max: 3_000 }) }),
  },
);

interface World {
  clinicId: string;
  patients: string[];
  services: string[];
  /** Purchases of the two patients, transfers' targets included. */
  purchases: { id: string; patientId: string; kind: string; invoiceIds: string[] }[];
  visits: { invoiceId: string; lineId: string; patientId: string }[];
  /** Succeeded redemptions: the line, the purchase, whether given back since. */
  /** released: taken off its line by a void after its purchase was cancelled; its visit stays used (forfeited). */
  redemptions: { id: string; lineId: string; purchaseId: string; quantity: number; givenBack: boolean; released?: boolean }[];
  /** line → the live redemption covering it. */
  coveredBy: Map<string, string>;
}

describe('ledger verifier after random mixes of corrections (integration, property)', () => {
  let p: Pipeline;
  let lib: Lib;
  let em: EntityManager;
  let today: string;

  beforeAll(async () => {
    p = await startPipeline();
    lib = await import('@app/billing');
    em = p.orm.em as unknown as EntityManager;
    today = lib.todayIn('UTC');
  });
  afterAll(async () => {
    await p?.close();
  });

  /** A clinic with a 13% tax, two patients of one family, two services, and plans sold through createPurchase (taxed and untaxed). */
  async function newWorld(): Promise<World> {
    const { build, Clinic, Family, Patient, Service, Plan, PlanItem } = lib;
    const tx = em.fork();
    const clinic = build(Clinic, { name: 'Mix', currency: 'CAD', timezone: 'UTC', settings: { ...lib.DEFAULT_CLINIC_SETTINGS, taxes: [{ code: 'HST', name: 'HST', rate: '13' }] } as never });
    tx.persist(clinic);
    const family = build(Family, { clinicId: clinic.id, name: 'Mix family' });
    tx.persist(family);
    const patients = [0, 1].map((i) => build(Patient, { clinicId: clinic.id, firstName: `P${i}`, lastName: 'Mix', familyId: family.id }));
    const massage = build(Service, { clinicId: clinic.id, name: 'Massage', price: 10_000 });
    const facial = build(Service, { clinicId: clinic.id, name: 'Facial', price: 8_000 });
    tx.persist([...patients, massage, facial]);
    const plans: { plan: InstanceType<typeof Plan>; items: [InstanceType<typeof Service>, number, number][] }[] = [];
    const plan = (fields: Partial<InstanceType<typeof Plan>>, items: [InstanceType<typeof Service>, number, number][]) => {
      const row = build(Plan, { clinicId: clinic.id, ...fields });
      tx.persist(row);
      items.forEach(([s, quantity, patientPortion], position) => tx.persist(build(PlanItem, { clinicId: clinic.id, planId: row.id, serviceId: s.id, quantity, patientPortion, position })));
      plans.push({ plan: row, items });
      return row;
    };
    const pack = plan({ kind: 'package', name: '5 massages', price: 40_000 }, [[massage, 5, 0]]);
    const taxed = plan({ kind: 'package', name: 'Taxed mix', price: 45_000, taxCodes: ['HST'], installments: { count: 3, intervalDays: 30 } }, [[massage, 3, 0], [facial, 2, 1_000]]);
    const insurance = plan({ kind: 'package', name: 'Insurance pack', price: 30_000, insuranceFriendly: true }, [[massage, 2, 0], [facial, 2, 0]]);
    const membership = plan({ kind: 'membership', name: 'Monthly', price: 5_000, billingInterval: 'month', taxCodes: ['HST'] }, [[massage, 2, 0]]);
    await tx.flush();

    const world: World = { clinicId: clinic.id, patients: patients.map((x) => x.id), services: [massage.id, facial.id], purchases: [], visits: [], redemptions: [], coveredBy: new Map() };
    const sell = async (patientId: string, sold: InstanceType<typeof Plan>, schedule: 'full' | 'installments' = 'full') => {
      const items = plans.find((x) => x.plan === sold)!.items;
      const purchase = await em.fork().transactional((t) =>
        lib.createPurchase(t, {
          clinicId: clinic.id, patientId, plan: sold, startDate: today, paymentSchedule: schedule, keyId: null,
          items: items.map(([s, quantity, patientPortion]) => ({ serviceId: s.id, serviceName: s.name, listPrice: s.price, quantity, patientPortion })),
        }),
      );
      const invoices = await p.db.query<{ id: string; total: string }>('select id, total from invoice where purchase_id = $1 order by number', [purchase.id]);
      world.purchases.push({ id: purchase.id, patientId, kind: sold.kind, invoiceIds: invoices.rows.map((r) => r.id) });
      // Paid in full, except the instalments' last (part of them owed).
      for (const [i, inv] of invoices.rows.entries()) if (schedule === 'full' || i === 0) await pay(world, inv.id, Number(inv.total));
    };
    await sell(world.patients[0], pack);
    await sell(world.patients[0], taxed, 'installments');
    await sell(world.patients[0], insurance);
    await sell(world.patients[0], membership);
    await sell(world.patients[1], pack);
    return world;
  }

  async function pay(world: World, invoiceId: string, amount: number): Promise<boolean> {
    const outcome = await lib.recordPayment(em, { clinicId: world.clinicId, invoiceId, amount, method: 'card', reference: null, keyId: null });
    return outcome.ok;
  }

  const pick = <T>(items: T[], i: number): T | undefined => (items.length ? items[i % items.length] : undefined);
  const latest = <T>(items: T[], i: number): T | undefined => (items.length ? items[items.length - 1 - (i % items.length)] : undefined);
  /** type:status → count over the whole run, so a mix that never succeeds at something shows. */
  const tally = new Map<string, number>();
  const final = (command: CommandRow, what: string) => {
    const key = `${what}:${command.status === 'rejected' ? command.error?.code : command.status}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    // A handler that throws leaves the command failed: never expected of any request here.
    if (command.status !== 'succeeded' && command.status !== 'rejected') throw new Error(`${what}: ${command.status} ${JSON.stringify(command.error)}`);
    return command.status === 'succeeded';
  };

  /** The given-back redemptions of a correction's result, marked in the model. */
  const givenBack = (world: World, ids: string[]) => {
    for (const id of ids) {
      const r = world.redemptions.find((x) => x.id === id);
      if (!r) throw new Error(`given back an unknown redemption ${id}`);
      if (r.givenBack) throw new Error(`redemption ${id} given back twice`);
      r.givenBack = true;
      if (world.coveredBy.get(r.lineId) === id) world.coveredBy.delete(r.lineId);
    }
  };

  async function apply(world: World, s: Step): Promise<void> {
    const { clinicId } = world;
    switch (s.op) {
      case 'visit': {
        const patientId = pick(world.patients, s.patient)!;
        const invoice = await lib.createBlankInvoice(em, { clinicId, patientId, serviceDate: today, keyId: null });
        if (!invoice.ok) throw new Error('blank invoice refused');
        const line = await lib.addInvoiceLine(em, { clinicId, invoiceId: invoice.value, kind: 'service', serviceId: pick(world.services, s.service)!, quantity: 1 });
        if (!line.ok) throw new Error('line refused');
        world.visits.push({ invoiceId: invoice.value, lineId: line.value.id, patientId });
        return;
      }
      case 'redeem': {
        const visit = latest(world.visits, s.visit);
        if (!visit) return;
        const own = world.purchases.filter((x) => x.patientId === visit.patientId);
        const purchaseId = s.auto ? undefined : pick(own, s.purchase)?.id;
        const command = await p.run(clinicId, 'redemption', { invoiceId: visit.invoiceId, lineId: visit.lineId, ...(purchaseId ? { purchaseId } : {}) });
        if (!final(command, 'redemption')) return;
        if (world.coveredBy.has(visit.lineId)) throw new Error(`line ${visit.lineId} redeemed while redemption ${world.coveredBy.get(visit.lineId)} still covers it`);
        world.coveredBy.set(visit.lineId, command.id);
        world.redemptions.push({ id: command.id, lineId: visit.lineId, purchaseId: command.result!.purchaseId, quantity: Number(command.result!.quantity ?? 1), givenBack: false });
        return;
      }
      case 'reverse': {
        const r = latest(world.redemptions, s.redemption);
        if (!r) return;
        const command = await p.run(clinicId, 'reversal', { redemptionId: r.id, reason: 'mix' });
        if (final(command, 'reversal')) givenBack(world, [r.id]);
        else if (!r.givenBack && command.error?.code === 'already_reversed') throw new Error(`reversal of live redemption ${r.id} refused as already_reversed`);
        return;
      }
      case 'void': {
        const visit = latest(world.visits, s.visit);
        if (!visit) return;
        const command = await p.run(clinicId, 'invoice_void', { invoiceId: visit.invoiceId, reason: 'mix' });
        if (!final(command, 'invoice_void')) return;
        const taken = command.result!.redemptions as { redemptionId: string; kind: string }[];
        givenBack(world, taken.map((x) => x.redemptionId));
        for (const x of taken) if (x.kind === 'redemption_released') world.redemptions.find((r) => r.id === x.redemptionId)!.released = true;
        return;
      }
      case 'pay_visit': {
        const visit = latest(world.visits, s.visit);
        if (!visit) return;
        // At most what is due (an overpayment is refused at the desk, which proves nothing here).
        const { rows } = await p.db.query<{ due: number }>('select (total - covered_amount - amount_paid - amount_written_off)::int as due from invoice where id = $1', [visit.invoiceId]);
        if (rows[0].due > 0) await pay(world, visit.invoiceId, Math.min(s.amount, rows[0].due));
        return;
      }
      case 'invoice_refund': {
        const visit = latest(world.visits, s.visit);
        if (!visit) return;
        final(await p.run(clinicId, 'invoice_refund', { invoiceId: visit.invoiceId, ...(s.amount !== null ? { amount: s.amount } : {}), method: 'card', reason: 'mix' }), 'invoice_refund');
        return;
      }
      case 'pay_purchase': {
        const purchase = pick(world.purchases, s.purchase);
        const invoiceId = purchase && pick(purchase.invoiceIds, s.amount);
        if (invoiceId) await pay(world, invoiceId, s.amount);
        return;
      }
      case 'refund': {
        const purchase = pick(world.purchases, s.purchase);
        if (!purchase) return;
        final(await p.run(clinicId, 'refund', { purchaseId: purchase.id, ...(s.amount !== null ? { amount: s.amount } : {}), method: 'card', reason: 'mix' }), 'refund');
        return;
      }
      case 'transfer': {
        const purchase = pick(world.purchases, s.purchase);
        if (!purchase) return;
        const toPatientId = world.patients.find((x) => x !== purchase.patientId)!;
        const command = await p.run(clinicId, 'transfer', { purchaseId: purchase.id, toPatientId, serviceId: world.services[0], quantity: s.quantity });
        if (final(command, 'transfer') && !world.purchases.some((x) => x.id === command.result!.targetPurchaseId)) {
          world.purchases.push({ id: command.result!.targetPurchaseId, patientId: toPatientId, kind: 'package', invoiceIds: [] });
        }
        return;
      }
      case 'cancel': {
        const purchase = pick(world.purchases, s.purchase);
        if (purchase) final(await p.run(clinicId, 'cancellation', { purchaseId: purchase.id, reason: 'mix' }), 'cancellation');
        return;
      }
      case 'extra': {
        // A tip or a (taxed) charge on a purchase's invoice: its extras, never the purchase's money.
        const purchase = pick(world.purchases, s.purchase);
        const invoiceId = purchase && pick(purchase.invoiceIds, s.invoice);
        if (!invoiceId) return;
        const line = s.kind === 'tip' ? { kind: 'tip' as const, description: 'Tip', amount: s.amount } : { kind: 'charge' as const, description: 'Oil', amount: s.amount, taxCodes: ['HST'] };
        const added = await lib.addInvoiceLine(em, { clinicId, invoiceId, ...line });
        const key = `extra:${added.ok ? 'added' : 'rejected' in added ? added.rejected : 'missing'}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        if (!added.ok && !('rejected' in added && ['invoice_void', 'invoice_not_open'].includes(added.rejected))) throw new Error(`extra refused: ${JSON.stringify(added)}`);
        return;
      }
    }
  }

  /** The verifier over the whole database, then the model against this clinic's rows. */
  async function check(world: World, where: string): Promise<void> {
    const result = await lib.verifyLedger(em.fork());
    if (!result.clean) throw new Error(`verifier dirty ${where}:\n${lib.formatVerifyReport(result)}`);
    const balances = await p.db.query<{ purchase_id: string; kind: string; remaining: number; used: number }>(
      `select b.purchase_id, p.kind, (b.total + b.transferred_in - b.used - b.transferred_out)::int as remaining, b.used::int as used
       from purchase_balance b join purchase p on p.id = b.purchase_id where p.clinic_id = $1`,
      [world.clinicId],
    );
    const usedByPurchase = new Map<string, number>();
    for (const b of balances.rows) {
      if (b.remaining < 0) throw new Error(`${where}: purchase ${b.purchase_id} has ${b.remaining} visits left`);
      if (b.kind === 'package') usedByPurchase.set(b.purchase_id, (usedByPurchase.get(b.purchase_id) ?? 0) + b.used);
    }
    for (const [purchaseId, used] of usedByPurchase) {
      const expected = world.redemptions.filter((r) => r.purchaseId === purchaseId && (!r.givenBack || r.released)).reduce((sum, r) => sum + r.quantity, 0);
      if (used !== expected) throw new Error(`${where}: package ${purchaseId} used ${used}, model ${expected}`);
    }
    const lines = await p.db.query<{ id: string; redemption_command_id: string | null }>(
      'select l.id, l.redemption_command_id from invoice_line l join invoice i on i.id = l.invoice_id where i.clinic_id = $1 and i.kind = $2',
      [world.clinicId, 'service'],
    );
    for (const line of lines.rows) {
      if ((world.coveredBy.get(line.id) ?? null) !== line.redemption_command_id) {
        throw new Error(`${where}: line ${line.id} covered by ${line.redemption_command_id}, model ${world.coveredBy.get(line.id) ?? null}`);
      }
    }
  }

  it(`stays clean and agrees with the model over ${RUNS} random sequences of 10–25 steps (seed ${SEED})`, async () => {
    let steps = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 25 }), async (sequence) => {
        const world = await newWorld();
        await check(world, 'after the sales');
        for (const [i, s] of sequence.entries()) {
          await apply(world, s);
          steps += 1;
          await check(world, `after step ${i + 1} ${JSON.stringify(s)}`);
        }
      }),
      // No shrinking by default (each try replays a whole sequence on the database): the failing
      // sequence and step are in the error; LEDGER_MIX_SHRINK=1 shrinks it.
      { seed: SEED, numRuns: RUNS, endOnFailure: process.env.LEDGER_MIX_SHRINK !== '1' },
    );
    console.log(`ledger mix: ${RUNS} sequences, ${steps} steps, verifier clean after each, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`ledger mix outcomes: ${[...tally].sort().map(([k, n]) => `${k}=${n}`).join(' ')}`);
    expect(steps).toBeGreaterThanOrEqual(RUNS * 10);
    // Every kind of correction took effect somewhere in the mix (else the property proves little).
    for (const what of ['redemption', 'reversal', 'invoice_void', 'invoice_refund', 'refund', 'transfer', 'cancellation']) expect(tally.get(`${what}:succeeded`) ?? 0).toBeGreaterThan(0);
    expect(tally.get('extra:added') ?? 0).toBeGreaterThan(0);
  }, 240_000);
});
