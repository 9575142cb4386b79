// The tests' headless Chromium: by default the one @sparticuz/chromium ships inside its npm package
// (so `npm ci` is all a machine needs), or a system browser named by CHROMIUM_PATH.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import packaged from '@sparticuz/chromium';
import { chromium, type BrowserContext } from 'playwright-core';

/** The flags a system browser (Debian's /usr/bin/chromium) ran with before. */
const SYSTEM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * @sparticuz/chromium's flags are written for AWS Lambda. Left out here:
 * - `--single-process`: Lambda needs it (no prctl there); under Playwright it makes one renderer
 *   crash end the whole browser, and closing a context can end it too;
 * - `--disable-web-security`, `--allow-running-insecure-content`, `--disable-site-isolation-trials`
 *   and the `--disable-features=…IsolateOrigins,site-per-process` that goes with them: the tests
 *   check the dashboard under a browser's real security model (same origin, CSP, cookies).
 */
const DROPPED = ['--single-process', '--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', '--disable-features='];

export function packagedArgs(args: readonly string[] = packaged.args): string[] {
  return [...args.filter((arg) => !DROPPED.some((dropped) => arg === dropped || (dropped.endsWith('=') && arg.startsWith(dropped)))), '--disable-background-networking'];
}

/** Where the browser comes from, and how it is started. */
export async function browserExecutable(): Promise<{ executablePath: string; args: string[] }> {
  const system = process.env.CHROMIUM_PATH;
  if (system) {
    if (!existsSync(system)) throw new Error(`CHROMIUM_PATH=${system} does not exist. Unset it to use the Chromium that npm installs (@sparticuz/chromium).`);
    return { executablePath: system, args: SYSTEM_ARGS };
  }
  return { executablePath: await unpackOnce(), args: packagedArgs() };
}

/** A headless browser with a fresh profile; `close()` ends it and removes the profile. */
export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}) {
  const { executablePath, args } = await browserExecutable();
  const userDataDir = await mkdtemp(join(tmpdir(), 'cb-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath, args, headless: true, viewport: options.viewport ?? { width: 1360, height: 900 } });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

// The package unpacks into the temporary folder on first use (~2 s) and afterwards trusts any file
// named `chromium` there: two test files starting at once could launch a half-written binary. So
// one process unpacks under a lock and leaves a marker naming the version it unpacked.
const LOCK = join(tmpdir(), 'chromium-unpack.lock');
const MARKER = join(tmpdir(), 'chromium-unpacked.version');
const STALE_LOCK_MS = 120_000;

function packageVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  return JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')).version;
}

async function unpacked(version: string): Promise<boolean> {
  return (await readFile(MARKER, 'utf8').catch(() => '')) === version;
}

async function unpackOnce(): Promise<string> {
  const version = packageVersion();
  if (await unpacked(version)) return packaged.executablePath();
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await unpacked(version)) return packaged.executablePath();
    const age = Date.now() - ((await stat(LOCK).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age > STALE_LOCK_MS) await rmdir(LOCK).catch(() => undefined); // its holder died
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    if (!(await unpacked(version))) {
      // Whatever is there is partial or of another version: the package would reuse it as is.
      for (const name of ['chromium', 'fonts', 'libGLESv2.so', 'libEGL.so', 'libvk_swiftshader.so', 'libvulkan.so.1', 'vk_swiftshader_icd.json']) {
        await rm(join(tmpdir(), name), { recursive: true, force: true });
      }
      await packaged.executablePath();
      await writeFile(MARKER, version);
    }
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
  return packaged.executablePath();
}
