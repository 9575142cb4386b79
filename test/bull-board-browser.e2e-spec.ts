// Bull Board in a real browser under its Content-Security-Policy: the UI renders the queues and
// the policy blocks nothing of its own (only the Google Fonts stylesheet, left out on purpose).
import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { launchBrowser } from './browser.js';

describe('Bull Board in a browser (e2e)', () => {
  let env: TestEnv;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('renders the queue list with the ADMIN_TOKEN, and the CSP refuses nothing but the external font stylesheet', async () => {
    const { context, page } = browser!;
    await context.setExtraHTTPHeaders({ Authorization: `Bearer ${ADMIN_TOKEN}` });
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    page.on('pageerror', (error) => refused.push(`page error: ${error.message}`));
    const res = await page.goto(`${env.baseUrl}/admin/queues`);
    expect(res?.status()).toBe(200);
    await page.getByText('commands', { exact: false }).first().waitFor({ timeout: 15_000 });
    await page.getByText('maintenance', { exact: false }).first().waitFor({ timeout: 5_000 });
    expect(refused.filter((text) => !text.includes('fonts.googleapis.com'))).toEqual([]);
  });
});
