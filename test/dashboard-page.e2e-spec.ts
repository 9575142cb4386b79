import { addDays, todayIn } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';
import { createKey, csrfOf, openEventStream, postSignIn, revokeKey, SESSION_COOKIE, sessionCookie, signIn } from './dashboard-helpers.js';

const TZ = 'America/Toronto';
const today = () => todayIn(TZ);
const XSS = '<script>alert(1)</script>';

describe('dashboard web page (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let other: TestClinic;
  let f: Fixtures;
  let g: Fixtures;
  let massage: any;
  let tenPack: any;
  let membership: any;
  let unpaid: any;
  let cookie: string;

  beforeAll(async () => {
    env = await startTestEnv();
    clinic = await createClinic(env, { name: 'Harbour Physio' });
    other = await createClinic(env, { name: 'Other Clinic' });
    f = new Fixtures(env, clinic);
    g = new Fixtures(env, other);
    massage = await f.service('Massage 60', 12000);
    tenPack = await f.packagePlan(massage.id, 10, 100000);
    membership = await f.membershipPlan(massage.id, 4, 8900);
    const member = await f.patient('Mary', 'Member');
    // Started 10 days ago and never paid: its first invoice was due on the start date.
    unpaid = await f.purchase(member.id, membership.id, { startDate: addDays(today(), -10) });
    cookie = await signIn(env, clinic.keys.front_desk);
  }, 60_000);
  afterAll(async () => {
    // An open event stream must not hold the server open at shutdown: the app ends it.
    const stream = env && (await openEventStream(env, cookie));
    await env?.close();
    await stream?.waitForEnd(1000);
  }, 30_000);

  const page = (path: string, c = cookie) => env.http().get(path).set('Cookie', c);
  const allKeys = () => [...Object.values(clinic.keys), ...Object.values(other.keys)];
  const expectNoKeyIn = (text: string) => {
    for (const key of allKeys()) expect(text).not.toContain(key);
  };

  /** A paid package, a visit invoice and the redemption of it; returns the finished command. */
  const redeemOnce = async (fx: Fixtures) => {
    const service = fx === f ? massage : await fx.service('Massage', 12000);
    const plan = fx === f ? tenPack : await fx.packagePlan(service.id, 10, 100000);
    const patient = await fx.patient('Rita', 'Redeemer');
    const purchase = await fx.paidPurchase(patient.id, plan.id);
    const visit = await fx.visitInvoice(patient.id, service.id);
    const res = await fx.redeem({ ...visit, purchaseId: purchase.id });
    expect(res.body.status).toBe('succeeded');
    return res.body;
  };

  describe('sign-in', () => {
    it('shows the sign-in form to a visitor without a session, and sends pages there', async () => {
      const home = await env.http().get('/dashboard');
      expect(home.status).toBe(303);
      expect(home.headers.location).toBe('/dashboard/sign-in');
      const deep = await env.http().get('/dashboard/patients?search=x');
      expect(deep.headers.location).toBe(`/dashboard/sign-in?next=${encodeURIComponent('/dashboard/patients?search=x')}`);

      const form = await env.http().get('/dashboard/sign-in');
      expect(form.status).toBe(200);
      expect(form.headers['content-type']).toMatch(/^text\/html/);
      expect(form.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(form.headers['x-frame-options']).toBe('DENY');
      expect(form.text).toMatch(/<form method="post" action="\/dashboard\/sign-in">/);
      expect(form.text).toMatch(/<input type="password" name="apiKey"/);

      // Fragments and the event stream answer 401 (the page's script goes to sign-in).
      expect((await env.http().get('/dashboard/fragment')).status).toBe(401);
      expect((await env.http().get('/dashboard/events')).status).toBe(401);
    });

    it.each(['owner', 'billing', 'front_desk'] as const)('accepts the %s key: an HttpOnly, SameSite=Strict session cookie without the key', async (role) => {
      const res = await postSignIn(env, clinic.keys[role]);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dashboard');
      const setCookie = ([] as string[]).concat(res.headers['set-cookie']);
      const line = setCookie.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      expect(line).toBeDefined();
      expect(line).toMatch(/; HttpOnly/i);
      expect(line).toMatch(/; SameSite=Strict/i);
      expect(line).toMatch(/; Path=\/(;|$)/);
      expect(line).toMatch(/; Max-Age=43200/);
      expectNoKeyIn(line);
      expectNoKeyIn(decodeURIComponent(line));

      const home = await page('/dashboard', sessionCookie(setCookie));
      expect(home.status).toBe(200);
      expect(home.text).toContain('Harbour Physio');
      expect(home.text).toContain(` · ${{ owner: 'Owner', billing: 'Billing', front_desk: 'Front desk' }[role]}</span>`);
    });

    it('refuses an online key with a clear message and no session', async () => {
      const res = await postSignIn(env, clinic.keys.online);
      expect(res.status).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.text).toContain('the dashboard is for staff keys only');
      expectNoKeyIn(res.text);
    });

    it('refuses unknown and revoked keys, and an empty form', async () => {
      const unknown = await postSignIn(env, 'cbk_not-a-real-key');
      expect(unknown.status).toBe(401);
      expect(unknown.text).toContain('Unknown or revoked API key.');
      expect(unknown.text).not.toContain('cbk_not-a-real-key');
      expect(unknown.headers['set-cookie']).toBeUndefined();

      const revoked = await createKey(env, clinic, 'billing');
      await revokeKey(env, clinic, revoked.id);
      const res = await postSignIn(env, revoked.key);
      expect(res.status).toBe(401);
      expect(res.text).toContain('Unknown or revoked API key.');
      expect(res.text).not.toContain(revoked.key);
      expect(res.headers['set-cookie']).toBeUndefined();

      const empty = await postSignIn(env, '');
      expect(empty.status).toBe(400);
    });

    it('refuses a sign-in posted from another site, or without Origin and Referer (CSRF)', async () => {
      const foreign = await postSignIn(env, clinic.keys.owner, { Origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      expect(foreign.headers['set-cookie']).toBeUndefined();
      const crossSite = await postSignIn(env, clinic.keys.owner, { Origin: env.baseUrl, 'Sec-Fetch-Site': 'cross-site' });
      expect(crossSite.status).toBe(403);
      const silent = await postSignIn(env, clinic.keys.owner, {});
      expect(silent.status).toBe(403);
      const byReferer = await postSignIn(env, clinic.keys.owner, { Referer: `${env.baseUrl}/dashboard/sign-in` });
      expect(byReferer.status).toBe(303);
    });

    it('returns to a page of ours after sign-in, never to another site', async () => {
      const next = await env.http().post('/dashboard/sign-in').set('Origin', env.baseUrl).type('form').send({ apiKey: clinic.keys.owner, next: '/dashboard/patients?search=Mary' });
      expect(next.headers.location).toBe('/dashboard/patients?search=Mary');
      for (const evil of ['//evil.example/x', 'https://evil.example', '/\\evil.example', '/v1/clinic']) {
        const res = await env.http().post('/dashboard/sign-in').set('Origin', env.baseUrl).type('form').send({ apiKey: clinic.keys.owner, next: evil });
        expect(res.headers.location).toBe('/dashboard');
      }
    });

    it('never puts a key in a URL or a page', async () => {
      const res = await postSignIn(env, clinic.keys.billing);
      expectNoKeyIn(res.headers.location);
      const c = sessionCookie(res.headers['set-cookie']);
      for (const path of ['/dashboard', '/dashboard/fragment', '/dashboard/patients?search=Mary', `/dashboard/purchases/${unpaid.id}`, `/dashboard/purchases/${unpaid.id}/fragment`, '/dashboard/sign-in']) {
        const r = await page(path, c);
        expect([200, 303]).toContain(r.status);
        expectNoKeyIn(r.text);
        expectNoKeyIn(r.headers.location ?? '');
        // Every link and form of the page stays on our pages and carries no key.
        for (const [, url] of r.text.matchAll(/(?:href|action|data-live-src)="([^"]*)"/g)) {
          expect(url).toMatch(/^(\/dashboard|data:,$|#[a-z0-9-]+$|tel:\+?\d+$|mailto:[^/]+$)/);
          expectNoKeyIn(decodeURIComponent(url));
        }
      }
    });

    it('signs out: the cookie is cleared (same origin and the CSRF token of the session)', async () => {
      const withoutToken = await env.http().post('/dashboard/sign-out').set('Cookie', cookie).set('Origin', env.baseUrl);
      expect(withoutToken.status).toBe(403);
      expect(withoutToken.headers['set-cookie']).toBeUndefined();
      const csrf = csrfOf((await page('/dashboard')).text);
      const res = await env.http().post('/dashboard/sign-out').set('Cookie', cookie).set('Origin', env.baseUrl).type('form').send({ csrf });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dashboard/sign-in');
      const line = ([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith(`${SESSION_COOKIE}=;`));
      expect(line).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(line).toMatch(/; Path=\//);
      const foreign = await env.http().post('/dashboard/sign-out').set('Cookie', cookie).set('Origin', 'https://evil.example');
      expect(foreign.status).toBe(403);
      expect(foreign.headers['set-cookie']).toBeUndefined();
    });

    it('refuses a forged or tampered cookie', async () => {
      const [name, value] = cookie.split('=');
      const parts = value.split('.');
      const longer = `${name}=${[parts[0], parts[1], String(Number(parts[2]) + 86400), parts[3]].join('.')}`;
      expect((await page('/dashboard', longer)).status).toBe(303);
      expect((await page('/dashboard', `${name}=v1.${parts[1]}.9999999999.AAAA`)).status).toBe(303);
      expect((await page('/dashboard', `${name}=${clinic.keys.owner}`)).status).toBe(303);
    });

    it('ends the session as soon as its key is revoked: pages, fragments and the event stream', async () => {
      const staff = await createKey(env, clinic, 'front_desk', 'Temp desk');
      const c = await signIn(env, staff.key);
      expect((await page('/dashboard', c)).status).toBe(200);
      const stream = await openEventStream(env, c);
      expect(stream.status).toBe(200);

      await revokeKey(env, clinic, staff.id);
      const home = await page('/dashboard', c);
      expect(home.status).toBe(303);
      expect(home.headers.location).toBe('/dashboard/sign-in');
      expect((await page('/dashboard/fragment', c)).status).toBe(401);
      expect((await page(`/dashboard/purchases/${unpaid.id}`, c)).status).toBe(303);
      expect((await page('/dashboard/events', c)).status).toBe(401);
      // The open stream ends at the next command event instead of delivering it.
      const command = await redeemOnce(f);
      await stream.waitForEnd();
      expect(stream.events.find((e) => e.id === command.id)).toBeUndefined();
      await stream.close();
    });
  });

  describe('pages', () => {
    it('lists the unpaid membership invoice with its days overdue, amount and balance', async () => {
      const res = await page('/dashboard');
      expect(res.status).toBe(200);
      const row = rowOf(res.text, unpaid.invoices[0].id);
      expect(row).toContain('data-days-overdue="10"');
      expect(row).toContain('10 days');
      expect(row).toContain('Mary Member');
      expect(row).toContain(membership.name);
      expect(row).toContain('$89.00');
      expect(row).toContain(`<time datetime="${addDays(today(), -10)}">`);
      expect(row).toContain(`href="/dashboard/purchases/${unpaid.id}"`);
      expect(res.text).toMatch(/data-count="unpaidMembershipInvoices"><div class="n">1</);
    });

    it('the date picker shows the dashboard as of another day', async () => {
      const page1 = await page(`/dashboard?asOf=${addDays(today(), -3)}`);
      expect(page1.status).toBe(200);
      expect(page1.text).toContain(`name="asOf" value="${addDays(today(), -3)}"`);
      expect(rowOf(page1.text, unpaid.invoices[0].id)).toContain('data-days-overdue="7"');
      expect(page1.text).toContain(`data-live-src="/dashboard/fragment?asOf=${addDays(today(), -3)}"`);

      const fragment = await page(`/dashboard/fragment?asOf=${addDays(today(), 5)}`);
      expect(rowOf(fragment.text, unpaid.invoices[0].id)).toContain('data-days-overdue="15"');
      const dueDay = await page(`/dashboard/fragment?asOf=${addDays(today(), -10)}`);
      expect(rowOf(dueDay.text, unpaid.invoices[0].id)).toContain('Due today');
      const before = await page(`/dashboard/fragment?asOf=${addDays(today(), -11)}`);
      expect(before.text).not.toContain(unpaid.invoices[0].id);

      expect((await page('/dashboard?asOf=2026-02-30')).status).toBe(400);
      expect((await page('/dashboard?asOf=yesterday')).status).toBe(400);
      expect((await page('/dashboard?asOf=')).status).toBe(200);
    });

    it('searches patients as GET /v1/patients?search= does, listing their purchases', async () => {
      const res = await page('/dashboard/patients?search=mary%20mem');
      expect(res.status).toBe(200);
      expect(res.text).toContain('Mary Member');
      expect(res.text).toContain(`href="/dashboard/purchases/${unpaid.id}"`);
      const api = await env.http().get('/v1/patients?search=mary%20mem').set(bearer(clinic.keys.front_desk));
      for (const p of api.body.data) expect(res.text).toContain(`data-patient-id="${p.id}"`);
      expect((await page('/dashboard/patients?search=nobody-like-this')).text).toContain('No patient matches');
      expect((await page('/dashboard/patients')).status).toBe(200);
      expect((await page(`/dashboard/patients?search=${'x'.repeat(201)}`)).status).toBe(400);
    });

    it('opens a purchase: balances, invoices and history', async () => {
      const patient = await f.patient('Paula', 'Package');
      const purchase = await f.paidPurchase(patient.id, tenPack.id);
      const res = await page(`/dashboard/purchases/${purchase.id}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain(tenPack.name);
      expect(res.text).toContain('Paula Package');
      expect(res.text).toContain(`data-service-id="${massage.id}"`);
      expect(res.text).toContain(`data-invoice-id="${purchase.invoices[0].id}"`);
      expect(res.text).toContain('$1,000.00');
      expect(res.text).toContain('Purchased');
      expect((await page(`/dashboard/purchases/${purchase.id}/fragment`)).text).toContain('id="balances"');
    });

    it('lists overdue instalments most overdue first, and shows them on the purchase', async () => {
      const plan = await f.packagePlan(massage.id, 3, 30000, { installments: { count: 3, intervalDays: 30 } });
      const patient = await f.patient('Ivy', 'Instalment');
      const purchase = await f.purchase(patient.id, plan.id, { paymentSchedule: 'installments', startDate: addDays(today(), -40) });
      const [first, second, third] = purchase.installments;
      const res = await page('/dashboard');
      const panel = res.text.slice(res.text.indexOf('id="overdue-installments"'));
      expect(rowOf(panel, first.invoiceId)).toContain('data-days-overdue="40"');
      expect(rowOf(panel, second.invoiceId)).toContain('data-days-overdue="10"');
      expect(panel.indexOf(first.invoiceId)).toBeLessThan(panel.indexOf(second.invoiceId));
      expect(panel.slice(0, panel.indexOf('</section>'))).not.toContain(third.invoiceId);

      const details = await page(`/dashboard/purchases/${purchase.id}`);
      const instalments = details.text.slice(details.text.indexOf('id="installments"'));
      const schedule = instalments.slice(0, instalments.indexOf('</section>'));
      expect(schedule.match(/class="badge warn">Overdue/g)).toHaveLength(2);
      expect(schedule).toContain('class="badge info">Open');
      // One status word per invoice: the invoices table says the same as the schedule, and one spelling.
      const invoices = details.text.slice(details.text.indexOf('id="invoices"'));
      expect(rowOf(invoices, first.invoiceId)).toContain('class="badge warn">Overdue');
      expect(rowOf(invoices, third.invoiceId)).toContain('class="badge info">Open');
      expect(details.text).not.toMatch(/Installment/);
      expect(details.text).toContain('Instalment');
    });

    it("gives 404 for another clinic's purchase, an unknown or a malformed id", async () => {
      const stranger = await g.patient('Sam', 'Stranger');
      const plan = await g.packagePlan((await g.service('Facial', 9000)).id, 5, 40000);
      const theirs = await g.purchase(stranger.id, plan.id);
      for (const path of [`/dashboard/purchases/${theirs.id}`, `/dashboard/purchases/${theirs.id}/fragment`, '/dashboard/purchases/019a0000-0000-7000-8000-000000000000', '/dashboard/purchases/not-an-id']) {
        const res = await page(path);
        expect(res.status).toBe(404);
        expect(res.text).not.toContain('Sam');
      }
      expect((await page('/dashboard/patients?search=Stranger')).text).toContain('No patient matches');
      expect((await page('/dashboard')).text).not.toContain(theirs.id);
    });

    it('escapes everything it shows: a patient named <script> is text', async () => {
      const patient = await f.patient(XSS, `"><img src=x onerror=alert(2)>`);
      await f.purchase(patient.id, membership.id, { startDate: addDays(today(), -2) });
      for (const path of ['/dashboard', `/dashboard/patients?search=${encodeURIComponent('<script>')}`]) {
        const res = await page(path);
        expect(res.status).toBe(200);
        expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(res.text).not.toContain(XSS);
        expect(res.text).not.toContain('<img src=x');
        // The only script is the page's own, under its CSP nonce.
        expect(res.text.match(/<script/g)).toHaveLength(1);
      }
      const search = await page(`/dashboard/patients?search=${encodeURIComponent('"><b>')}`);
      expect(search.text).toContain('value="&quot;&gt;&lt;b&gt;"');
    });

    it('keeps GET /v1/dashboard working with a Bearer key, and refuses it a cookie', async () => {
      const res = await env.http().get('/v1/dashboard').set(bearer(clinic.keys.front_desk));
      expect(res.status).toBe(200);
      expect(res.body.unpaidMembershipInvoices.find((i: any) => i.invoiceId === unpaid.invoices[0].id)).toMatchObject({ daysOverdue: 10 });
      expect((await env.http().get('/v1/dashboard').set('Cookie', cookie)).status).toBe(401);
    });
  });

  describe('issue 16: pages staff can work from', () => {
    it('keeps the page when a date is mistyped, with the error beside the picker', async () => {
      for (const bad of ['2026-02-30', 'yesterday']) {
        const res = await page(`/dashboard?asOf=${bad}`);
        expect(res.status).toBe(400);
        expect(res.text).toContain('id="as-of-error"');
        expect(res.text).toContain('aria-invalid="true"');
        expect(res.text).toContain(`value="${bad}"`);
        // The page itself, today's data: not a bare error page.
        expect(res.text).toContain('id="live"');
        expect(rowOf(res.text, unpaid.invoices[0].id)).toContain('data-days-overdue="10"');
      }
    });

    it('the count cards follow the as-of date', async () => {
      const card = (text: string, id: string) => Number(new RegExp(`data-count="${id}"><div class="n">(\\d+)<`).exec(text)![1]);
      const now = await page('/dashboard');
      expect(card(now.text, 'activePurchases')).toBeGreaterThan(0);
      // Nothing of this clinic existed 20 days ago: no active purchase, no failed command then.
      const then = await page(`/dashboard?asOf=${addDays(today(), -20)}`);
      expect(card(then.text, 'activePurchases')).toBe(0);
      expect(card(then.text, 'failedCommands')).toBe(0);
      expect(card(then.text, 'queuedCommands')).toBe(0);
      expect(card(then.text, 'runningCommands')).toBe(0);
    });

    it('gives the overdue lists money totals, ageing and the patient\'s phone and e-mail', async () => {
      const patient = await f.patient('Carla', 'Contact', { email: 'carla@example.com', phone: '+1 416 555 0199' });
      const bought = await f.purchase(patient.id, membership.id, { startDate: addDays(today(), -3) });
      const res = await page('/dashboard');
      const panel = res.text.slice(res.text.indexOf('id="unpaid-memberships"'), res.text.indexOf('id="overdue-installments"'));
      const row = rowOf(panel, bought.invoices[0].id);
      expect(row).toContain('href="tel:+14165550199"');
      expect(row).toContain('href="mailto:carla@example.com"');
      expect(row).toContain('3 days');
      const api = (await env.http().get('/v1/dashboard').set(bearer(clinic.keys.front_desk))).body;
      const owed = api.unpaidMembershipInvoices.reduce((s: number, i: any) => s + i.balanceDue, 0);
      expect(panel).toContain(`data-total="${owed}"`);
      expect(panel).toMatch(/<tfoot>.*Total of \d+ open.*\$[\d,]+\.\d\d/s);
    });

    it('writes recent activity for people: patient, plan, amount, links, clinic dates; and filters it by type', async () => {
      const done = await redeemOnce(f);
      const res = await page('/dashboard');
      const feed = res.text.slice(res.text.indexOf('id="recent-activity"'), res.text.indexOf('id="failed-commands"'));
      const item = feed.slice(feed.indexOf(`data-command-id="${done.id}"`), feed.indexOf('</li>', feed.indexOf(`data-command-id="${done.id}"`)));
      expect(item).toContain('Redeemed 1 visit');
      expect(item).not.toContain('visit(s)');
      expect(item).toContain('Rita Redeemer');
      expect(item).toContain(`href="/dashboard/purchases/${done.request.purchaseId}"`);
      expect(item).toMatch(/invoice #\d+/);
      expect(item).toMatch(/\$\d+\.\d\d/);
      // No ISO date in the prose (only in <time datetime>).
      expect(feed.replace(/datetime="[^"]*"/g, '')).not.toMatch(/\d{4}-\d{2}-\d{2}/);

      const filtered = await page('/dashboard?type=reconciliation');
      const only = filtered.text.slice(filtered.text.indexOf('id="recent-activity"'), filtered.text.indexOf('id="failed-commands"'));
      expect(only).not.toContain(`data-command-id="${done.id}"`);
      expect(only).toContain('<option value="reconciliation" selected>');
      for (const [, type] of only.matchAll(/<li data-command-id="[^"]+" data-type="([a-z_]+)"/g)) expect(type).toBe('reconciliation');
      const redemptions = await page('/dashboard/fragment?type=redemption');
      expect(redemptions.text).toContain(`data-command-id="${done.id}"`);
    });

    it('draws the charts as SVG with their tables, and a collections view grouped by patient', async () => {
      const res = await page('/dashboard');
      for (const id of ['ageing-chart', 'revenue-chart', 'liability-chart']) {
        const chart = res.text.slice(res.text.indexOf(`id="${id}"`), res.text.indexOf('</figure>', res.text.indexOf(`id="${id}"`)));
        expect(chart).toMatch(/<svg viewBox="[^"]+" role="img" aria-label="[^"]+"/);
        expect(chart).toContain('<table class="stack">');
      }
      const ageing = (await env.http().get('/v1/reports/ageing').set(bearer(clinic.keys.billing))).body;
      const open = ageing.buckets.reduce((s: number, b: any) => s + b.balanceDue, 0);
      const fmt = new Intl.NumberFormat('en-CA', { style: 'currency', currency: 'CAD' });
      expect(res.text.slice(res.text.indexOf('id="ageing-chart"'))).toContain(`${fmt.format(open / 100).replace('CA', '')} open`);

      const collections = await page('/dashboard/collections');
      expect(collections.status).toBe(200);
      const mary = collections.text.slice(collections.text.indexOf(`<tr data-patient-id="${unpaid.patientId}"`));
      expect(mary).toMatch(/Mary Member.*\$89\.00.*<time datetime="[\d-]+">/s);
      const csv = await page('/dashboard/collections.csv');
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toMatch(/attachment; filename="collections-\d{4}-\d{2}-\d{2}\.csv"/);
      expect(csv.text.split('\r\n')[0]).toBe('patientName,phone,email,totalOwed,oldestDueDate,number,kind,planName,dueDate,daysOverdue,balanceDue');
      expect(csv.text).toMatch(/Mary Member,,,89\.00,/);
      const overdue = await page('/dashboard/overdue.csv');
      expect(overdue.text).toContain(`membership,${unpaid.invoices[0].number},Mary Member`);
    });

    it("explains 'Available now 0' in the words of the refusal code", async () => {
      const res = await page(`/dashboard/purchases/${unpaid.id}`);
      const row = res.text.slice(res.text.indexOf(`data-service-id="${massage.id}"`));
      expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/<strong>0<\/strong><span class="reason" data-reason="membership_invoice_unpaid"> the cycle&#39;s invoice is unpaid/);
    });

    it('makes table scroll areas keyboard-scrollable regions, with a skip link', async () => {
      const res = await page(`/dashboard/purchases/${unpaid.id}`);
      expect(res.text).toContain('<a class="skip" href="#main">Skip to content</a>');
      expect(res.text).toContain('<main id="main"');
      const regions = [...res.text.matchAll(/<div class="scroll"([^>]*)>/g)].map((m) => m[1]);
      expect(regions.length).toBeGreaterThan(2);
      for (const attrs of regions) expect(attrs).toMatch(/tabindex="0" role="region" aria-label="[^"]+"/);
      expect(res.text).toContain('id="announcer" class="sr-only" role="status" aria-live="polite"');
    });

    it('records a payment from the page: same origin AND the session\'s CSRF token, once per form', async () => {
      const patient = await f.patient('Paul', 'Payer');
      const bought = await f.purchase(patient.id, membership.id, { startDate: addDays(today(), -5) });
      const invoiceId = bought.invoices[0].id;
      const home = await page('/dashboard');
      const csrf = csrfOf(home.text);
      const form = rowOf(home.text, invoiceId);
      const key = /name="idempotencyKey" value="([^"]+)"/.exec(form)![1];
      const body = { csrf, back: '/dashboard', idempotencyKey: key, amount: '89.00', method: 'card' };
      const post = (headers: Record<string, string>, b: Record<string, string> = body, c = cookie) =>
        env.http().post(`/dashboard/invoices/${invoiceId}/payments`).set('Cookie', c).set(headers).type('form').send(b);
      const payments = async () => (await env.db.query('select count(*)::int as n from payment where invoice_id = $1', [invoiceId])).rows[0].n;

      expect((await post({ Origin: 'https://evil.example' })).status).toBe(403);
      expect((await post({ Origin: env.baseUrl, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
      expect((await post({})).status).toBe(403);
      expect((await post({ Origin: env.baseUrl }, { ...body, csrf: '' })).status).toBe(403);
      // Another session's token is no good here.
      const otherCookie = await signIn(env, clinic.keys.billing);
      const otherToken = csrfOf((await page('/dashboard', otherCookie)).text);
      expect(otherToken).not.toBe(csrf);
      expect((await post({ Origin: env.baseUrl }, { ...body, csrf: otherToken })).status).toBe(403);
      expect(await payments()).toBe(0);

      const tooMuch = await post({ Origin: env.baseUrl }, { ...body, amount: '89.01', idempotencyKey: `${key}x` });
      expect(tooMuch.status).toBe(303);
      expect(tooMuch.headers.location).toBe('/dashboard?notice=overpayment');
      const paid = await post({ Origin: env.baseUrl });
      expect(paid.status).toBe(303);
      expect(paid.headers.location).toBe(`/dashboard?notice=payment_recorded&paid=${invoiceId}`);
      expect((await post({ Origin: env.baseUrl })).status).toBe(303); // the same form again
      expect(await payments()).toBe(1);
      const invoice = (await env.http().get(`/v1/invoices/${invoiceId}`).set(bearer(clinic.keys.front_desk))).body;
      expect(invoice).toMatchObject({ status: 'paid', amountPaid: 8900 });
      const after = await page('/dashboard?notice=payment_recorded');
      expect(after.text).toContain('Payment recorded.');
      expect(after.text).not.toContain(`data-invoice-id="${invoiceId}"`);
    });

    it('retries from the page for billing and owner keys only, and refuses a command that has not failed', async () => {
      const done = await redeemOnce(f);
      const frontDesk = await page('/dashboard');
      expect(frontDesk.text).not.toContain('/retry"');
      const post = (c: string, csrf: string) => env.http().post(`/dashboard/commands/${done.id}/retry`).set('Cookie', c).set('Origin', env.baseUrl).type('form').send({ csrf, back: '/dashboard' });
      expect((await post(cookie, csrfOf(frontDesk.text))).status).toBe(403);
      const billing = await signIn(env, clinic.keys.billing);
      const res = await post(billing, csrfOf((await page('/dashboard', billing)).text));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dashboard?notice=not_retryable');
      expect((await env.http().get(`/v1/commands/${done.id}`).set(bearer(clinic.keys.billing))).body.status).toBe('succeeded');
    });
  });

  describe('live updates', () => {
    it('streams an event when a redemption of the clinic finishes, and none of another clinic', async () => {
      const c = await signIn(env, clinic.keys.front_desk);
      const stream = await openEventStream(env, c);
      try {
        expect(stream.status).toBe(200);
        expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const theirs = await redeemOnce(g);
        const mine = await redeemOnce(f);
        const event = await stream.waitFor((e) => e.id === mine.id);
        expect(event.event).toBe('command');
        expect(JSON.parse(event.data)).toEqual({ id: mine.id, type: 'redemption', status: 'succeeded' });
        expect(stream.events.find((e) => e.id === theirs.id)).toBeUndefined();

        // The page's fragment already shows it in recent activity.
        const fragment = await page('/dashboard/fragment', c);
        expect(fragment.text).toContain(`data-command-id="${mine.id}"`);
      } finally {
        await stream.close();
      }
    });
  });
});

/** The <tr> of an invoice in a page. */
function rowOf(text: string, invoiceId: string): string {
  const start = text.indexOf(`<tr data-invoice-id="${invoiceId}"`);
  if (start < 0) throw new Error(`no row for invoice ${invoiceId}`);
  return text.slice(start, text.indexOf('</tr>', start));
}
