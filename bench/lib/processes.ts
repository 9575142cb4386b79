// Starts the compiled API and worker as child processes on a scratch database, like production.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Stack {
  baseUrl: string;
  api: ChildProcess;
  workers: ChildProcess[];
  env: Record<string, string>;
  stop: () => Promise<void>;
}

export async function startStack(options: { databaseUrl: string; port: number; workers?: number; env?: Record<string, string> }): Promise<Stack> {
  const env = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    PORT: String(options.port),
    QUEUE_PREFIX: `bench_${process.pid}`,
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // The benchmark measures capacity: the per-key rate limit would only measure itself.
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  } as Record<string, string>;
  // BENCH_PROFILE=1 writes V8 CPU profiles of the API and the workers to bench/profiles/.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles'] : [];
  const api = spawn(process.execPath, [...profile, 'apps/api/dist/main.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const workers = Array.from({ length: options.workers ?? 1 }, (_, i) =>
    spawn(process.execPath, [...profile, 'apps/worker/dist/main.js'], { env: { ...env, WORKER_PORT: String(options.port + 1 + i) }, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const baseUrl = `http://127.0.0.1:${options.port}`;
  await waitFor(`${baseUrl}/health/ready`, 30_000);
  const stop = async () => {
    for (const child of [api, ...workers]) child.kill('SIGTERM');
    await Promise.all([api, ...workers].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  };
  return { baseUrl, api, workers, env, stop };
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready`);
}

/** Peak resident memory of a process so far (Linux VmHWM), in MiB. */
export function peakRssMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return null;
  }
}
