// The fault suite's short run (test/faults/run.ts): compiled API and two workers, ~2,000 commands
// while workers are killed, the suite's Redis keys wiped and its database connections cut.
// Builds nothing: CI builds before `npm test` (locally: `npx tsc -b` first).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAST_LINE = /^faults: accepted=(\d+) succeeded=(\d+) rejected=(\d+) failed=(\d+) lost=(\d+) duplicated=(\d+) kills=(\d+) wipes=(\d+) cuts=(\d+) verifier=(clean|dirty)$/;

function runFaults(): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(resolve(ROOT, 'node_modules/.bin/node'), ['test/faults/run.ts'], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    // The run bounds itself; this is the last resort (it then cleans up on SIGTERM).
    const timer = setTimeout(() => child.kill('SIGTERM'), 330_000);
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe('fault suite (short)', () => {
  it('loses nothing, applies nothing twice and leaves a clean ledger through kills, a Redis wipe and a connection cut', async () => {
    expect(existsSync(resolve(ROOT, 'apps/api/dist/main.js')) && existsSync(resolve(ROOT, 'apps/worker/dist/main.js'))).toBe(true);
    const { code, output } = await runFaults();
    const lines = output.trim().split('\n');
    const last = lines.at(-1) ?? '';
    console.log(lines.filter((l) => l.startsWith('faults:')).join('\n'));
    const match = LAST_LINE.exec(last);
    if (code !== 0 || !match) console.log(output.slice(-6000));
    expect(match).not.toBeNull();
    const [, accepted, succeeded, rejected, failed, lost, duplicated, kills, wipes, cuts, verifier] = match!;
    expect({ lost: Number(lost), duplicated: Number(duplicated), verifier, wipes: Number(wipes), cuts: Number(cuts) }).toEqual({ lost: 0, duplicated: 0, verifier: 'clean', wipes: 1, cuts: 1 });
    expect(Number(kills)).toBe(5);
    expect(Number(accepted)).toBeGreaterThan(500);
    expect(Number(succeeded) + Number(rejected) + Number(failed)).toBe(Number(accepted));
    expect(code).toBe(0);
  }, 360_000);
});
