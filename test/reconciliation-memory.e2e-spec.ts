// A reconciliation as of 9999-12-31 (allowed by ALLOW_FUTURE_AS_OF=true, as in demos) bills
// every monthly cycle until then, about 96,000 per membership, in a real worker process whose
// heap is capped at 128 MiB: billing them all in one go would hold every invoice in memory and
// crash it. The worker's own heap gauge (GET /metrics) is sampled throughout the run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cycleAt, todayIn } from '@app/billing';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HEAP_CAP_MIB = 128;
const TZ = 'America/Toronto';
// One membership is ~96,000 cycles (a minute or less here); more add time, not insight.
const MEMBERSHIPS = 1;

describe('a reconciliation far ahead keeps the worker’s memory bounded', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let worker: ChildProcess | null = null;
  const lines: string[] = [];

  beforeAll(async () => {
    // The compiled worker, as production runs it (incremental: quick when up to date).
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b'], { cwd: root, stdio: 'pipe' });
    env = await startTestEnv({ worker: false, env: { ALLOW_FUTURE_AS_OF: 'true' } });
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
  }, 180_000);
  afterAll(async () => {
    // Only the process this suite started, by its handle.
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await env?.close();
  });

  const startWorker = async (): Promise<number> => {
    const { config } = env;
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MIB}`, join(root, 'apps/worker/dist/main.js')], {
      cwd: root,
      env: {
        ...(process.env as Record<string, string>),
        NODE_OPTIONS: '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: config.DATABASE_URL,
        REDIS_URL: config.REDIS_URL,
        QUEUE_PREFIX: config.QUEUE_PREFIX,
        ADMIN_TOKEN: config.ADMIN_TOKEN,
        ALLOW_FUTURE_AS_OF: 'true',
        WORKER_PORT: '0',
        WORKER_HOST: '127.0.0.1',
        RECONCILE_TICK_MS: '0',
        DB_POOL_SIZE: '4',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker = child;
    const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const port = lines.map((l) => /health and metrics on [\d.]+:(\d+)/.exec(l)?.[1]).find(Boolean);
      if (port) return Number(port);
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const heapUsedMiB = async (port: number): Promise<number | null> => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const bytes = /^\w*nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
      return bytes ? Number(bytes) / 2 ** 20 : null;
    } catch {
      return null;
    }
  };

  it('bills every cycle until 9999-12-31 in bounded batches, once, and the worker neither crashes nor grows', async () => {
    const service = await f.service();
    const plan = await f.membershipPlan(service.id, 1, 5000);
    const purchases = [];
    for (let i = 0; i < MEMBERSHIPS; i += 1) purchases.push(await f.purchase((await f.patient(`Member${i}`, 'Far')).id, plan.id));
    const pack = await f.purchase((await f.patient('Pack', 'Holder')).id, (await f.packagePlan(service.id, 3, 9000, { validityDays: 365 })).id);
    const port = await startWorker();

    const accepted = await env.http().post('/v1/reconciliations').set(bearer(clinic.keys.owner)).set('Idempotency-Key', idem('far')).send({ asOf: '9999-12-31' });
    expect(accepted.status).toBe(202);
    const samples: number[] = [];
    const phases = new Set<string>();
    let command: any;
    const deadline = Date.now() + 150_000;
    for (;;) {
      const heap = await heapUsedMiB(port);
      if (heap !== null) samples.push(heap);
      command = (await env.http().get(`/v1/commands/${accepted.body.id}`).set(bearer(clinic.keys.owner))).body;
      if (command.progress?.phase) phases.add(`${command.progress.phase}:${command.progress.cycleInvoicesCreated ?? ''}`);
      if (['succeeded', 'failed', 'rejected'].includes(command.status)) break;
      if (worker!.exitCode !== null || worker!.signalCode !== null) throw new Error(`worker died (${worker!.exitCode ?? worker!.signalCode}):\n${lines.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`still ${command.status} after 150 s: ${JSON.stringify(command.progress)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(command.status).toBe('succeeded');

    const perMembership = cycleAt(todayIn(TZ), 'month', '9999-12-31')!.index + 1;
    expect(perMembership).toBeGreaterThan(95_000);
    // The first cycle was billed at the sale.
    expect(command.result.counts).toMatchObject({ membershipsChecked: MEMBERSHIPS, cycleInvoicesCreated: MEMBERSHIPS * (perMembership - 1), packagesExpired: 1 });
    expect((await env.db.query('select status from purchase where id = $1', [pack.id])).rows[0].status).toBe('expired');
    const { rows } = await env.db.query(
      `select purchase_id, count(*)::int as n, count(distinct cycle_start)::int as distinct_starts, max(cycle_start)::text as last
         from invoice where clinic_id = $1 and kind = 'membership' group by purchase_id`,
      [clinic.id],
    );
    expect(rows).toHaveLength(MEMBERSHIPS);
    for (const row of rows) expect(row).toMatchObject({ n: perMembership, distinct_starts: perMembership, last: cycleAt(todayIn(TZ), 'month', '9999-12-31')!.start });
    // Progress was reported batch by batch, not once at the end.
    expect([...phases].filter((p) => p.startsWith('membership_cycles:')).length).toBeGreaterThan(5);
    // Sampled throughout, and under the cap with room to spare (garbage included: samples are not
    // taken after a GC). Billing everything in one transaction crashed this worker with "heap out of memory".
    expect(samples.length).toBeGreaterThan(10);
    const peak = Math.max(...samples);
    console.log(`reconciliation to 9999-12-31: ${MEMBERSHIPS} × ${perMembership} cycles, worker heap peak ${peak.toFixed(1)} MiB over ${samples.length} samples`);
    expect(peak).toBeLessThan(100);

    // Run again: nothing more to bill, and it says so quickly.
    const again = await env.http().post('/v1/reconciliations').set(bearer(clinic.keys.owner)).set('Idempotency-Key', idem('far')).set('Prefer', 'wait=30').send({ asOf: '9999-12-31' });
    expect(again.body).toMatchObject({ status: 'succeeded', result: { counts: { cycleInvoicesCreated: 0, membershipsChecked: MEMBERSHIPS } } });
  }, 240_000);
});
