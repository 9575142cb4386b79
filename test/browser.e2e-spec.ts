// The browser tests need nothing but npm: the Chromium of @sparticuz/chromium, started without its
// Lambda-only flags; CHROMIUM_PATH still picks a system browser.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { browserExecutable, launchBrowser, packagedArgs } from './browser.js';

describe('the browser of the tests', () => {
  const saved = process.env.CHROMIUM_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  });

  it('is the one npm installs when CHROMIUM_PATH is unset, and it renders a page', async () => {
    delete process.env.CHROMIUM_PATH;
    const { executablePath } = await browserExecutable();
    expect(executablePath.startsWith(tmpdir())).toBe(true); // unpacked from node_modules, not /usr/bin
    // Another origin that answers without CORS headers.
    const other = createServer((_req, res) => res.end('secret')).listen(0, '127.0.0.1');
    await new Promise((resolve) => other.once('listening', resolve));
    const browser = await launchBrowser();
    try {
      await browser.page.setContent('<main><h1>Clinic</h1></main>');
      expect(await browser.page.textContent('h1')).toBe('Clinic');
      // The real security model: a page cannot read another origin (web security stays on).
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
      const crossOrigin = await browser.page.evaluate((u) => fetch(u).then((r) => r.text(), () => 'refused'), url);
      expect(crossOrigin).toBe('refused');
    } finally {
      await browser.close();
      other.close();
    }
  }, 60_000);

  it('drops the flags meant for AWS Lambda and keeps the others', () => {
    const args = packagedArgs(['--single-process', '--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process', '--no-sandbox', "--headless='shell'"]);
    expect(args).toEqual(['--no-sandbox', "--headless='shell'", '--disable-background-networking']);
  });

  it('uses CHROMIUM_PATH when set, and says so when it does not exist', async () => {
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    await expect(browserExecutable()).rejects.toThrow('CHROMIUM_PATH=/nonexistent/chromium does not exist');
    process.env.CHROMIUM_PATH = process.execPath; // any existing file: it is taken as given
    expect(await browserExecutable()).toMatchObject({ executablePath: process.execPath, args: expect.arrayContaining(['--headless', '--no-sandbox']) });
  });
});
