// Taxes (issue 15): the clinic's taxes and tax number, tax codes on services and plans, taxed
// sales (full price and instalments, to the cent), lines keeping their rates, unlocking by the
// price with taxes, existing invoices migrated with subtotal = total; then taxed visits, redeemed
// visits not taxed twice, insurance-friendly visits, refunds with taxAmount and membership cycles.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { MikroORM } from '@mikro-orm/postgresql';
import { addDays, dropDatabase, formatVerifyReport, migrate, ormConfig, todayIn, verifyLedger, withDatabase } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

// The last migration before taxes (a fresh database stops there, gets an invoice, then migrates on).
const BEFORE_TAXES = 'Migration20261128121000_pauses_extensions';

describe('taxes (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;

  const settings = (body: Record<string, unknown>, c: TestClinic = clinic) => env.http().patch('/v1/clinic/settings').set(bearer(c.keys.owner)).send(body);
  const post = (path: string, body: Record<string, unknown>) => env.http().post(path).set(bearer(clinic.keys.owner)).send(body);
  const invoice = (id: string) => f.get(`/v1/invoices/${id}`);

  beforeAll(async () => {
    env = await startTestEnv();
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  describe('clinic settings', () => {
    it('sets taxes (rates in their shortest form) and a tax number, and shows them', async () => {
      const res = await settings({ taxes: [{ code: 'HST', name: 'HST', rate: '13.000' }, { code: 'GST', name: 'GST', rate: '5' }, { code: 'PST', name: 'PST', rate: '7' }], taxNumber: '123456789 RT0001' });
      expect(res.status).toBe(200);
      expect(res.body.settings.taxes).toEqual([{ code: 'HST', name: 'HST', rate: '13' }, { code: 'GST', name: 'GST', rate: '5' }, { code: 'PST', name: 'PST', rate: '7' }]);
      expect(res.body.settings.taxNumber).toBe('123456789 RT0001');
      expect((await f.get('/v1/clinic')).settings.taxes).toHaveLength(3);
    });

    it.each([
      ['a bad code', [{ code: 'hst', name: 'HST', rate: '13' }], 'taxes.0.code'],
      ['a code too long', [{ code: 'ABCDEFGHIJK', name: 'X', rate: '1' }], 'taxes.0.code'],
      ['more than 3', ['A', 'B', 'C', 'D'].map((code) => ({ code, name: code, rate: '1' })), 'taxes'],
      ['a repeated code', [{ code: 'A', name: 'A', rate: '1' }, { code: 'A', name: 'B', rate: '2' }], 'taxes'],
      ['4 decimals', [{ code: 'A', name: 'A', rate: '13.0001' }], 'taxes.0.rate'],
      ['above 50', [{ code: 'A', name: 'A', rate: '51' }], 'taxes.0.rate'],
      ['a number, not a string', [{ code: 'A', name: 'A', rate: 13 }], 'taxes.0.rate'],
      ['a negative rate', [{ code: 'A', name: 'A', rate: '-1' }], 'taxes.0.rate'],
    ])('refuses %s (400 validation_failed), changing nothing', async (_label, taxes, field) => {
      const res = await settings({ taxes });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(JSON.stringify(res.body.errors)).toContain(field.split('.').pop()!);
      expect((await f.get('/v1/clinic')).settings.taxes.map((t: { code: string }) => t.code)).toEqual(['HST', 'GST', 'PST']);
    });

    it('accepts "0", "50" and "9.975"', async () => {
      const other = await createClinic(env, { name: 'Rates' });
      const res = await settings({ taxes: [{ code: 'Z', name: 'Zero', rate: '0' }, { code: 'F', name: 'Fifty', rate: '50' }, { code: 'QST', name: 'QST', rate: '9.975' }] }, other);
      expect(res.status).toBe(200);
      expect(res.body.settings.taxes.map((t: { rate: string }) => t.rate)).toEqual(['0', '50', '9.975']);
    });
  });

  describe('tax codes on services and plans', () => {
    it('a service and a plan take the clinic codes, [] by default', async () => {
      const taxed = await post('/v1/services', { name: 'Massage', price: 12000, taxCodes: ['HST'] });
      expect(taxed.status).toBe(201);
      expect(taxed.body.taxCodes).toEqual(['HST']);
      const plain = await f.service('Exempt', 5000);
      expect(plain.taxCodes).toEqual([]);
      const plan = await f.packagePlan(plain.id, 2, 9000, { taxCodes: ['GST', 'PST'] });
      expect(plan.taxCodes).toEqual(['GST', 'PST']);
      expect((await f.get(`/v1/plans/${plan.id}`)).taxCodes).toEqual(['GST', 'PST']);
    });

    it('refuses a code the clinic does not have, a malformed one and a repeated one (validation_failed on taxCodes)', async () => {
      const service = await f.service('Physio', 9000);
      for (const body of [
        { name: 'S', price: 1, taxCodes: ['QST'] },
        { name: 'S', price: 1, taxCodes: ['hst'] },
        { name: 'S', price: 1, taxCodes: ['HST', 'HST'] },
        { name: 'S', price: 1, taxCodes: 'HST' },
      ]) {
        const res = await post('/v1/services', body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation_failed');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('taxCodes');
      }
      const plan = await post('/v1/plans', { kind: 'package', name: 'P', price: 1000, items: [{ serviceId: service.id, quantity: 1 }], taxCodes: ['QST'] });
      expect(plan.status).toBe(400);
      expect(plan.body.errors.map((e: { field: string }) => e.field)).toEqual(['taxCodes']);
    });

    it('removing a code a service or plan uses is 409 tax_code_in_use; an unused one can go', async () => {
      const used = await settings({ taxes: [{ code: 'HST', name: 'HST', rate: '13' }] });
      expect(used.status).toBe(409);
      expect(used.body.code).toBe('tax_code_in_use');
      expect(used.body.codes).toEqual(['GST', 'PST']);
      const other = await createClinic(env, { name: 'Unused' });
      expect((await settings({ taxes: [{ code: 'HST', name: 'HST', rate: '13' }] }, other)).status).toBe(200);
      expect((await settings({ taxes: [] }, other)).status).toBe(200);
    });
  });

  describe('taxed sales', () => {
    let patientId: string;
    let serviceId: string;
    beforeAll(async () => {
      patientId = (await f.patient('Tax', 'Payer')).id;
      serviceId = (await f.service('Massage taxed', 12000)).id;
    });

    it('a package at full price: 13 % of 12345 is 1605 on its line; subtotal, taxTotal, total', async () => {
      const plan = await f.packagePlan(serviceId, 10, 12345, { taxCodes: ['HST'] });
      const purchase = await f.purchase(patientId, plan.id);
      expect(purchase.invoices).toHaveLength(1);
      const inv = await invoice(purchase.invoices[0].id);
      expect(inv).toMatchObject({ subtotal: 12345, taxTotal: 1605, total: 13950, balanceDue: 13950 });
      expect(inv.lines).toHaveLength(1);
      expect(inv.lines[0]).toMatchObject({ amount: 12345, taxes: [{ code: 'HST', rate: '13', amount: 1605 }] });
      expect(purchase.price).toBe(12345);
    });

    it('instalments split the price and each tax alike, adding up to price + taxes to the cent (GST + PST)', async () => {
      const plan = await f.packagePlan(serviceId, 3, 100000, { taxCodes: ['GST', 'PST'], installments: { count: 3, intervalDays: 30 } });
      const purchase = await f.purchase(patientId, plan.id, { paymentSchedule: 'installments' });
      const invoices = await Promise.all(purchase.invoices.map((i: { id: string }) => invoice(i.id)));
      // GST 5 % of 100000 = 5000 → 1668, 1666, 1666; PST 7 % = 7000 → 2334, 2333, 2333.
      expect(invoices.map((i) => i.lines[0].taxes)).toEqual([
        [{ code: 'GST', rate: '5', amount: 1668 }, { code: 'PST', rate: '7', amount: 2334 }],
        [{ code: 'GST', rate: '5', amount: 1666 }, { code: 'PST', rate: '7', amount: 2333 }],
        [{ code: 'GST', rate: '5', amount: 1666 }, { code: 'PST', rate: '7', amount: 2333 }],
      ]);
      expect(invoices.map((i) => [i.subtotal, i.taxTotal, i.total])).toEqual([[33334, 4002, 37336], [33333, 3999, 37332], [33333, 3999, 37332]]);
      expect(invoices.reduce((n, i) => n + i.total, 0)).toBe(100000 + 5000 + 7000);
      const details = await f.get(`/v1/purchases/${purchase.id}`);
      expect(details.installments.map((i: { amount: number }) => i.amount)).toEqual([37336, 37332, 37332]);
    });

    it('unlocks by the price with taxes: 31600 paid of 30000 + 13 % unlocks 2 visits of 3, not 3', async () => {
      const plan = await f.packagePlan(serviceId, 3, 30000, { taxCodes: ['HST'], installments: { count: 3, intervalDays: 30 } });
      const purchase = await f.purchase(patientId, plan.id, { paymentSchedule: 'installments' });
      expect(purchase.invoices.map((i: { total: number }) => i.total)).toEqual([11300, 11300, 11300]);
      await f.pay(purchase.invoices[0].id, 11300);
      expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0].available).toBe(1);
      await f.pay(purchase.invoices[1].id, 11300);
      await f.pay(purchase.invoices[2].id, 9000);
      // Paid 31600 of 33900: floor(3 × 31600 ÷ 33900) = 2; against the price before tax it would be all 3.
      expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0].available).toBe(2);
    });

    it('an exempt plan is untaxed: subtotal = total, no taxes on its line', async () => {
      const plan = await f.packagePlan(serviceId, 2, 20000);
      const purchase = await f.purchase(patientId, plan.id);
      const inv = await invoice(purchase.invoices[0].id);
      expect(inv).toMatchObject({ subtotal: 20000, taxTotal: 0, total: 20000 });
      expect(inv.lines[0].taxes).toEqual([]);
    });

    it('a line keeps the rates it was made with after the clinic changes them', async () => {
      const plan = await f.packagePlan(serviceId, 1, 10000, { taxCodes: ['HST'] });
      const before = await f.purchase(patientId, plan.id);
      expect((await settings({ taxes: [{ code: 'HST', name: 'HST', rate: '15' }, { code: 'GST', name: 'GST', rate: '5' }, { code: 'PST', name: 'PST', rate: '7' }] })).status).toBe(200);
      const after = await f.purchase(patientId, plan.id);
      const [old, fresh] = [await invoice(before.invoices[0].id), await invoice(after.invoices[0].id)];
      expect(old.lines[0].taxes).toEqual([{ code: 'HST', rate: '13', amount: 1300 }]);
      expect(old.total).toBe(11300);
      expect(fresh.lines[0].taxes).toEqual([{ code: 'HST', rate: '15', amount: 1500 }]);
      expect(fresh.total).toBe(11500);
    });

    it('the database refuses an invoice whose total is not subtotal + taxTotal', async () => {
      const plan = await f.packagePlan(serviceId, 1, 10000, { taxCodes: ['HST'] });
      const { invoices } = await f.purchase(patientId, plan.id);
      await expect(env.db.query('update invoice set total = total + 1 where id = $1', [invoices[0].id])).rejects.toThrow(/invoice_total_with_taxes/);
    });
  });

  // Part 2: visits, redemptions, reversals, refunds and membership cycles, on a clinic of their own
  // (HST 13 %, GST 5 %), each a worked example of billing-rules.md "Taxes".
  describe('visits, redemptions, refunds and cycles', () => {
    let c2: TestClinic;
    let g: Fixtures;
    let massage: { id: string };
    let patientId: string;
    const hst = (rate: string) => settings({ taxes: [{ code: 'HST', name: 'HST', rate }, { code: 'GST', name: 'GST', rate: '5' }] }, c2);
    const inv = (id: string) => g.get(`/v1/invoices/${id}`);
    const succeeded = (res: { status: number; body: any }) => {
      expect({ status: res.status, commandStatus: res.body.status, error: res.body.error }).toEqual({ status: 200, commandStatus: 'succeeded', error: undefined });
      return res.body;
    };
    const redeem = async (invoiceId: string, lineId: string, purchaseId: string) => succeeded(await g.redeem({ invoiceId, lineId, purchaseId }));

    beforeAll(async () => {
      c2 = await createClinic(env, { name: 'Taxed visits' });
      g = new Fixtures(env, c2);
      expect((await hst('13')).status).toBe(200);
      massage = (await env.http().post('/v1/services').set(bearer(c2.keys.owner)).send({ name: 'Massage', price: 12000, taxCodes: ['HST'] })).body;
      patientId = (await g.patient('Visit', 'Taxed')).id;
    });

    it("an appointment's line is taxed by its service's codes", async () => {
      const { invoiceId } = await g.appointmentInvoice(patientId, massage.id);
      const invoice = await inv(invoiceId);
      expect(invoice).toMatchObject({ subtotal: 12000, taxTotal: 1560, total: 13560, balanceDue: 13560 });
      expect(invoice.lines[0].taxes).toEqual([{ code: 'HST', rate: '13', amount: 1560 }]);
    });

    it('a redeemed taxed visit has no taxes and nothing due; a reversal brings the line\'s taxes back', async () => {
      const plan = await g.packagePlan(massage.id, 10, 100000, { taxCodes: ['HST'] });
      const purchase = await g.paidPurchase(patientId, plan.id);
      const { invoiceId, lineId } = await g.appointmentInvoice(patientId, massage.id);
      const redemption = await redeem(invoiceId, lineId, purchase.id);
      const redeemed = await inv(invoiceId);
      expect(redeemed).toMatchObject({ status: 'paid', subtotal: 12000, taxTotal: 0, total: 12000, balanceDue: 0 });
      expect(redeemed.lines[0].taxes).toEqual([]);

      succeeded(await g.command(`/v1/redemptions/${redemption.id}/reversal`, { reason: 'wrong package' }, { key: c2.keys.front_desk }));
      const back = await inv(invoiceId);
      expect(back).toMatchObject({ status: 'open', subtotal: 12000, taxTotal: 1560, total: 13560, balanceDue: 13560 });
      expect(back.lines[0].taxes).toEqual([{ code: 'HST', rate: '13', amount: 1560 }]);
    });

    it('an insurance-friendly package: each visit is its value with its share of the taxes, and the visits add up to price + taxes to the cent', async () => {
      const plan = await g.packagePlan(massage.id, 3, 100000, { taxCodes: ['HST'], insuranceFriendly: true });
      const purchase = await g.paidPurchase(patientId, plan.id);
      const paid: number[] = [];
      const lines: unknown[] = [];
      for (let visit = 0; visit < 3; visit++) {
        const { invoiceId, lineId } = await g.appointmentInvoice(patientId, massage.id);
        await redeem(invoiceId, lineId, purchase.id);
        const invoice = await inv(invoiceId);
        expect(invoice).toMatchObject({ status: 'paid', balanceDue: 0 });
        expect(invoice.payments.map((p: { method: string }) => p.method)).toEqual(['package_credit']);
        paid.push(invoice.payments[0].amount);
        lines.push({ amount: invoice.lines[0].amount, taxes: invoice.lines[0].taxes });
      }
      // Visit values 33334, 33333, 33333; taxes 4334, 4333, 4333 (billing-rules.md "Taxes").
      expect(lines).toEqual([
        { amount: 33334, taxes: [{ code: 'HST', rate: '13', amount: 4334 }] },
        { amount: 33333, taxes: [{ code: 'HST', rate: '13', amount: 4333 }] },
        { amount: 33333, taxes: [{ code: 'HST', rate: '13', amount: 4333 }] },
      ]);
      expect(paid).toEqual([37668, 37666, 37666]);
      expect(paid.reduce((n, x) => n + x, 0)).toBe(113000);
    });

    it("a patient portion is taxed by the service's codes and stays for the patient", async () => {
      const plan = await g.plan({ kind: 'package', name: 'Co-pay package', price: 80000, taxCodes: ['HST'], items: [{ serviceId: massage.id, quantity: 10, patientPortion: 2000 }] });
      const purchase = await g.paidPurchase(patientId, plan.id);
      const { invoiceId, lineId } = await g.appointmentInvoice(patientId, massage.id);
      await redeem(invoiceId, lineId, purchase.id);
      const invoice = await inv(invoiceId);
      // Covered 10000; the portion 2000 is taxed 13 %: 260.
      expect(invoice).toMatchObject({ status: 'open', subtotal: 12000, taxTotal: 260, total: 12260, balanceDue: 2260 });
      expect(invoice.lines[0]).toMatchObject({ redemption: { coveredAmount: 10000 }, taxes: [{ code: 'HST', rate: '13', amount: 260 }] });
    });

    it('a refund returns tax with the money: 10 visits for 100000 at 13 %, 3 used: refundable 79100, taxAmount 9100', async () => {
      const plan = await g.packagePlan(massage.id, 10, 100000, { taxCodes: ['HST'] });
      const purchase = await g.paidPurchase(patientId, plan.id);
      const { invoiceId, lineId } = await g.visitInvoice(patientId, massage.id, 3);
      await redeem(invoiceId, lineId, purchase.id);
      const refund = succeeded(await g.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'card', reason: 'moving away' }));
      expect(refund.result).toMatchObject({ amount: 79100, taxAmount: 9100, cancelled: true });
    });

    it('an untaxed refund has taxAmount 0; an invoice refund returns its invoice\'s share of tax', async () => {
      const untaxed = await g.packagePlan(massage.id, 10, 100000);
      const purchase = await g.paidPurchase(patientId, untaxed.id);
      expect(succeeded(await g.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'card', reason: 'r' })).result).toMatchObject({ amount: 100000, taxAmount: 0 });

      const { invoiceId } = await g.appointmentInvoice(patientId, massage.id);
      await g.pay(invoiceId, 13560);
      const refund = succeeded(await g.command(`/v1/invoices/${invoiceId}/refunds`, { method: 'card', reason: 'r', amount: 13560 }));
      expect(refund.result).toMatchObject({ amount: 13560, taxAmount: 1560 });
    });

    it('a charge line is taxed by its own codes (each one of the clinic\'s), a tip never', async () => {
      const { invoiceId } = await g.appointmentInvoice(patientId, massage.id);
      const lines = (body: Record<string, unknown>) => env.http().post(`/v1/invoices/${invoiceId}/lines`).set(bearer(c2.keys.front_desk)).send(body);
      const charge = await lines({ kind: 'charge', description: 'Oil', amount: 5000, taxCodes: ['HST', 'GST'] });
      expect(charge.status).toBe(201);
      expect(charge.body.taxes).toEqual([{ code: 'HST', rate: '13', amount: 650 }, { code: 'GST', rate: '5', amount: 250 }]);
      const unknown = await lines({ kind: 'charge', description: 'Oil', amount: 5000, taxCodes: ['QST'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('validation_failed');
      expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['taxCodes']);
      const tip = await lines({ kind: 'tip', description: 'Thanks', amount: 2000 });
      expect(tip.status).toBe(201);
      expect(tip.body.taxes).toEqual([]);
      const invoice = await inv(invoiceId);
      expect(invoice).toMatchObject({ subtotal: 12000 + 5000 + 2000, taxTotal: 1560 + 900, total: 21460, balanceDue: 21460 });
    });

    it("a membership cycle is billed with the day's rates: the new rate on the new invoice, the old one kept on the old", async () => {
      const plan = await g.membershipPlan(massage.id, 2, 15000, { taxCodes: ['HST'] });
      const startDate = addDays(todayIn('America/Toronto'), -35);
      const purchase = await g.purchase(patientId, plan.id, { startDate });
      const first = await inv(purchase.invoices[0].id);
      expect(first.lines[0].taxes).toEqual([{ code: 'HST', rate: '13', amount: 1950 }]);

      expect((await hst('15')).status).toBe(200);
      try {
        succeeded(await g.command('/v1/reconciliations', { asOf: todayIn('America/Toronto') }, { wait: 30 }));
        const { rows } = await env.db.query(`select id from invoice where purchase_id = $1 and kind = 'membership' order by cycle_start`, [purchase.id]);
        expect(rows.length).toBeGreaterThanOrEqual(2);
        const [old, next] = [await inv(rows[0].id), await inv(rows[1].id)];
        expect(old).toMatchObject({ subtotal: 15000, taxTotal: 1950, total: 16950 });
        expect(old.lines[0].taxes).toEqual([{ code: 'HST', rate: '13', amount: 1950 }]);
        expect(next).toMatchObject({ subtotal: 15000, taxTotal: 2250, total: 17250, status: 'open' });
        expect(next.lines[0].taxes).toEqual([{ code: 'HST', rate: '15', amount: 2250 }]);
      } finally {
        await hst('13');
      }
    });

    it('leaves the ledger clean (verifier)', async () => {
      const orm = await MikroORM.init(ormConfig({ databaseUrl: env.config.DATABASE_URL, poolSize: 2 }));
      try {
        const result = await verifyLedger(orm.em);
        expect(result.clean ? 'clean' : formatVerifyReport(result)).toBe('clean');
      } finally {
        await orm.close();
      }
    });
  });

  describe('migration', () => {
    const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
    const url = withDatabase(server, `cb_test_taxmig_${process.pid}_${randomBytes(4).toString('hex')}`);
    afterAll(async () => {
      await dropDatabase(url);
    });

    it('existing invoices get subtotal = total, taxTotal 0 and lines without taxes', async () => {
      const applied = await migrate(url, { to: BEFORE_TAXES });
      expect(applied).toContain(BEFORE_TAXES);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const id = () => randomUUID();
        const r = { clinic: id(), patient: id(), invoice: id(), line: id() };
        await db.query(`insert into clinic (id, name, currency, timezone, settings) values ($1, 'C', 'CAD', 'UTC', '{}')`, [r.clinic]);
        await db.query(`insert into patient (id, clinic_id, first_name, last_name) values ($1, $2, 'A', 'B')`, [r.patient, r.clinic]);
        await db.query(`insert into invoice (id, clinic_id, number, patient_id, kind, service_date, total) values ($1, $2, 1, $3, 'service', current_date, 12345)`, [r.invoice, r.clinic, r.patient]);
        await db.query(`insert into invoice_line (id, clinic_id, invoice_id, description, unit_price, amount) values ($1, $2, $3, 'S', 12345, 12345)`, [r.line, r.clinic, r.invoice]);
        expect(await migrate(url)).toContain('Migration20261128123000_taxes');
        const { rows } = await db.query(`select i.subtotal::int, i.tax_total::int, i.total::int, l.taxes from invoice i join invoice_line l on l.invoice_id = i.id where i.id = $1`, [r.invoice]);
        expect(rows).toEqual([{ subtotal: 12345, tax_total: 0, total: 12345, taxes: [] }]);
      } finally {
        await db.end();
      }
    });
  });
});
