// /docs-json linted as a client developer would: Spectral (spectral:oas) and Redocly (recommended),
// zero errors allowed. Both run from node_modules/.bin with the committed rulesets, offline.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestEnv, type TestEnv } from './harness.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const bin = (name: string) => join(root, 'node_modules/.bin', name);
// No telemetry, no update check, no proxy surprises: the linters must not need the network.
const offline = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', NO_UPDATE_NOTIFIER: '1' };

interface Finding {
  severity: 'error' | 'warning' | 'info';
  rule: string;
  where: string;
  message: string;
}

/** Runs a linter that exits non-zero on errors; its report is on stdout either way. */
async function output(file: string, args: string[]): Promise<string> {
  try {
    return (await run(bin(file), args, { cwd: root, env: offline, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 })).stdout;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (!stdout) throw error;
    return stdout;
  }
}

async function spectral(file: string): Promise<Finding[]> {
  const out = await output('spectral', ['lint', file, '--ruleset', join(root, '.spectral.yaml'), '--format', 'json', '--quiet']);
  const results = JSON.parse(out.slice(out.indexOf('['))) as { code: string; severity: number; path: string[]; message: string }[];
  const severities = ['error', 'warning', 'info', 'info'] as const;
  return results.map((r) => ({ severity: severities[r.severity], rule: r.code, where: r.path.join('.'), message: r.message }));
}

async function redocly(file: string): Promise<Finding[]> {
  const out = await output('redocly', ['lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'json']);
  const report = JSON.parse(out.slice(out.indexOf('{'))) as { problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
  return report.problems.map((p) => ({
    severity: p.severity as Finding['severity'],
    rule: p.ruleId,
    where: p.location[0]?.pointer ?? '',
    message: p.message,
  }));
}

const count = (findings: Finding[], severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
const errors = (findings: Finding[]) => findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} at ${f.where}: ${f.message}`);

describe('OpenAPI lint: /docs-json passes Spectral (spectral:oas) and Redocly (recommended) without errors', () => {
  let env: TestEnv;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    const doc = (await env.http().get('/docs-json').expect(200)).body;
    dir = mkdtempSync(join(tmpdir(), 'cb-openapi-lint-'));
    file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    // A copy to read when a rule fails (git-ignored).
    mkdirSync(join(root, 'test/generated'), { recursive: true });
    writeFileSync(join(root, 'test/generated/openapi.json'), JSON.stringify(doc, null, 2));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.close();
  });

  it('spectral lint: zero errors', async () => {
    const findings = await spectral(file);
    console.log(`spectral (spectral:oas): ${count(findings, 'error')} errors, ${count(findings, 'warning')} warnings`);
    expect(errors(findings)).toEqual([]);
  }, 120_000);

  it('redocly lint: zero errors', async () => {
    const findings = await redocly(file);
    console.log(`redocly (recommended): ${count(findings, 'error')} errors, ${count(findings, 'warning')} warnings`);
    expect(errors(findings)).toEqual([]);
  }, 120_000);
});
