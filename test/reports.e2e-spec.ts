// Reports and exports (issue 16) over HTTP with the real worker: the worked example of
// billing-rules.md, as-of days, ageing buckets, revenue days, CSV parsed back, streamed exports.
import { addDays, todayIn } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const TZ = 'America/Toronto';

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; lines end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 1; }
    else field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}
const records = (text: string) => {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
};

describe('reports', () => {
  let env: TestEnv;
  let a: TestClinic;
  let b: TestClinic;
  let fa: Fixtures;
  let fb: Fixtures;
  const today = todayIn(TZ);
  const get = (clinic: TestClinic, path: string, accept?: string, key: keyof TestClinic['keys'] = 'billing') => {
    const req = env.http().get(path).set(bearer(clinic.keys[key]));
    return accept ? req.set('Accept', accept).buffer(true).parse((res, cb) => { let s = ''; res.on('data', (c: Buffer) => (s += c.toString())); res.on('end', () => cb(null, s)); }) : req;
  };
  const planRow = (body: any, planId: string) => body.plans.find((p: any) => p.planId === planId);

  let service: any;
  let plan: any;
  let patient: any;
  let purchase: any;

  beforeAll(async () => {
    env = await startTestEnv();
    a = await createClinic(env, { timezone: TZ });
    b = await createClinic(env, { name: 'Other', timezone: TZ });
    fa = new Fixtures(env, a);
    fb = new Fixtures(env, b);
    service = await fa.service('Massage 60', 10000);
    plan = await fa.packagePlan(service.id, 10, 100000);
    patient = await fa.patient('Zoë "Z"', 'O, Brien');
    purchase = await fa.paidPurchase(patient.id, plan.id);
    const { invoiceId, lineId } = await fa.visitInvoice(patient.id, service.id, 3);
    expect((await fa.redeem({ invoiceId, lineId, purchaseId: purchase.id })).body.status).toBe('succeeded');
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  describe('the worked example of billing-rules.md', () => {
    it('paid and 3 of 10 redeemed: recognized 30000, outstanding 70000', async () => {
      const res = await get(a, '/v1/reports/liability');
      expect(res.status).toBe(200);
      expect(res.body.asOf).toBe(today);
      expect(planRow(res.body, plan.id)).toEqual({
        planId: plan.id, planName: plan.name, kind: 'package', purchases: 1,
        paid: 100000, refunded: 0, recognized: 30000, forfeited: 0, outstanding: 70000, unusedVisits: 7,
      });
      expect(res.body.totals).toEqual({ purchases: 1, paid: 100000, refunded: 0, recognized: 30000, forfeited: 0, outstanding: 70000, unusedVisits: 7 });
    });

    it('answers CSV with Accept: text/csv: a header naming the fields, one row per plan, money as decimals', async () => {
      const res = await get(a, '/v1/reports/liability', 'text/csv');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const rows = parseCsv(res.body as string);
      expect(rows[0]).toEqual(['asOf', 'planId', 'planName', 'kind', 'purchases', 'paid', 'refunded', 'recognized', 'forfeited', 'outstanding', 'unusedVisits']);
      expect(rows.slice(1)).toEqual([[today, plan.id, plan.name, 'package', '1', '1000.00', '0.00', '300.00', '0.00', '700.00', '7']]);
    });

    it('cancelled: forfeited 70000, outstanding 0; then refunded by the prorated policy (70000): forfeited 0', async () => {
      expect((await fa.command(`/v1/purchases/${purchase.id}/cancellation`, { reason: 'moving' })).body.status).toBe('succeeded');
      expect(planRow((await get(a, '/v1/reports/liability')).body, plan.id)).toMatchObject({ recognized: 30000, forfeited: 70000, outstanding: 0, unusedVisits: 0 });
      const refund = await fa.command(`/v1/purchases/${purchase.id}/refunds`, { method: 'card', reason: 'goodwill' });
      expect(refund.body).toMatchObject({ status: 'succeeded', result: { amount: 70000 } });
      const row = planRow((await get(a, '/v1/reports/liability')).body, plan.id);
      expect(row).toMatchObject({ paid: 100000, refunded: 70000, recognized: 30000, forfeited: 0, outstanding: 0 });
      expect(row.paid - row.refunded).toBe(row.recognized + row.forfeited + row.outstanding);
    });
  });

  it('as of a day counts what happened by its end in the clinic time zone, never a later payment', async () => {
    const s = await fb.service('Physio', 5000);
    const p = await fb.packagePlan(s.id, 4, 20000);
    const pt = await fb.patient('Ann', 'Early');
    const bought = await fb.purchase(pt.id, p.id);
    const invoice = bought.invoices[0];
    await fb.pay(invoice.id, 5000);
    // Sold and partly paid three days ago; the rest paid today.
    const threeDaysAgo = addDays(today, -3);
    await env.db.query(`update purchase set created_at = ($1::date + time '12:00') at time zone '${TZ}' where id = $2`, [threeDaysAgo, bought.id]);
    await env.db.query(`update payment set created_at = ($1::date + time '12:00') at time zone '${TZ}' where invoice_id = $2`, [threeDaysAgo, invoice.id]);
    await env.db.query(`update invoice set created_at = ($1::date + time '12:00') at time zone '${TZ}', due_date = $1::date, service_date = $1::date where id = $2`, [threeDaysAgo, invoice.id]);
    await env.db.query(`update ledger_entry set created_at = ($1::date + time '12:00') at time zone '${TZ}' where purchase_id = $2`, [threeDaysAgo, bought.id]);
    await fb.pay(invoice.id, 15000);

    const then = (await get(b, `/v1/reports/liability?asOf=${addDays(today, -1)}`)).body;
    expect(then.asOf).toBe(addDays(today, -1));
    expect(planRow(then, p.id)).toMatchObject({ purchases: 1, paid: 5000, outstanding: 5000, unusedVisits: 4 });
    expect(planRow((await get(b, '/v1/reports/liability')).body, p.id)).toMatchObject({ paid: 20000, outstanding: 20000 });
    expect((await get(b, `/v1/reports/liability?asOf=${addDays(today, -4)}`)).body.plans).toEqual([]);

    // The same invoice was open (15000 due) as of yesterday, due three days before: 1-30.
    const ageing = (await get(b, `/v1/reports/ageing?asOf=${addDays(today, -1)}`)).body;
    expect(ageing.buckets).toEqual([{ kind: 'package', bucket: '1-30', invoices: 1, balanceDue: 15000 }]);
    expect((await get(b, '/v1/reports/ageing')).body.buckets).toEqual([]);
  });

  it('ages open invoices by days past due, a service invoice due on its service date', async () => {
    const s = await fb.service('Yoga', 3000);
    const pt = await fb.patient('Ben', 'Late');
    const dates = [0, 1, 30, 31, 60, 61, 90, 91, 200];
    for (const days of dates) {
      const { invoiceId } = await fb.visitInvoice(pt.id, s.id);
      await env.db.query(`update invoice set service_date = $1::date where id = $2`, [addDays(today, -days), invoiceId]);
    }
    const { invoiceId: future } = await fb.visitInvoice(pt.id, s.id, 2);
    await env.db.query(`update invoice set service_date = $1::date where id = $2`, [addDays(today, 5), future]);
    const res = await get(b, '/v1/reports/ageing');
    expect(res.status).toBe(200);
    expect(res.body.buckets).toEqual([
      { kind: 'service', bucket: 'current', invoices: 2, balanceDue: 9000 },
      { kind: 'service', bucket: '1-30', invoices: 2, balanceDue: 6000 },
      { kind: 'service', bucket: '31-60', invoices: 2, balanceDue: 6000 },
      { kind: 'service', bucket: '61-90', invoices: 2, balanceDue: 6000 },
      { kind: 'service', bucket: 'over-90', invoices: 2, balanceDue: 6000 },
    ]);
    const csv = records((await get(b, '/v1/reports/ageing', 'text/csv')).body as string);
    expect(csv[0]).toEqual({ asOf: today, kind: 'service', bucket: 'current', invoices: '2', balanceDue: '90.00' });
  });

  it('revenue: per day, money received and returned, value recognized and visits redeemed', async () => {
    const res = await get(a, `/v1/reports/revenue?from=${addDays(today, -1)}&to=${today}`);
    expect(res.status).toBe(200);
    expect(res.body.days).toEqual([
      { date: addDays(today, -1), payments: 0, refunds: 0, recognized: 0, redemptions: 0 },
      // 30000 recognized by the 3 visits; the 70000 forfeited at cancellation went back with the refund.
      { date: today, payments: 100000, refunds: 70000, recognized: 30000, redemptions: 3 },
    ]);
    const csv = records((await get(a, `/v1/reports/revenue?from=${today}&to=${today}`, 'text/csv')).body as string);
    expect(csv).toEqual([{ date: today, payments: '1000.00', refunds: '700.00', recognized: '300.00', redemptions: '3' }]);
  });

  it('exports payments and invoices as CSV rows (the default), quoting a name with a comma and a quote', async () => {
    const res = await get(a, `/v1/exports/payments?from=${today}&to=${today}`, '*/*');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body).toContain('"Zoë ""Z"" O, Brien"');
    const rows = records(res.body as string);
    expect(rows.map((r) => [r.patient, r.method, r.amount, r.voided])).toEqual([
      ['Zoë "Z" O, Brien', 'card', '1000.00', 'false'],
      ['Zoë "Z" O, Brien', 'card', '-700.00', 'false'],
    ]);
    expect(rows[0]).toMatchObject({ date: today, invoiceNumber: '1', patientId: patient.id });

    const invoices = records((await get(a, `/v1/exports/invoices?from=${today}&to=${today}`, 'text/csv')).body as string);
    expect(invoices.map((r) => [r.number, r.kind, r.status, r.subtotal, r.taxTotal, r.total, r.amountPaid, r.amountRefunded, r.balanceDue])).toEqual([
      ['1', 'package', 'paid', '1000.00', '0.00', '1000.00', '1000.00', '700.00', '0.00'],
      ['2', 'service', 'paid', '300.00', '0.00', '300.00', '0.00', '0.00', '0.00'],
    ]);
    const json = await get(a, `/v1/exports/payments?from=${today}&to=${today}`).set('Accept', 'application/json');
    expect(json.body.map((p: any) => p.amount)).toEqual([100000, -70000]);
  });

  it('streams an export of many rows in keyset batches, every row once', async () => {
    const pt = await fb.patient('Many', 'Payments');
    const s = await fb.service('Bulk', 1);
    const { invoiceId } = await fb.visitInvoice(pt.id, s.id);
    // 2,500 rows sharing one instant: the keyset's id breaks the ties across batches of 1,000.
    await env.db.query(
      `insert into payment (id, created_at, clinic_id, invoice_id, amount, method, effect_key)
       select gen_random_uuid(), now(), $1, $2, 1, 'cash', 'bulk-' || g from generate_series(1, 2500) g`,
      [b.id, invoiceId],
    );
    const rows = records((await get(b, `/v1/exports/payments?from=${today}&to=${today}`, 'text/csv')).body as string);
    const bulk = rows.filter((r) => r.invoiceId === invoiceId);
    expect(bulk).toHaveLength(2500);
    expect(new Set(bulk.map((r) => r.id)).size).toBe(2500);
  });

  it('refuses front_desk (403 forbidden), bad dates and ranges over 366 days (validation_failed)', async () => {
    for (const path of ['/v1/reports/liability', '/v1/reports/ageing', `/v1/reports/revenue?from=${today}&to=${today}`, `/v1/exports/invoices?from=${today}&to=${today}`, `/v1/exports/payments?from=${today}&to=${today}`]) {
      const res = await get(a, path, undefined, 'front_desk');
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'forbidden']);
      expect((await get(a, path, undefined, 'owner')).status).toBe(200);
    }
    const invalid = async (path: string) => {
      const res = await get(a, path);
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'validation_failed']);
    };
    expect((await get(a, `/v1/reports/revenue?from=${addDays(today, -365)}&to=${today}`)).body.days).toHaveLength(366);
    await invalid(`/v1/reports/revenue?from=${addDays(today, -366)}&to=${today}`);
    await invalid(`/v1/exports/payments?from=${addDays(today, -366)}&to=${today}`);
    await invalid(`/v1/reports/revenue?from=${today}&to=${addDays(today, -1)}`);
    await invalid('/v1/reports/revenue');
    await invalid('/v1/reports/liability?asOf=2026-02-30');
    await invalid('/v1/reports/liability?asOf=1999-12-31');
    await invalid(`/v1/reports/ageing?asOf=${addDays(today, 400)}`);
    await invalid('/v1/reports/ageing?asOf=yesterday');
  });
});
