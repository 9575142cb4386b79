import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A compiled app (`node apps/<app>/dist/main.js`) as production runs it, its JSON log lines kept. */
interface AppProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnApp(app: 'api' | 'worker', env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, [join(root, `apps/${app}/dist/main.js`)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, lines, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const started = (p: AppProcess) => until('the process to start', () => p.lines.some((l) => /running|listening/.test(l)) || (p.child.exitCode !== null && Promise.reject(new Error(p.lines.join('\n')))));

describe('graceful shutdown of real processes', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let processEnv: Record<string, string>;
  const spawned: AppProcess[] = [];

  beforeAll(async () => {
    // The compiled apps, as production runs them (incremental: quick when up to date).
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b'], { cwd: root, stdio: 'pipe' });
    env = await startTestEnv({ worker: false });
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
    const { config } = env;
    processEnv = {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: config.DATABASE_URL,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      // Production refuses to start without secrets of its own (and an ADMIN_TOKEN of 32 or more).
      ADMIN_TOKEN: 'shutdown-test-admin-token-0123456789',
      SESSION_SECRET: 'shutdown-test-session-secret-0123456789',
      METRICS_TOKEN: 'shutdown-test-metrics-token',
      DB_POOL_SIZE: '6',
      PORT: '0',
      WORKER_PORT: '0',
      WORKER_CONCURRENCY: '4',
      SHUTDOWN_TIMEOUT_MS: '20000',
      RECONCILE_TICK_MS: '0',
    };
  }, 120_000);
  afterAll(async () => {
    // Only the processes this suite started, by their pid.
    for (const p of spawned) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await env?.close();
  });

  it('a worker given SIGTERM mid-job finishes its jobs and exits; a new worker runs the rest; every command succeeds exactly once', async () => {
    const massage = await f.service();
    const plan = await f.packagePlan(massage.id, 20, 200_000);
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, plan.id);
    const visits = await Promise.all(Array.from({ length: 8 }, () => f.visitInvoice(patient.id, massage.id)));

    const { Queue } = await import('bullmq');
    const { bullConnection, COMMANDS_QUEUE } = await import('@app/billing');
    const queue = new Queue(COMMANDS_QUEUE, { connection: bullConnection(env.config.REDIS_URL, 'worker'), prefix: env.config.QUEUE_PREFIX });
    // Hold the purchase's row lock: the jobs that start block inside their transaction, mid-job.
    const holder = await env.db.connect();
    let ids: string[] = [];
    try {
      await holder.query('begin');
      await holder.query('select id from purchase where id = $1 for update', [purchase.id]);

      const first = spawnApp('worker', processEnv);
      spawned.push(first);
      await started(first);
      const answers = await Promise.all(visits.map((v) => f.redeem({ ...v, purchaseId: purchase.id }, { wait: 0 })));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
      ids = answers.map((a) => a.body.id as string);
      // WORKER_CONCURRENCY=4: four jobs active (blocked on the lock inside their transaction), four waiting.
      await until('four active jobs and four waiting', async () => {
        const states = await Promise.all(ids.map(async (id) => (await queue.getJob(id))?.getState()));
        return states.filter((s) => s === 'active').length === 4 && states.filter((s) => s === 'waiting').length === 4;
      });

      first.child.kill('SIGTERM');
      await until('the drain to begin', () => first.lines.some((l) => l.includes('Draining')));
      // It waits for its jobs rather than dropping them.
      await new Promise((r) => setTimeout(r, 750));
      expect(first.child.exitCode).toBeNull();
      await holder.query('commit');
      const exit = await Promise.race([first.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(first.lines.some((l) => l.includes('Drained'))).toBe(true);
      // The jobs finished during the drain were logged (and counted) before the worker closed.
      expect(first.lines.filter((l) => l.includes('Command redemption succeeded'))).toHaveLength(4);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      holder.release();
      await queue.close();
    }

    // The four it ran are final; the four it never took are still queued, for the next worker.
    const { rows: afterFirst } = await env.db.query(`select status, count(*)::int as n from command where id = any($1) group by status order by status`, [ids]);
    expect(afterFirst).toEqual([
      { status: 'queued', n: 4 },
      { status: 'succeeded', n: 4 },
    ]);

    const second = spawnApp('worker', processEnv);
    spawned.push(second);
    await started(second);
    await until('every command final', async () => {
      const { rows } = await env.db.query(`select count(*)::int as n from command where id = any($1) and status in ('succeeded', 'rejected', 'failed')`, [ids]);
      return rows[0].n === ids.length;
    });
    const { rows: commands } = await env.db.query(`select id, status, attempts from command where id = any($1)`, [ids]);
    expect(commands.every((c) => c.status === 'succeeded' && c.attempts === 1)).toBe(true);
    const { rows: ledger } = await env.db.query(`select command_id, count(*)::int as n from ledger_entry where command_id = any($1) group by command_id`, [ids]);
    expect(ledger).toHaveLength(ids.length);
    expect(ledger.every((l) => l.n === 1)).toBe(true);
    expect((await f.get(`/v1/purchases/${purchase.id}`)).balances[0]).toMatchObject({ used: 8, remaining: 12 });
    // The job logs carry the command ids (and the correlation ids of their requests).
    expect(second.lines.some((l) => ids.some((id) => l.includes(id)) && l.includes('"correlationId"'))).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('an API given SIGTERM stops taking connections, finishes the request in flight, then exits', async () => {
    const api = spawnApp('api', processEnv);
    spawned.push(api);
    await started(api);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(api.lines.find((l) => l.includes('listening'))!)![1]);
    const base = `http://127.0.0.1:${port}`;
    // No worker runs: a command asked to wait keeps its request open for the whole wait.
    const inFlight = fetch(`${base}/v1/reconciliations`, {
      method: 'POST',
      headers: { ...bearer(clinic.keys.billing), 'Content-Type': 'application/json', 'Idempotency-Key': idem('drain'), Prefer: 'wait=3' },
      body: '{}',
    });
    await until('the command to be stored', async () => {
      const { rows } = await env.db.query(`select count(*)::int as n from command where type = 'reconciliation' and status = 'queued'`);
      return rows[0].n > 0;
    });
    const signalledAt = Date.now();
    api.child.kill('SIGTERM');
    await until('the drain to begin', () => api.lines.some((l) => l.includes('draining')));
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    const answer = await inFlight;
    expect(answer.status).toBe(202);
    expect(((await answer.json()) as { type: string }).type).toBe('reconciliation');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
  }, 60_000);
});
