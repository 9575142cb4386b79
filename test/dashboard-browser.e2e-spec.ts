// The dashboard in a real browser: headless Chromium (the one npm installs, or CHROMIUM_PATH) driven by playwright-core.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { addDays, todayIn } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';
import { launchBrowser, SESSION_COOKIE } from './dashboard-helpers.js';

const SCREENSHOTS = join(process.cwd(), 'artifacts', 'screenshots');
const TZ = 'America/Toronto';
const today = () => todayIn(TZ);

describe('dashboard in a browser (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let context: BrowserContext;
  let page: Page;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let unpaid: any;
  let pack: any;
  let visit: { invoiceId: string; lineId: string };
  let before: Record<string, number>;
  const problems: string[] = [];

  const counts = async () => {
    const { rows } = await env.db.query(
      `select (select count(*) from command)::int as commands, (select count(*) from payment)::int as payments,
              (select count(*) from ledger_entry)::int as ledger, (select count(*) from invoice)::int as invoices,
              (select count(*) from purchase)::int as purchases, (select count(*) from idempotency_record)::int as idempotency_records`,
    );
    return rows[0] as Record<string, number>;
  };
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const keys = () => Object.values(clinic.keys);

  beforeAll(async () => {
    // No worker while browsing: nothing in the background (the daily reconciliation) may write
    // while the test checks that browsing wrote nothing. It starts for the live update.
    env = await startTestEnv({ worker: false });
    clinic = await createClinic(env, { name: 'Harbour Physio' });
    f = new Fixtures(env, clinic);
    const massage = await f.service('Massage 60', 12000);
    const membership = await f.membershipPlan(massage.id, 4, 8900, { name: 'Wellness membership' });
    const tenPack = await f.packagePlan(massage.id, 10, 100000, { name: '10 massages' });
    const mary = await f.patient('Mary', 'Member', { email: 'mary@example.com', phone: '+1 416 555 0101' });
    unpaid = await f.purchase(mary.id, membership.id, { startDate: addDays(today(), -10) });
    const lapsed = await f.patient('Liam', 'Late');
    await f.purchase(lapsed.id, membership.id, { startDate: addDays(today(), -34) });
    const rita = await f.patient('Rita', 'Redeemer');
    pack = await f.paidPurchase(rita.id, tenPack.id);
    visit = await f.visitInvoice(rita.id, massage.id);

    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchBrowser({ viewport: { width: 1360, height: 900 } });
    ({ context, page } = browser);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('request', (request) => {
      for (const key of keys()) if (request.url().includes(key)) problems.push(`a key in a URL: ${request.url()}`);
    });
    before = await counts();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  }, 30_000);

  it('signs in with a front-desk key', async () => {
    await page.goto(`${env.baseUrl}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
    await shot('sign-in');

    await page.fill('input[name="apiKey"]', 'cbk_wrong-key');
    await page.click('button[type="submit"]');
    await expect(page.locator('#sign-in-error').textContent()).resolves.toContain('Unknown or revoked API key.');
    expect(await page.inputValue('input[name="apiKey"]')).toBe('');
    problems.length = 0; // that 401 was the point

    await page.fill('input[name="apiKey"]', clinic.keys.front_desk);
    await Promise.all([page.waitForURL(`${env.baseUrl}/dashboard`), page.click('button[type="submit"]')]);
    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie!.value).not.toContain(clinic.keys.front_desk);
    // Scripts cannot read the session.
    expect(await page.evaluate('document.cookie')).toBe('');
  }, 30_000);

  it('sees the unpaid membership invoices with their days overdue, most overdue first', async () => {
    const row = page.locator(`#unpaid-memberships tr[data-invoice-id="${unpaid.invoices[0].id}"]`);
    await expect(row.textContent()).resolves.toMatch(/Mary Member.*Wellness membership.*\$89\.00.*10 days/s);
    const days = await page.locator('#unpaid-memberships tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as unknown as { dataset: Record<string, string> }).dataset.daysOverdue)));
    expect(days).toEqual([34, 10]);
    await page.waitForSelector('#live-indicator[data-state="live"]');
    await shot('dashboard');
  }, 30_000);

  it('shows the dashboard as of another date with the date picker', async () => {
    await page.fill('input[name="asOf"]', addDays(today(), -4));
    await Promise.all([page.waitForURL(`**/dashboard?asOf=${addDays(today(), -4)}`), page.click('#as-of-form button[type="submit"]')]);
    await expect(page.locator(`tr[data-invoice-id="${unpaid.invoices[0].id}"]`).getAttribute('data-days-overdue')).resolves.toBe('6');
    await Promise.all([page.waitForURL(`${env.baseUrl}/dashboard`), page.click('text=back to today')]);
  }, 30_000);

  it('finds a patient and opens a purchase: balances, invoices, history', async () => {
    await page.fill('input[name="search"]', 'mary');
    await Promise.all([page.waitForURL('**/dashboard/patients?search=mary'), page.press('input[name="search"]', 'Enter')]);
    const patient = page.locator('section[data-patient-id]');
    await expect(patient.count()).resolves.toBe(1);
    await expect(patient.textContent()).resolves.toContain('mary@example.com');
    await shot('patients');
    await Promise.all([page.waitForURL(`**/dashboard/purchases/${unpaid.id}`), page.click(`a[href="/dashboard/purchases/${unpaid.id}"] >> nth=0`)]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Wellness membership');
    await expect(page.locator('#balances').textContent()).resolves.toContain('Massage 60');
    await expect(page.locator('#invoices').textContent()).resolves.toMatch(/#\d+.*Membership.*\$89\.00.*Overdue/s);
    await expect(page.locator('#history').textContent()).resolves.toContain('Purchased');

    await page.goto(`${env.baseUrl}/dashboard/purchases/${pack.id}`);
    await expect(page.locator('#balances').textContent()).resolves.toMatch(/Massage 60\s*10\s*0/);
    await shot('purchase-details');
  }, 30_000);

  it('has recorded nothing by browsing: no command, payment or ledger entry', async () => {
    for (const path of ['/dashboard', '/dashboard/patients?search=e', `/dashboard/purchases/${pack.id}`]) {
      await page.goto(`${env.baseUrl}${path}`);
      // Every form that posts goes to the dashboard's own actions with the session's CSRF token.
      const posting = await page.locator('form[method="post"]').evaluateAll((forms) =>
        forms.map((f) => ({ action: (f as unknown as { action: string }).action, csrf: Boolean((f as unknown as { querySelector: (s: string) => unknown }).querySelector('input[name="csrf"]')) })),
      );
      expect(posting).toContainEqual({ action: `${env.baseUrl}/dashboard/sign-out`, csrf: true });
      for (const form of posting) {
        expect(form.action).toMatch(new RegExp(`^${env.baseUrl}/dashboard/(sign-out|invoices/[0-9a-f-]+/payments)$`));
        expect(form.csrf).toBe(true);
      }
    }
    expect(await counts()).toEqual(before);
  }, 30_000);

  it('shows a redemption in recent activity as it finishes, without reloading', async () => {
    await env.startWorker();
    await page.goto(`${env.baseUrl}/dashboard`);
    await page.waitForSelector('#live-indicator[data-state="live"]');
    await page.evaluate('window.__sameDocument = true');

    // The command does not exist yet when the page loads: it can only arrive by a live update.
    const res = await f.redeem({ ...visit, purchaseId: pack.id });
    expect(res.body.status).toBe('succeeded');
    const finishedAt = Date.now();
    const item = page.locator(`#recent-activity li[data-command-id="${res.body.id}"]`);
    await item.waitFor({ state: 'visible', timeout: 1000 });
    const latency = Date.now() - finishedAt;
    expect(latency).toBeLessThan(1000);
    await expect(item.textContent()).resolves.toMatch(/Succeeded\s*Redeemed 1 visit/);
    await expect(page.evaluate('window.__sameDocument')).resolves.toBe(true);
    await page.waitForSelector('#toast.show');
    await shot('live-update');

    expect(problems).toEqual([]);
  }, 30_000);
});
