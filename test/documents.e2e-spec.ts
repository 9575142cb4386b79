import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';
import { launchBrowser } from './browser.js';
import { signIn } from './dashboard-helpers.js';
import { pdfPageToPng, pdfText } from './pdf.js';

const SCREENSHOTS = join(process.cwd(), 'artifacts', 'screenshots');

/** GET a PDF with a key: the bytes, after checking it is one. */
async function getPdf(env: TestEnv, path: string, key: string): Promise<Buffer> {
  const res = await env.http().get(path).set(bearer(key)).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body?.toString?.()}`);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(res.headers['content-disposition']).toMatch(/^inline; filename="(receipt|statement)-[\w-]+\.pdf"$/);
  const pdf = res.body as Buffer;
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  return pdf;
}

describe('receipts and statements (PDF)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let massage: any;
  let patient: any;
  let pack: any;
  let visitInvoices: string[];
  let instalmentPurchaseId: string;

  beforeAll(async () => {
    env = await startTestEnv();
    clinic = await createClinic(env, { name: 'Harbourview Massage Therapy', currency: 'CAD', timezone: 'America/Toronto' });
    f = new Fixtures(env, clinic);
    // Ontario: HST on massage packages, and the clinic's tax number on every receipt.
    await env.http().patch('/v1/clinic/settings').set(bearer(clinic.keys.owner))
      .send({ taxes: [{ code: 'HST', name: 'HST', rate: '13' }], taxNumber: '123456789 RT0001' }).expect(200);
    massage = await f.service('Massage therapy, 60 min', 12000);
    const plan = await f.packagePlan(massage.id, 10, 100000, { name: '10 massages', insuranceFriendly: true, taxCodes: ['HST'] });
    patient = await f.patient('Ada', 'Lovelace', { email: 'ada@example.com', dateOfBirth: '1985-12-10' });
    pack = await f.paidPurchase(patient.id, plan.id);
    visitInvoices = [];
    for (let visit = 1; visit <= 3; visit += 1) {
      const { invoiceId, lineId } = await f.appointmentInvoice(patient.id, massage.id);
      const res = await f.redeem({ invoiceId, lineId, purchaseId: pack.id });
      expect(res.body).toMatchObject({ status: 'succeeded' });
      visitInvoices.push(invoiceId);
    }
  });
  afterAll(async () => {
    await env?.close();
  });

  it("prints a visit's receipt: clinic, number, patient, the line and which package visit paid it, the credit payment, nothing due", async () => {
    const invoice = await f.get(`/v1/invoices/${visitInvoices[2]}`);
    const [text] = await pdfText(await getPdf(env, `/v1/invoices/${invoice.id}/receipt.pdf`, clinic.keys.front_desk));
    expect(text).toContain('Harbourview Massage Therapy');
    expect(text).toContain('RECEIPT');
    expect(text).toContain(`Invoice no.: ${invoice.number}`);
    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('Date of birth: Dec 10, 1985');
    expect(text).toContain('Massage therapy, 60 min');
    expect(text).toContain('Paid by package credit: 10 massages, visit 3 of 10');
    // The visit's share of the package's HST (13 % of 100000 spread like the visit values), paid by its credit.
    expect(text).toContain('123456789 RT0001');
    expect(invoice.taxTotal).toBe(1300);
    expect(text).toContain(`HST (13%) ${fmt(1300)}`);
    expect(invoice.payments[0].amount).toBe(10000 + 1300);
    expect(text).toMatch(new RegExp(`Package credit purchase …${pack.id.slice(-12)} \\${fmt(invoice.payments[0].amount)}`));
    expect(text).toContain(`Total ${fmt(invoice.total)}`);
    expect(text).toContain('Balance due $0.00');
    // The first visit's receipt counts its own visit, not the latest.
    const [first] = await pdfText(await getPdf(env, `/v1/invoices/${visitInvoices[0]}/receipt.pdf`, clinic.keys.front_desk));
    expect(first).toContain('visit 1 of 10');
  });

  it('numbers a visit among the visits still used: a reversed redemption no longer counts', async () => {
    const plan = await f.packagePlan(massage.id, 5, 50000, { name: '5 massages' });
    const bought = await f.paidPurchase(patient.id, plan.id);
    const redemptions: { invoiceId: string; commandId: string }[] = [];
    for (let visit = 1; visit <= 2; visit += 1) {
      const { invoiceId, lineId } = await f.appointmentInvoice(patient.id, massage.id);
      const res = await f.redeem({ invoiceId, lineId, purchaseId: bought.id });
      expect(res.body).toMatchObject({ status: 'succeeded' });
      redemptions.push({ invoiceId, commandId: res.body.id });
    }
    const reversal = await f.command(`/v1/redemptions/${redemptions[0].commandId}/reversal`, { reason: 'Booked on the wrong patient' });
    expect(reversal.body).toMatchObject({ status: 'succeeded' });
    const [text] = await pdfText(await getPdf(env, `/v1/invoices/${redemptions[1].invoiceId}/receipt.pdf`, clinic.keys.front_desk));
    expect(text).toContain('5 massages, visit 1 of 5');
  });

  it('prints what is still due and each payment with its method', async () => {
    const facial = await f.service('Facial', 9000);
    const { invoiceId } = await f.visitInvoice(patient.id, facial.id);
    await f.pay(invoiceId, 5000, 'card');
    const [text] = await pdfText(await getPdf(env, `/v1/invoices/${invoiceId}/receipt.pdf`, clinic.keys.owner));
    expect(text).toContain('INVOICE');
    expect(text).toContain('Facial 1 $90.00 $90.00');
    expect(text).toMatch(/Card \$50\.00/);
    expect(text).toContain('Paid -$50.00');
    expect(text).toContain('Balance due $40.00');
  });

  it('prints a purchase statement: balances per service, instalments with what each still owes, history', async () => {
    const plan = await f.packagePlan(massage.id, 6, 60000, { name: '6 massages', installments: { count: 3, intervalDays: 30 } });
    const purchase = await f.purchase(patient.id, plan.id, { paymentSchedule: 'installments' });
    instalmentPurchaseId = purchase.id;
    await f.pay(purchase.installments[0].invoiceId, 20000);
    await f.pay(purchase.installments[1].invoiceId, 5000);
    const { invoiceId, lineId } = await f.visitInvoice(patient.id, massage.id);
    expect((await f.redeem({ invoiceId, lineId, purchaseId: purchase.id })).body).toMatchObject({ status: 'succeeded' });

    const [text] = await pdfText(await getPdf(env, `/v1/purchases/${purchase.id}/statement.pdf`, clinic.keys.front_desk));
    expect(text).toContain('STATEMENT');
    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('6 massages (package)');
    expect(text).toContain('Price $600.00');
    expect(text).toContain('Paid $250.00');
    expect(text).toContain('Balance owing $350.00');
    expect(text).toContain('Massage therapy, 60 min 6 1 0 5'); // total, used, transferred, remaining
    expect(text).toMatch(/1 #\d+ \S+ \d+, \d{4} \$200\.00 Paid \$0\.00/);
    expect(text).toMatch(/2 #\d+ \S+ \d+, \d{4} \$200\.00 Open \$150\.00/);
    expect(text).toMatch(/3 #\d+ \S+ \d+, \d{4} \$200\.00 Open \$200\.00/);
    expect(text).toContain('Purchased');
    expect(text).toContain('Redeemed');
  });

  it("answers 404 for another clinic's invoice or purchase, 403 to the online role", async () => {
    const other = await createClinic(env, { name: 'Elsewhere' });
    for (const path of [`/v1/invoices/${visitInvoices[0]}/receipt.pdf`, `/v1/purchases/${pack.id}/statement.pdf`]) {
      const res = await env.http().get(path).set(bearer(other.keys.owner));
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
      expect((await env.http().get(path).set(bearer(clinic.keys.online))).status).toBe(403);
    }
  });

  it("serves the same PDFs to the dashboard's session, linked from the purchase page; not without a session", async () => {
    const cookie = await signIn(env, clinic.keys.front_desk);
    const page = await env.http().get(`/dashboard/purchases/${pack.id}`).set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/dashboard/purchases/${pack.id}/statement.pdf"`);
    for (const invoice of pack.invoices) expect(page.text).toContain(`href="/dashboard/invoices/${invoice.id}/receipt.pdf"`);

    const binary = (path: string) => env.http().get(path).set('Cookie', cookie).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
    const receipt = await binary(`/dashboard/invoices/${visitInvoices[2]}/receipt.pdf`);
    expect(receipt.status).toBe(200);
    expect(receipt.headers['content-type']).toBe('application/pdf');
    expect((await pdfText(receipt.body))[0]).toContain('visit 3 of 10');
    expect((await binary(`/dashboard/purchases/${pack.id}/statement.pdf`)).status).toBe(200);
    expect((await env.http().get(`/dashboard/invoices/${visitInvoices[2]}/receipt.pdf`)).status).toBe(401);
  });

  it('renders page 1 of a receipt and a statement to PNG for a person to look at (artifacts/screenshots)', async () => {
    const receipt = await getPdf(env, `/v1/invoices/${visitInvoices[2]}/receipt.pdf`, clinic.keys.owner);
    const statement = await getPdf(env, `/v1/purchases/${instalmentPurchaseId}/statement.pdf`, clinic.keys.owner);
    const browser = await launchBrowser({ viewport: { width: 1300, height: 1700 } });
    try {
      await mkdir(SCREENSHOTS, { recursive: true });
      for (const [name, pdf] of [['receipt', receipt], ['statement', statement]] as const) {
        const png = await pdfPageToPng(browser.page, pdf);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        // Letter at scale 2: 1224 × 1584 pixels (width and height are bytes 16..23 of the header).
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1224, 1584]);
        await writeFile(join(SCREENSHOTS, `${name}.png`), png);
      }
    } finally {
      await browser.close();
    }
  });
});

const fmt = (minor: number) => new Intl.NumberFormat('en-CA', { style: 'currency', currency: 'CAD' }).format(minor / 100);
