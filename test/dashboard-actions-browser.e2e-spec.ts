// Issues 14 and 16 in a real browser, at 1366×900 and 390×844: Retry of a failed command clicked
// from the page (queued → succeeded), Record payment, the charts, the collections view, the phone
// layout, the event stream's reconnection and stale banner, and axe-core on the main pages.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { addDays, todayIn } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';
import { launchBrowser } from './dashboard-helpers.js';

const SCREENSHOTS = join(process.cwd(), 'artifacts', 'screenshots');
const TZ = 'America/Toronto';
const today = () => todayIn(TZ);
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
// The page's document, in functions run inside the page: the tests' TypeScript has no DOM lib, and
// the page's CSP forbids waitForFunction's evaluation of strings (so no string there).
type InPageDocument = { querySelector(selector: string): { textContent: string | null } | null };

describe('dashboard actions, charts and phone layout in a browser (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let page: Page;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let failed: any;
  let pack: any;
  let instalments: any;
  const problems: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const main = () => [
    '/dashboard',
    '/dashboard/patients?search=a',
    `/dashboard/purchases/${pack.id}`,
    '/dashboard/collections',
  ];

  /** axe-core on the page as it is: no serious or critical violation. */
  const axe = async (where: string) => {
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
  };

  beforeAll(async () => {
    // Two attempts per round keep the failing command quick.
    env = await startTestEnv({ env: { COMMAND_ATTEMPTS: '2' } });
    clinic = await createClinic(env, { name: 'Harbour Physio' });
    f = new Fixtures(env, clinic);
    const massage = await f.service('Massage 60', 12000);
    const membership = await f.membershipPlan(massage.id, 4, 8900, { name: 'Wellness membership' });
    const tenPack = await f.packagePlan(massage.id, 10, 100000, { name: '10 massages' });
    const spread = await f.packagePlan(massage.id, 3, 30000, { name: 'Three visits, spread', installments: { count: 3, intervalDays: 30 } });
    const mary = await f.patient('Mary', 'Member', { email: 'mary@example.com', phone: '+1 416 555 0101' });
    await f.purchase(mary.id, membership.id, { startDate: addDays(today(), -40) });
    const ivy = await f.patient('Ivy', 'Instalment', { phone: '+1 647 555 0142' });
    instalments = await f.purchase(ivy.id, spread.id, { paymentSchedule: 'installments', startDate: addDays(today(), -35) });
    const rita = await f.patient('Rita', 'Redeemer', { email: 'rita@example.com' });
    pack = await f.paidPurchase(rita.id, tenPack.id);
    // A redemption, reversed by the billing key: the purchase's history shows it.
    const first = await f.redeem({ ...(await f.visitInvoice(rita.id, massage.id)), purchaseId: pack.id });
    expect((await f.command(`/v1/redemptions/${first.body.id}/reversal`, { reason: 'Booked for the wrong patient' }, { key: clinic.keys.billing })).body.status).toBe('succeeded');

    // A redemption that fails on every attempt (an unexpected database error), then the fault is gone.
    const visit = await f.visitInvoice(rita.id, massage.id);
    await env.db.query(`create function cb_test_dash_boom() returns trigger language plpgsql as $$ begin raise exception 'boom'; end $$`);
    await env.db.query(`create trigger cb_test_dash_boom before insert on ledger_entry for each row execute function cb_test_dash_boom()`);
    try {
      const posted = await f.redeem({ ...visit, purchaseId: pack.id }, { wait: 0 });
      failed = await f.waitForCommand(posted.body.id, 20_000);
    } finally {
      await env.db.query('drop trigger cb_test_dash_boom on ledger_entry');
      await env.db.query('drop function cb_test_dash_boom()');
    }
    expect(failed.status).toBe('failed');

    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchBrowser({ viewport: DESKTOP });
    page = browser.page;
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/502|Bad Gateway|ERR_/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${env.baseUrl}/dashboard/sign-in`);
    await page.fill('input[name="apiKey"]', clinic.keys.billing);
    await Promise.all([page.waitForURL(`${env.baseUrl}/dashboard`), page.click('button[type="submit"]')]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  }, 30_000);

  it('names the failed command\'s patient and invoice; Retry takes it queued → succeeded', async () => {
    await env.stopWorker();
    await page.goto(`${env.baseUrl}/dashboard`);
    const row = page.locator(`#failed-commands tr[data-command-id="${failed.id}"]`);
    await expect(row.textContent()).resolves.toMatch(/Redemption.*Rita Redeemer.*10 massages.*invoice #\d+.*quote (correlation|command) id/s);
    await expect(row.textContent()).resolves.not.toContain('boom');
    await Promise.all([page.waitForURL(`**/dashboard?notice=retried&retried=${failed.id}`), row.locator('button.retry').click()]);
    await expect(page.locator('#action-notice').textContent()).resolves.toContain('queued again');
    await expect(page.locator('#retried .badge').textContent()).resolves.toBe('Queued');
    await page.waitForSelector('#live-indicator[data-state="live"]');
    await env.startWorker();
    await page.waitForFunction(() => (globalThis as unknown as { document: InPageDocument }).document.querySelector('#retried .badge')?.textContent === 'Succeeded', undefined, { timeout: 20_000 });
    await page.waitForSelector('#toast.show');
    await expect(page.locator('#toast').textContent()).resolves.toBe('Redemption succeeded for Rita Redeemer');
    await expect(page.locator(`#failed-commands tr[data-command-id="${failed.id}"]`).count()).resolves.toBe(0);
    await page.goto(`${env.baseUrl}/dashboard`);
    await page.waitForSelector('#live-indicator[data-state="live"]');
    await shot('dashboard-desktop');
    // The README's screenshot is refreshed on request only: a test run leaves tracked files alone.
    if (process.env.UPDATE_DOCS_IMAGES === '1') {
      await mkdir(join(process.cwd(), 'docs', 'images'), { recursive: true });
      await copyFile(join(SCREENSHOTS, 'dashboard-desktop.png'), join(process.cwd(), 'docs', 'images', 'dashboard.png'));
    }
  }, 60_000);

  it('shows a reversal in the purchase history, with who asked and why', async () => {
    await page.goto(`${env.baseUrl}/dashboard/purchases/${pack.id}`);
    const history = page.locator('#history');
    await expect(history.textContent()).resolves.toMatch(/Redemption reversed: visit given back.*Booked for the wrong patient/s);
    await expect(history.locator('tr[data-type="redemption_reversed"] td[data-label="By"]').textContent()).resolves.toMatch(/billing/i);
    await shot('purchase-history-desktop');
  }, 30_000);

  it('records a payment on an instalment from the collections view', async () => {
    await page.goto(`${env.baseUrl}/dashboard/collections`);
    const first = instalments.installments[0].invoiceId;
    const row = page.locator(`tr[data-invoice-id="${first}"]`);
    await expect(page.locator('#collections-summary').textContent()).resolves.toMatch(/Ivy Instalment.*\+1 647 555 0142/s);
    await row.locator('summary').click();
    await row.locator('input[name="amount"]').fill('100.00');
    await Promise.all([page.waitForURL('**/dashboard/collections?notice=payment_recorded*'), row.locator('button[type="submit"]').click()]);
    await expect(page.locator('#action-notice').textContent()).resolves.toBe('Payment recorded.');
    await expect(page.locator(`tr[data-invoice-id="${first}"]`).count()).resolves.toBe(0);
    await shot('collections-desktop');
  }, 30_000);

  it('passes axe-core with no serious or critical violation at 1366×900', async () => {
    for (const path of main()) {
      await page.goto(`${env.baseUrl}${path}`);
      await axe(`desktop ${path}`);
      // Every table fits its panel: no action column cut off behind a scroll bar on a desktop.
      const cut = await page.evaluate(`[...document.querySelectorAll('.panel .scroll')]
          .filter((el) => el.checkVisibility() && el.scrollWidth > el.clientWidth)
          .map((el) => ({ panel: el.closest('.panel')?.querySelector('h2')?.textContent?.trim().slice(0, 40), scroll: el.scrollWidth, client: el.clientWidth }))`);
      expect({ path, cut }).toEqual({ path, cut: [] });
    }
  }, 60_000);

  it('fits a 390 px phone: nothing widens the page, the header wraps, tables become cards, targets ≥ 44 px', async () => {
    await page.setViewportSize(PHONE);
    for (const path of main()) {
      await page.goto(`${env.baseUrl}${path}`);
      const widths = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, view: window.innerWidth })')) as { scroll: number; view: number };
      expect({ path, ...widths }).toEqual({ path, scroll: widths.view, view: PHONE.width });
      // Navigation, the live status and Sign out are on screen.
      for (const selector of ['.top nav a >> nth=0', '#live-indicator', '.who button']) {
        const box = await page.locator(selector).boundingBox();
        expect(box).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
      }
      const rows = (await page.evaluate("[...document.querySelectorAll('table.stack tbody tr')].slice(0, 5).map((tr) => getComputedStyle(tr).display)")) as string[];
      for (const display of rows) expect(display).toBe('block');
      // Every visible control of the page and the header is at least 44 px high.
      const small = await page.evaluate(`[...document.querySelectorAll('main button, main .button, main summary, main select, main input:not([type="hidden"]), .top nav a, .who button')]
          .filter((el) => el.offsetParent !== null)
          .map((el) => ({ what: el.outerHTML.slice(0, 80), h: el.getBoundingClientRect().height }))
          .filter((t) => t.h < 44)`);
      expect(small).toEqual([]);
      await axe(`phone ${path}`);
    }
    await page.goto(`${env.baseUrl}/dashboard`);
    await shot('dashboard-phone');
    await page.goto(`${env.baseUrl}/dashboard/purchases/${pack.id}`);
    await shot('purchase-phone');
    await page.goto(`${env.baseUrl}/dashboard/collections`);
    await shot('collections-phone');
  }, 90_000);

  it('shows the toast on a phone screen, for this page only, naming the patient', async () => {
    await page.goto(`${env.baseUrl}/dashboard/purchases/${pack.id}`);
    await page.waitForSelector('#live-indicator[data-state="live"]');
    // Another patient's command does not toast here.
    const other = await f.patient('Otto', 'Other');
    const otherPack = await f.paidPurchase(other.id, (await f.packagePlan((await f.service('Facial', 9000)).id, 5, 40000)).id);
    await f.redeem({ ...(await f.visitInvoice(other.id, otherPack.balances?.[0]?.serviceId ?? (await env.db.query('select service_id from purchase_balance where purchase_id = $1', [otherPack.id])).rows[0].service_id)), purchaseId: otherPack.id });
    await page.waitForTimeout(600);
    await expect(page.locator('#toast.show').count()).resolves.toBe(0);
    // This purchase's own command does, on screen.
    const massageId = (await env.db.query('select service_id from purchase_balance where purchase_id = $1', [pack.id])).rows[0].service_id;
    await f.redeem({ ...(await f.visitInvoice((await env.db.query('select patient_id from purchase where id = $1', [pack.id])).rows[0].patient_id, massageId)), purchaseId: pack.id });
    await page.waitForSelector('#toast.show');
    const box = await page.locator('#toast').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
    await expect(page.locator('#announcer').textContent()).resolves.toMatch(/Purchase updated: Visit redeemed/);
    await shot('toast-phone');
  }, 60_000);

  it('reconnects the event stream with backoff after a 502, with a "data as of" banner after 10 s', async () => {
    await page.setViewportSize(DESKTOP);
    let refused = 0;
    await page.route('**/dashboard/events', (route) => {
      refused += 1;
      return route.fulfill({ status: 502, body: 'Bad Gateway' });
    });
    await page.goto(`${env.baseUrl}/dashboard`);
    await page.waitForSelector('#live-indicator[data-state="wait"]');
    await page.waitForSelector('#stale-banner:not([hidden])', { timeout: 14_000 });
    await expect(page.locator('#stale-banner').textContent()).resolves.toMatch(/data as of \d\d:\d\d\. Reload/);
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(refused).toBeLessThan(8); // backoff, not a hammering loop
    await shot('stale-banner');
    await page.unroute('**/dashboard/events');
    await page.waitForSelector('#live-indicator[data-state="live"]', { timeout: 25_000 });
    await expect(page.locator('#stale-banner').isHidden()).resolves.toBe(true);
    await page.waitForFunction(() => /Live updates: Live|Dashboard updated/.test((globalThis as unknown as { document: InPageDocument }).document.querySelector('#announcer')?.textContent ?? ''));
    expect(problems).toEqual([]);
  }, 60_000);
});
