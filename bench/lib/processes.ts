// Starts the compiled API and worker as child processes on a scratch database, like production.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

export interface Stack {
  baseUrl: string;
  api: ChildProcess;
  workers: ChildProcess[];
  /** Each worker's health and metrics server. */
  workerUrls: string[];
  env: Record<string, string>;
  stop: () => Promise<void>;
}

export async function startStack(options: { databaseUrl: string; port: number; workers?: number; env?: Record<string, string> }): Promise<Stack> {
  const env = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    PORT: String(options.port),
    QUEUE_PREFIX: `bench_${process.pid}`,
    // Production refuses to start without secrets of its own (ADMIN_TOKEN of 32 characters or more).
    ADMIN_TOKEN: 'bench-admin-token-0123456789-0123456789',
    SESSION_SECRET: 'bench-session-secret-0123456789-0123456789',
    METRICS_TOKEN: 'bench-metrics-token-0123456789',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // The benchmark measures capacity: the per-key rate limit would only measure itself.
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  } as Record<string, string>;
  // BENCH_PROFILE=1 writes V8 CPU profiles of the API and the workers to bench/profiles/.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles'] : [];
  const api = spawn(process.execPath, [...profile, ...nodeFlagsOf('start:api'), 'apps/api/dist/main.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const workers = Array.from({ length: options.workers ?? 1 }, (_, i) =>
    spawn(process.execPath, [...profile, ...nodeFlagsOf('start:worker'), 'apps/worker/dist/main.js'], { env: { ...env, WORKER_PORT: String(options.port + 1 + i) }, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const baseUrl = `http://127.0.0.1:${options.port}`;
  await waitFor(`${baseUrl}/health/ready`, 30_000);
  const stop = async () => {
    for (const child of [api, ...workers]) child.kill('SIGTERM');
    await Promise.all([api, ...workers].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await deleteQueues(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.QUEUE_PREFIX);
  };
  const workerUrls = workers.map((_, i) => `http://127.0.0.1:${options.port + 1 + i}`);
  return { baseUrl, api, workers, workerUrls, env, stop };
}

/** The node flags `npm start` gives an app (package.json), so the benchmark measures the same processes. */
function nodeFlagsOf(script: 'start:api' | 'start:worker'): string[] {
  const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
  return scripts[script].split(/\s+/).filter((arg) => arg.startsWith('--'));
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

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone
  }
}

/** CPU seconds used so far by the API, the workers, every Postgres process, Redis and this process. */
export function cpuByComponent(stack: Stack): Record<'api' | 'worker' | 'postgres' | 'redis' | 'loadGenerator', number> {
  let postgres = 0;
  let redis = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let name: string;
    try {
      name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (name.startsWith('postgres')) postgres += cpuSeconds(Number(entry));
    else if (name.startsWith('redis')) redis += cpuSeconds(Number(entry));
  }
  const self = process.cpuUsage();
  return {
    api: cpuSeconds(stack.api.pid),
    worker: stack.workers.reduce((sum, w) => sum + cpuSeconds(w.pid), 0),
    postgres,
    redis,
    loadGenerator: (self.user + self.system) / 1e6,
  };
}

/** Milliseconds of CPU per operation of each component between two readings. */
export function cpuMsPer(before: ReturnType<typeof cpuByComponent>, after: ReturnType<typeof cpuByComponent>, operations: number) {
  const per = (k: keyof typeof before) => Math.round(((after[k] - before[k]) / operations) * 1000 * 100) / 100;
  const figures = { api: per('api'), worker: per('worker'), postgres: per('postgres'), redis: per('redis'), loadGenerator: per('loadGenerator') };
  return { ...figures, total: Math.round(Object.values(figures).reduce((a, b) => a + b, 0) * 100) / 100 };
}

/** Deletes the stack's queues from Redis (a benchmark leaves nothing behind). */
async function deleteQueues(redisUrl: string, prefix: string): Promise<void> {
  const { deleteQueueKeys } = await import('../../libs/billing/dist/index.js');
  const redis = new Redis(redisUrl);
  try {
    await deleteQueueKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
