// Fault suite: the compiled API and two workers on a scratch database, a mixed load of commands
// (redemptions, transfers, refunds, cancellations, and the corrections: reversals, invoice voids
// and refunds, appointment cancellations, extensions, pauses and resumes, retries of failed
// commands) and payments and tips, on taxed (13% HST) and untaxed plans, with duplicate Idempotency-Keys, while workers are killed (-9) and restarted,
// the suite's own Redis keys are wiped once and its database's connections cut once. Then every
// accepted command must become final, nothing may be applied twice, and the verifier must be clean.
//
//   node test/faults/run.ts           short: ~2,000 commands, 5 kills (inside `npm test`)
//   node test/faults/run.ts --full    20,000 commands, 30 kills (`npm run test:faults`)
//
// Runs on Node 24's type stripping (no build step for this file); needs `npm run build` first.
// Env: FAULT_COMMANDS, FAULT_KILLS, FAULT_SEED, FAULT_CONCURRENCY override the figures.
// It only signals processes it started (by pid), only talks to 127.0.0.1, and every loop is
// bounded in count and time. Its last line: `faults: accepted=N ... verifier=clean|dirty`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

const FULL = process.argv.includes('--full');
const COMMANDS = Number(process.env.FAULT_COMMANDS ?? (FULL ? 20_000 : 2_000));
const KILLS = Number(process.env.FAULT_KILLS ?? (FULL ? 30 : 5));
const SEED = Number(process.env.FAULT_SEED ?? 20261125);
const CONCURRENCY = Number(process.env.FAULT_CONCURRENCY ?? 24);
/** Operations: the commands and, besides them, about one payment for every seven. */
const OPS = Math.round(COMMANDS / 0.88);
/** Wipe Redis once the load is over and the system idle, after the last worker restart (does anything re-queue then?). */
const WIPE_LAST = process.env.FAULT_WIPE_LAST === '1';
/** Hard ceilings: the load, then the wait for every command to be final. */
const LOAD_DEADLINE_MS = FULL ? 30 * 60_000 : 120_000;
const DRAIN_DEADLINE_MS = FULL ? 5 * 60_000 : 90_000;
const REQUEST_TIMEOUT_MS = 30_000;
const ADMIN_TOKEN = `fault-admin-${randomBytes(16).toString('hex')}`;

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/clinic_billing';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// ---------------------------------------------------------------- small utilities

/** mulberry32: a seeded generator, so a run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

function assertLoopback(url: string, what: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`${what} must be on 127.0.0.1 (got ${host})`);
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs `task(i)` for i in 0..n-1 with at most `concurrency` at once, stopping at the deadline. */
async function pool(n: number, concurrency: number, deadline: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n && Date.now() < deadline) await task(next++);
    }),
  );
}

// ---------------------------------------------------------------- HTTP

interface Answer {
  status: number;
  body: any;
  headers: Headers | null;
}

let baseUrl = '';

async function call(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  } catch (error) {
    // Network error or timeout: status 0, retried like a 5xx.
    return { status: 0, body: String((error as Error).message ?? error), headers: null };
  }
}

const stats = { requests: 0, retries: 0, http5xx: 0, networkErrors: 0, gaveUp: 0 };
const latencies: Record<string, number[]> = {};
const record = (what: string, ms: number) => (latencies[what] ??= []).push(ms);
function latencySummary(): string {
  return Object.entries(latencies)
    .map(([what, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const q = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
      return `${what} n=${sorted.length} p50=${q(0.5)}ms p95=${q(0.95)}ms`;
    })
    .join('; ');
}

/**
 * A POST retried with the same Idempotency-Key while the answer is unknown (5xx, network error,
 * 409 in progress): the client behaviour the API promises is safe.
 */
async function post(path: string, key: string, body: unknown, idempotencyKey: string, extra: Record<string, string> = {}): Promise<Answer> {
  let last: Answer = { status: 0, body: null, headers: null };
  for (let attempt = 0; attempt < 10; attempt += 1) {
    stats.requests += 1;
    const t0 = performance.now();
    last = await call('POST', path, key, body, { 'idempotency-key': idempotencyKey, ...extra });
    record(extra.prefer ? 'command' : path.startsWith('/v1/redemptions') ? 'command' : path.split('/').filter((x) => !/^[0-9a-f-]{36}$/.test(x)).join('/'), performance.now() - t0);
    const unknown = last.status === 0 || last.status >= 500 || (last.status === 409 && last.body?.code === 'idempotency_key_in_progress');
    if (!unknown) return last;
    if (last.status === 0) stats.networkErrors += 1;
    if (last.status >= 500) stats.http5xx += 1;
    stats.retries += 1;
    await sleep(Math.min(3_000, 150 * 2 ** attempt));
  }
  stats.gaveUp += 1;
  return last;
}

async function patched(path: string, key: string, body: unknown): Promise<any> {
  const res = await call('PATCH', path, key, body);
  if (res.status !== 200) throw new Error(`PATCH ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function created(path: string, key: string, body: unknown): Promise<any> {
  const res = await post(path, key, body, `setup-${randomBytes(8).toString('hex')}`);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// ---------------------------------------------------------------- processes

interface Proc {
  name: string;
  child: ChildProcess;
  log: string[];
}

const children = new Set<Proc>();

function spawnApp(name: string, script: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const proc: Proc = { name, child, log: [] };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) proc.log.push(line.slice(0, 400));
    if (proc.log.length > 40) proc.log.splice(0, proc.log.length - 40);
  });
  children.add(proc);
  child.once('exit', () => children.delete(proc));
  return proc;
}

async function waitExit(proc: Proc, timeoutMs: number): Promise<boolean> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return true;
  return Promise.race([
    new Promise<boolean>((resolve) => proc.child.once('exit', () => resolve(true))),
    sleep(timeoutMs).then(() => false),
  ]);
}

async function stopAll(): Promise<void> {
  const all = [...children];
  for (const proc of all) if (proc.child.pid) proc.child.kill('SIGTERM');
  await Promise.all(
    all.map(async (proc) => {
      if (!(await waitExit(proc, 10_000)) && proc.child.pid) {
        proc.child.kill('SIGKILL');
        await waitExit(proc, 5_000);
      }
    }),
  );
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms`);
}

// ---------------------------------------------------------------- the clinic under load

interface ClinicCtx {
  id: string;
  billing: string;
  desk: string;
  massage: string;
  facial: string;
  plans: { pack: string; small: string; insurance: string; membership: string };
}

interface Holder {
  ctx: ClinicCtx;
  /** The visit invoice lines are added to until it fills up (fewer invoices, fewer waits on the clinic's counter). */
  openInvoice: { id: string; lines: number } | null;
  partner: Holder | null;
  patientId: string;
  partnerId: string;
  packId: string;
  packInvoiceId: string;
  refundPackId: string;
  memberId: string | null;
  insuranceId: string | null;
}

interface Visit {
  invoiceId: string;
  lineId: string;
  patientId: string;
  holder: Holder;
  /** Set when the visit is an appointment's invoice (made by POST /v1/appointments/:id/invoice). */
  appointmentId?: string;
}

interface Op {
  key: string;
  apiKey: string;
  kind: 'redemption' | 'transfer' | 'refund' | 'cancellation' | 'reversal' | 'invoice_void' | 'invoice_refund' | 'appointment_cancellation' | 'extension' | 'pause' | 'resume';
  path: string;
  body: Record<string, unknown>;
}

const outcome = {
  accepted: new Set<string>(),
  /** Idempotency-Key → every command id answered for it (more than one is a duplicate). */
  idsByKey: new Map<string, Set<string>>(),
  commandsNotAccepted: 0,
  commandAnswers: new Map<number, number>(),
  payments: { posted: 0, created: 0, replayed: 0, refused: 0, failed: 0 },
  paymentIdsByKey: new Map<string, Set<string>>(),
  /** Tips: Idempotency-Key → every line id answered for it. */
  tips: { posted: 0, created: 0, refused: 0 },
  tipIdsByKey: new Map<string, Set<string>>(),
  /** Commands accepted by kind, and the failed ones sent back by POST /v1/commands/:id/retry. */
  byKind: new Map<string, number>(),
  retries: { asked: 0, requeued: 0, refused: 0 },
  kills: 0,
  wipes: 0,
  cuts: 0,
  restarts: 0,
};

async function main(): Promise<number> {
  assertLoopback(SERVER_URL, 'DATABASE_URL');
  assertLoopback(REDIS_URL, 'REDIS_URL');
  const started = Date.now();
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const dbName = `cb_faults_${suffix}`;
  const databaseUrl = withDatabase(SERVER_URL, dbName);
  const queuePrefix = `cbfaults_${suffix}`;
  const lib = await import('../../libs/billing/dist/index.js');
  console.log(`faults: ${FULL ? 'full' : 'short'} run, ${COMMANDS} commands, ${KILLS} kills, seed ${SEED}, concurrency ${CONCURRENCY}, database ${dbName}, queue prefix ${queuePrefix}`);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  db.on('error', () => undefined); // its idle connections are cut too
  const admin = new pg.Client({ connectionString: withDatabase(SERVER_URL, 'postgres') });
  await admin.connect();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  let exitCode: number;
  try {
    await lib.migrate(databaseUrl);
    const apiPort = await freePort();
    const workerPorts = [await freePort(), await freePort()];
    baseUrl = `http://127.0.0.1:${apiPort}`;
    const common = {
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      ADMIN_TOKEN,
      // Production refuses to start without secrets of its own.
      SESSION_SECRET: randomBytes(32).toString('hex'),
      METRICS_TOKEN: randomBytes(16).toString('hex'),
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
      SWEEP_INTERVAL_MS: '1000',
      DB_POOL_SIZE: '10',
      // A load generator, not an abuser: the per-key rate limit would only add 429s.
      RATE_LIMIT_PER_MINUTE: '0',
    };
    const api = spawnApp('api', 'apps/api/dist/main.js', { ...common, PORT: String(apiPort) });
    const workers: Proc[] = [];
    const startWorker = (i: number) => {
      workers[i] = spawnApp(`worker${i}`, 'apps/worker/dist/main.js', { ...common, PORT: String(apiPort), WORKER_PORT: String(workerPorts[i]) });
    };
    startWorker(0);
    startWorker(1);
    await waitReady(`${baseUrl}/health/ready`, 60_000);
    await Promise.all(workerPorts.map((p) => waitReady(`http://127.0.0.1:${p}/health/live`, 60_000).catch(() => undefined)));

    // ------------------------------------------------ fixtures
    // Several clinics, so invoice numbering (one counter row per clinic) is not one queue.
    const clinicCount = FULL ? 8 : 4;
    const families = Math.max(12, Math.ceil(COMMANDS / 100));
    const clinics: ClinicCtx[] = [];
    for (let c = 0; c < clinicCount; c += 1) {
      const clinic = await created('/v1/clinics', ADMIN_TOKEN, { name: `Fault Clinic ${c}`, currency: 'CAD', timezone: 'America/Toronto' });
      const owner: string = clinic.ownerKey;
      const billing = (await created('/v1/api-keys', owner, { name: 'billing', role: 'billing' })).key as string;
      const desk = (await created('/v1/api-keys', owner, { name: 'desk', role: 'front_desk' })).key as string;
      // A 13% tax, on the small package and the membership (their invoices carry it; refunds split it).
      await patched('/v1/clinic/settings', owner, { taxes: [{ code: 'HST', name: 'HST', rate: '13' }] });
      const massage = (await created('/v1/services', owner, { name: 'Massage', price: 1000 })).id as string;
      const facial = (await created('/v1/services', owner, { name: 'Facial', price: 800 })).id as string;
      const plans = {
        // Expiring, so extensions have something to extend.
        pack: (await created('/v1/plans', owner, { kind: 'package', name: '30 massages', price: 30_000, validityDays: 365, items: [{ serviceId: massage, quantity: 30 }] })).id as string,
        small: (await created('/v1/plans', owner, { kind: 'package', name: '5 massages', price: 5_000, taxCodes: ['HST'], items: [{ serviceId: massage, quantity: 5 }] })).id as string,
        insurance: (await created('/v1/plans', owner, {
          kind: 'package', name: 'Insurance pack', price: 17_000, insuranceFriendly: true,
          items: [{ serviceId: massage, quantity: 10 }, { serviceId: facial, quantity: 10 }],
        })).id as string,
        membership: (await created('/v1/plans', owner, { kind: 'membership', name: 'Monthly', price: 5_000, billingInterval: 'month', taxCodes: ['HST'], items: [{ serviceId: massage, quantity: 4 }] })).id as string,
      };
      clinics.push({ id: clinic.id, billing, desk, massage, facial, plans });
    }
    const holders: Holder[] = [];
    await pool(families, 8, Date.now() + LOAD_DEADLINE_MS, async (f) => {
      const ctx = clinics[f % clinics.length];
      const payInvoice = (invoiceId: string, amount: number) => created(`/v1/invoices/${invoiceId}/payments`, ctx.desk, { amount, method: 'card' });
      const family = await created('/v1/families', ctx.desk, { name: `Family ${f}` });
      const members = [
        await created('/v1/patients', ctx.desk, { firstName: 'A', lastName: `Family ${f}`, familyId: family.id }),
        await created('/v1/patients', ctx.desk, { firstName: 'B', lastName: `Family ${f}`, familyId: family.id }),
      ];
      for (const [i, patient] of members.entries()) {
        const main = await created(`/v1/patients/${patient.id}/purchases`, ctx.desk, { planId: ctx.plans.pack });
        await payInvoice(main.invoices[0].id, 15_000);
        const refundable = await created(`/v1/patients/${patient.id}/purchases`, ctx.desk, { planId: ctx.plans.small });
        await payInvoice(refundable.invoices[0].id, refundable.invoices[0].total);
        let memberId: string | null = null;
        if ((f + i) % 3 === 0) {
          const m = await created(`/v1/patients/${patient.id}/purchases`, ctx.desk, { planId: ctx.plans.membership });
          await payInvoice(m.invoices[0].id, m.invoices[0].total);
          memberId = m.id;
        }
        let insuranceId: string | null = null;
        if ((f + i) % 4 === 1) {
          const p = await created(`/v1/patients/${patient.id}/purchases`, ctx.desk, { planId: ctx.plans.insurance });
          await payInvoice(p.invoices[0].id, 17_000);
          insuranceId = p.id;
        }
        holders.push({ ctx, patientId: patient.id, partnerId: members[1 - i].id, packId: main.id, packInvoiceId: main.invoices[0].id, refundPackId: refundable.id, memberId, insuranceId, openInvoice: null, partner: null });
      }
    });
    for (const h of holders) h.partner = holders.find((o) => o.patientId === h.partnerId) ?? null;
    console.log(`faults: fixtures ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${holders.length} patients in ${families} families of ${clinicCount} clinics`);

    // ------------------------------------------------ faults, at random moments of the load
    interface Fault { at: number; kind: 'kill' | 'wipe' | 'cut' }
    const kills = Array.from({ length: KILLS }, () => ({ at: Math.floor(OPS * (0.05 + 0.8 * random())), kind: 'kill' as const })).sort((a, b) => a.at - b.at);
    const wipe = { at: Math.floor(OPS * (0.2 + 0.4 * random())), kind: 'wipe' as const };
    // FAULT_WIPE_LAST: the wipe after the drain, on an idle system with no worker starting after it
    // (the workers must re-assert the sweeper's job scheduler on their own).
    if (WIPE_LAST) wipe.at = Number.POSITIVE_INFINITY;
    const faults: Fault[] = [...kills, ...(WIPE_LAST ? [] : [wipe]), { at: Math.floor(OPS * (0.3 + 0.5 * random())), kind: 'cut' as const }].sort((a, b) => a.at - b.at);
    console.log(`faults: schedule (operation: fault): ${faults.map((f) => `${f.at}:${f.kind}`).join(' ')}`);
    let faultChain: Promise<void> = Promise.resolve();
    const runFault = async (fault: Fault) => {
      if (fault.kind === 'kill') {
        const i = between(0, 1);
        const victim = workers[i];
        if (victim.child.exitCode === null && victim.child.signalCode === null && victim.child.pid) {
          victim.child.kill('SIGKILL');
          await waitExit(victim, 5_000);
          outcome.kills += 1;
        }
        await sleep(between(200, 2_000));
        startWorker(i);
        outcome.restarts += 1;
      } else if (fault.kind === 'wipe') {
        // Only this suite's keys: the Redis is shared with others on this machine.
        const deleted = await lib.deleteQueueKeys(redis, queuePrefix);
        outcome.wipes += 1;
        console.log(`faults: wiped ${deleted} Redis keys of ${queuePrefix}`);
      } else {
        const res = await admin.query('select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
        outcome.cuts += 1;
        console.log(`faults: cut ${res.rows[0].n} Postgres connections of ${dbName}`);
      }
    };
    let nextFault = 0;
    const faultsDue = (done: number) => {
      while (nextFault < faults.length && faults[nextFault].at <= done) {
        const fault = faults[nextFault++];
        faultChain = faultChain.then(() => runFault(fault)).catch((error) => console.error(`faults: ${fault.kind} failed: ${error}`));
      }
    };

    // ------------------------------------------------ the load
    const visits: Visit[] = [];
    const newVisit = async (holder: Holder): Promise<Visit | null> => {
      const who = random() < 0.85 || !holder.partner ? holder : holder.partner;
      const { ctx } = who;
      const service = who.insuranceId && random() < 0.3 ? ctx.facial : ctx.massage;
      if (random() < 0.12) {
        // An appointment and its invoice (one line for the service), so cancellations have something to cancel.
        const startsAt = new Date(Date.now() + between(2, 30) * 86_400_000).toISOString();
        const appointment = await post('/v1/appointments', ctx.desk, { patientId: who.patientId, serviceId: service, startsAt }, `appt-${randomBytes(8).toString('hex')}`);
        if (appointment.status !== 201) return null;
        const invoice = await post(`/v1/appointments/${appointment.body.id}/invoice`, ctx.desk, {}, `appt-inv-${randomBytes(8).toString('hex')}`);
        const lineId = invoice.body?.lines?.[0]?.id;
        if ((invoice.status !== 201 && invoice.status !== 200) || typeof lineId !== 'string') return null;
        const visit: Visit = { invoiceId: invoice.body.id, lineId, patientId: who.patientId, holder: who, appointmentId: appointment.body.id };
        visits.push(visit);
        return visit;
      }
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (!who.openInvoice || who.openInvoice.lines >= 4) {
          const invoice = await post('/v1/invoices', ctx.desk, { patientId: who.patientId }, `inv-${randomBytes(8).toString('hex')}`);
          if (invoice.status !== 201) return null;
          who.openInvoice = { id: invoice.body.id, lines: 0 };
        }
        const invoiceId = who.openInvoice.id;
        who.openInvoice.lines += 1;
        const line = await post(`/v1/invoices/${invoiceId}/lines`, ctx.desk, { serviceId: service }, `line-${randomBytes(8).toString('hex')}`);
        if (line.status === 201) {
          const visit = { invoiceId, lineId: line.body.id as string, patientId: who.patientId, holder: who };
          visits.push(visit);
          return visit;
        }
        // Paid in full meanwhile (every line covered): start another invoice.
        if (who.openInvoice?.id === invoiceId) who.openInvoice = null;
      }
      return null;
    };

    const clinicOf = (apiKey: string) => clinics.find((c) => c.desk === apiKey || c.billing === apiKey)!;
    /** Redemptions answered succeeded: what reversals give back. */
    const redeemed: { id: string; ctx: ClinicCtx }[] = [];
    const recentVisit = () => visits[Math.max(0, visits.length - 1 - Math.floor(random() * Math.min(visits.length, 200)))];
    const nextOp = async (i: number): Promise<Op | 'payment' | 'tip' | 'retry' | null> => {
      const holder = pick(holders);
      const { ctx } = holder;
      const r = random();
      const key = `fault-${SEED}-${i}`;
      const reason = `fault ${i}`;
      // The corrections (issue 14), about a fifth of the operations.
      if (r >= 0.8) {
        const c = random();
        if (c < 0.25) {
          if (redeemed.length === 0) return null;
          const redemption = redeemed[Math.max(0, redeemed.length - 1 - Math.floor(random() * Math.min(redeemed.length, 100)))];
          return { kind: 'reversal', key, apiKey: redemption.ctx.desk, path: `/v1/redemptions/${redemption.id}/reversal`, body: { reason } };
        }
        if (c < 0.35) {
          const visit = visits.length ? recentVisit() : null;
          if (!visit) return null;
          // No more lines on it once it is void.
          if (visit.holder.openInvoice?.id === visit.invoiceId) visit.holder.openInvoice = null;
          return { kind: 'invoice_void', key, apiKey: visit.holder.ctx.billing, path: `/v1/invoices/${visit.invoiceId}/void`, body: { reason } };
        }
        if (c < 0.47) {
          const visit = visits.length ? recentVisit() : null;
          if (!visit) return null;
          return { kind: 'invoice_refund', key, apiKey: visit.holder.ctx.billing, path: `/v1/invoices/${visit.invoiceId}/refunds`, body: { ...(random() < 0.5 ? { amount: between(50, 600) } : {}), method: pick(['card', 'cash']), reason } };
        }
        if (c < 0.57) {
          const booked = visits.filter((v) => v.appointmentId).slice(-100);
          if (booked.length === 0) return null;
          const visit = pick(booked);
          return { kind: 'appointment_cancellation', key, apiKey: visit.holder.ctx.desk, path: `/v1/appointments/${visit.appointmentId}/cancellation`, body: { reason } };
        }
        if (c < 0.67) {
          const expiresOn = new Date(Date.now() + (400 + i) * 86_400_000).toISOString().slice(0, 10);
          return { kind: 'extension', key, apiKey: ctx.billing, path: `/v1/purchases/${holder.packId}/extension`, body: { expiresOn, reason } };
        }
        if (c < 0.77) {
          if (!holder.memberId) return null;
          return random() < 0.55
            ? { kind: 'pause', key, apiKey: ctx.billing, path: `/v1/purchases/${holder.memberId}/pause`, body: { cycles: between(1, 3), reason } }
            : { kind: 'resume', key, apiKey: ctx.billing, path: `/v1/purchases/${holder.memberId}/resume`, body: { reason } };
        }
        if (c < 0.95) return 'tip';
        return 'retry';
      }
      if (r < 0.48) {
        // Redemptions; a few target a line that another command already asked for.
        const visit = r < 0.04 && visits.length > 0 ? pick(visits) : await newVisit(holder);
        if (!visit) return null;
        const own = visit.holder;
        const choice = random();
        const purchaseId = choice < 0.6 ? own.packId : choice < 0.75 && own.insuranceId ? own.insuranceId : undefined;
        return { kind: 'redemption', key, apiKey: own.ctx.desk, path: '/v1/redemptions', body: { invoiceId: visit.invoiceId, lineId: visit.lineId, ...(purchaseId ? { purchaseId } : {}) } };
      }
      if (r < 0.58) return 'payment';
      if (r < 0.69) {
        return { kind: 'transfer', key, apiKey: ctx.billing, path: `/v1/purchases/${holder.packId}/transfers`, body: { toPatientId: random() < 0.9 ? holder.partnerId : holder.patientId, serviceId: ctx.massage, quantity: between(1, 2) } };
      }
      if (r < 0.78) {
        const target = random() < 0.9 ? holder.refundPackId : holder.packId;
        const policy = random() < 0.15;
        return { kind: 'refund', key, apiKey: ctx.billing, path: `/v1/purchases/${target}/refunds`, body: { ...(policy ? {} : { amount: between(100, 1_500) }), method: pick(['card', 'cash', 'e_transfer']), reason: `fault ${i}` } };
      }
      const target = holder.memberId && random() < 0.6 ? holder.memberId : holder.refundPackId;
      return { kind: 'cancellation', key, apiKey: ctx.billing, path: `/v1/purchases/${target}/cancellation`, body: { reason, ...(random() < 0.5 ? { effective: pick(['now', 'end_of_cycle']) } : {}) } };
    };

    const submit = async (op: Op): Promise<void> => {
      const res = await post(op.path, op.apiKey, op.body, op.key, { prefer: 'wait=5' });
      outcome.commandAnswers.set(res.status, (outcome.commandAnswers.get(res.status) ?? 0) + 1);
      if ((res.status === 200 || res.status === 202) && typeof res.body?.id === 'string') {
        outcome.accepted.add(res.body.id);
        outcome.byKind.set(op.kind, (outcome.byKind.get(op.kind) ?? 0) + 1);
        if (op.kind === 'redemption' && res.body.status === 'succeeded') redeemed.push({ id: res.body.id, ctx: clinicOf(op.apiKey) });
        const ids = outcome.idsByKey.get(op.key) ?? new Set<string>();
        ids.add(res.body.id);
        outcome.idsByKey.set(op.key, ids);
      } else if (res.status === 0 || res.status >= 500) {
        outcome.commandsNotAccepted += 1;
      }
    };

    const payment = async (i: number): Promise<void> => {
      const visit = random() < 0.3 && visits.length > 0 ? pick(visits) : null;
      const holder = visit ? visit.holder : pick(holders);
      const onVisit = visit !== null;
      const invoiceId = visit ? visit.invoiceId : holder.packInvoiceId;
      const key = `fault-pay-${SEED}-${i}`;
      const body = { amount: onVisit ? between(100, 1_000) : between(1_000, 5_000), method: pick(['card', 'cash', 'insurance']), reference: key };
      const send = async () => {
        outcome.payments.posted += 1;
        const res = await post(`/v1/invoices/${invoiceId}/payments`, holder.ctx.desk, body, key);
        if (res.status === 201 || res.status === 200) {
          if (res.headers?.get('idempotent-replayed') === 'true') outcome.payments.replayed += 1;
          else outcome.payments.created += 1;
          const ids = outcome.paymentIdsByKey.get(key) ?? new Set<string>();
          ids.add(res.body.id);
          outcome.paymentIdsByKey.set(key, ids);
        } else if (res.status >= 400 && res.status < 500) outcome.payments.refused += 1;
        else outcome.payments.failed += 1;
      };
      await send();
      if (random() < 0.15) await send();
    };

    /** A tip on a visit's invoice (most of them paid by their redemption), its Idempotency-Key sent twice now and then. */
    const tip = async (i: number): Promise<void> => {
      const visit = visits.length ? recentVisit() : null;
      if (!visit) return;
      const key = `fault-tip-${SEED}-${i}`;
      const body = { kind: 'tip', description: `Tip ${i}`, amount: between(100, 800) };
      const send = async () => {
        outcome.tips.posted += 1;
        const res = await post(`/v1/invoices/${visit.invoiceId}/lines`, visit.holder.ctx.desk, body, key);
        if (res.status === 201 || res.status === 200) {
          outcome.tips.created += 1;
          const ids = outcome.tipIdsByKey.get(key) ?? new Set<string>();
          ids.add(res.body.id);
          outcome.tipIdsByKey.set(key, ids);
        } else outcome.tips.refused += 1;
      };
      await send();
      if (random() < 0.15) await send();
    };

    /** A failed command of the clinic, if any, sent back to the queue (same id, same effect keys). */
    const retry = async (): Promise<void> => {
      const { ctx } = pick(holders);
      const failed = await call('GET', '/v1/commands?status=failed&limit=5', ctx.billing);
      const command = failed.status === 200 ? failed.body?.data?.[0] : undefined;
      if (!command) return;
      outcome.retries.asked += 1;
      const res = await call('POST', `/v1/commands/${command.id}/retry`, ctx.billing);
      if (res.status === 202) {
        outcome.retries.requeued += 1;
        outcome.accepted.add(command.id);
      } else outcome.retries.refused += 1;
    };

    let done = 0;
    const loadDeadline = Date.now() + LOAD_DEADLINE_MS;
    const progressEvery = Math.max(500, Math.floor(OPS / 10));
    await pool(OPS, CONCURRENCY, loadDeadline, async (i) => {
      try {
        const op = await nextOp(i);
        if (op === 'payment') await payment(i);
        else if (op === 'tip') await tip(i);
        else if (op === 'retry') await retry();
        else if (op) {
          const dup = random();
          if (dup < 0.08) await Promise.all([submit(op), submit(op)]); // same key at once
          else {
            await submit(op);
            if (dup < 0.16) await submit(op); // same key again, later
          }
        }
      } catch (error) {
        console.error(`faults: op ${i} failed: ${error}`);
      }
      done += 1;
      faultsDue(done);
      if (done % progressEvery === 0) console.log(`faults: ${done}/${OPS} operations, ${outcome.accepted.size} commands accepted, ${outcome.kills} kills (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    });
    faultsDue(Number.MAX_SAFE_INTEGER);
    await faultChain;
    const loadSeconds = (Date.now() - started) / 1000;
    console.log(`faults: load done in ${loadSeconds.toFixed(1)} s (${done} operations); waiting for every command to be final`);

    // ------------------------------------------------ drain: every accepted command final
    const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return (await db.query(sql, params)).rows as T[];
        } catch (error) {
          if (attempt >= 5) throw error;
          await sleep(500);
        }
      }
    };
    const drainDeadline = Date.now() + DRAIN_DEADLINE_MS;
    const drainStarted = Date.now();
    let drainReported = false;
    let open = Number.POSITIVE_INFINITY;
    while (Date.now() < drainDeadline) {
      open = (await query<{ n: number }>(`select count(*)::int as n from command where status in ('queued', 'running')`))[0].n;
      if (open === 0) break;
      if (Date.now() - drainStarted > 10_000 && !drainReported) {
        // A slow drain says what waits: by type, status and attempts, with the oldest's age.
        drainReported = true;
        const waiting = await query<{ type: string; status: string; attempts: number; n: number; oldest: number }>(
          `select type, status, attempts, count(*)::int as n, extract(epoch from now() - min(created_at))::int as oldest from command
           where status in ('queued', 'running') group by 1, 2, 3 order by 4 desc limit 8`);
        console.log(`faults: still open after 10 s of drain: ${waiting.map((w) => `${w.type}/${w.status}/attempts ${w.attempts}: ${w.n} (oldest ${w.oldest} s)`).join('; ')}`);
        // And where their jobs are in Redis (active in a killed worker waits for the stall check; missing waits for the sweeper).
        const ids = await query<{ id: string }>(`select id from command where status in ('queued', 'running') order by created_at limit 5`);
        const states = await Promise.all(ids.map(async ({ id }) => {
          const job = `${queuePrefix}:${'commands'}:${id}`;
          const [exists, active, wait, delayed, lock] = await Promise.all([
            redis.exists(job), redis.lpos(`${queuePrefix}:commands:active`, id), redis.lpos(`${queuePrefix}:commands:wait`, id),
            redis.zscore(`${queuePrefix}:commands:delayed`, id), redis.exists(`${job}:lock`),
          ]);
          return `${id.slice(0, 8)}: job ${exists ? 'stored' : 'missing'}${active !== null ? ', active' : ''}${wait !== null ? ', waiting' : ''}${delayed !== null ? ', delayed' : ''}${lock ? ', locked' : ''}`;
        }));
        console.log(`faults: their jobs: ${states.join('; ')}`);
      }
      await sleep(500);
    }
    const drainSeconds = (Date.now() - started) / 1000 - loadSeconds;

    if (WIPE_LAST) {
      // Both workers fully started first (they create the schedulers when they start).
      await Promise.all(workerPorts.map((p) => waitReady(`http://127.0.0.1:${p}/health/live`, 60_000)));
      await runFault(wipe);
      await sleep(3_000);
    }

    // ------------------------------------------------ stranded probe
    // A command Postgres holds as queued that Redis never got (what a wipe, or Redis down when the
    // API stored it, leaves behind): the sweeper must queue it again. A redemption of a line already
    // covered, so it is rejected and changes nothing.
    let probe = 'not run';
    let probeLost = 0;
    const covered = await query<{ clinic_id: string; invoice_id: string; id: string; redemption_purchase_id: string }>(
      `select i.clinic_id, l.invoice_id, l.id, l.redemption_purchase_id from invoice_line l join invoice i on i.id = l.invoice_id
       where l.redemption_command_id is not null limit 1`,
    );
    if (covered[0]) {
      const c = covered[0];
      const [{ id: probeId }] = await query<{ id: string }>(
        `insert into command (id, created_at, clinic_id, type, status, request, channel, attempts)
         values (gen_random_uuid(), now() - interval '1 minute', $1, 'redemption', 'queued', $2, 'staff', 0) returning id`,
        [c.clinic_id, JSON.stringify({ invoiceId: c.invoice_id, lineId: c.id, purchaseId: c.redemption_purchase_id })],
      );
      const probeStart = Date.now();
      probeLost = 1;
      probe = 'NOT re-queued within 20 s';
      while (Date.now() - probeStart < 20_000) {
        const [{ status }] = await query<{ status: string }>('select status from command where id = $1', [probeId]);
        if (status !== 'queued' && status !== 'running') {
          probe = `${status} after ${((Date.now() - probeStart) / 1000).toFixed(1)} s`;
          probeLost = 0;
          break;
        }
        await sleep(250);
      }
    }

    // ------------------------------------------------ accounting
    const acceptedIds = [...outcome.accepted];
    const byStatus = await query<{ status: string; n: number }>(
      `select status, count(*)::int as n from command where id = any($1::uuid[]) group by status`,
      [acceptedIds],
    );
    const count = (status: string) => byStatus.find((r) => r.status === status)?.n ?? 0;
    const missing = acceptedIds.length - byStatus.reduce((sum, r) => sum + r.n, 0);
    const notFinal = (await query<{ n: number }>(`select count(*)::int as n from command where status in ('queued', 'running')`))[0].n;
    const lost = count('queued') + count('running') + missing + probeLost;
    const all = await query<{ status: string; n: number }>(`select status, count(*)::int as n from command group by status order by status`);

    // Applied twice: by the client's answers, and by what the database holds.
    const keyDuplicates = [...outcome.idsByKey.values()].filter((ids) => ids.size > 1).length;
    const paymentKeyDuplicates = [...outcome.paymentIdsByKey.values()].filter((ids) => ids.size > 1).length;
    const tipKeyDuplicates = [...outcome.tipIdsByKey.values()].filter((ids) => ids.size > 1).length;
    const [dbDup] = await query<Record<string, number>>(`
      select
        (select count(*) from (select 1 from command where idempotency_key is not null group by clinic_id, idempotency_key having count(*) > 1) d)::int as commands_per_key,
        -- A line may be redeemed again once its redemption was given back (key <redemption>:given_back): live ones only.
        (select count(*) from (select 1 from command c where type = 'redemption' and status = 'succeeded'
                               and not exists (select 1 from ledger_entry g where g.effect_key = c.id::text || ':given_back')
                               group by result->>'lineId' having count(*) > 1) d)::int as lines_redeemed_twice,
        -- One entry of a type per command, but a void gives back each of its redemptions (one entry per redemption).
        (select count(*) from (select 1 from ledger_entry where command_id is not null group by command_id, type, details->>'redemptionId' having count(*) > 1) d)::int as ledger_twice,
        (select count(*) from (select 1 from ledger_entry where type in ('redemption_reversed', 'redemption_released') group by details->>'redemptionId' having count(*) > 1) d)::int as given_back_twice,
        (select count(*) from (select 1 from ledger_entry e join command c on c.id = e.command_id
                               where c.type in ('extension', 'pause', 'resume') group by e.command_id having count(*) > 1) d)::int as history_twice,
        (select count(*) from (select 1 from invoice_line where kind = 'tip' group by invoice_id, description having count(*) > 1) d)::int as tips_twice,
        (select count(*) from (select 1 from payment where command_id is not null group by command_id, invoice_id having count(*) > 1) d)::int as command_payments_twice,
        (select count(*) from (select 1 from payment where reference like 'fault-pay-%' group by reference having count(*) > 1) d)::int as desk_payments_twice,
        (select count(*) from (select 1 from idempotency_record where command_id is not null group by command_id having count(*) > 1) d)::int as keys_per_command`);
    const duplicated = keyDuplicates + paymentKeyDuplicates + tipKeyDuplicates + Object.values(dbDup).reduce((a, b) => a + Number(b), 0);

    const { MikroORM } = await import('@mikro-orm/postgresql');
    const orm = await MikroORM.init(lib.ormConfig({ databaseUrl, poolSize: 2 }));
    let verifier: { clean: boolean; checks: { name: string; violations: number; examples: string[] }[] };
    try {
      verifier = await lib.verifyLedger(orm.em.fork());
    } finally {
      await orm.close(true);
    }

    console.log('');
    console.log(lib.formatVerifyReport(verifier));
    console.log('');
    console.log(`faults: commands in the database by status: ${all.map((r) => `${r.status}=${r.n}`).join(' ')}; not final: ${notFinal}`);
    console.log(`faults: command answers by HTTP status: ${[...outcome.commandAnswers.entries()].sort().map(([s, n]) => `${s}:${n}`).join(' ')}; submissions never accepted: ${outcome.commandsNotAccepted}`);
    console.log(`faults: payments posted ${outcome.payments.posted}: created ${outcome.payments.created}, replayed ${outcome.payments.replayed}, refused (4xx) ${outcome.payments.refused}, failed ${outcome.payments.failed}`);
    console.log(`faults: commands accepted by kind: ${[...outcome.byKind.entries()].sort().map(([k, n]) => `${k}=${n}`).join(' ')}`);
    console.log(`faults: tips posted ${outcome.tips.posted}: created ${outcome.tips.created} (replays included), refused ${outcome.tips.refused}; retries of failed commands asked ${outcome.retries.asked}, re-queued ${outcome.retries.requeued}, refused ${outcome.retries.refused}`);
    console.log(`faults: requests ${stats.requests}, retried ${stats.retries} (5xx ${stats.http5xx}, network ${stats.networkErrors}), gave up ${stats.gaveUp}`);
    console.log(`faults: duplicates: keys answered with two ids ${keyDuplicates}, payment keys with two payments ${paymentKeyDuplicates}, tip keys with two lines ${tipKeyDuplicates}, in the database ${JSON.stringify(dbDup)}`);
    console.log(`faults: latency: ${latencySummary()}`);
    console.log(`faults: stranded command probe (queued in Postgres, absent from Redis): ${probe}`);
    console.log(`faults: load ${loadSeconds.toFixed(1)} s, drain ${drainSeconds.toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(1)} s; workers restarted ${outcome.restarts} times`);
    console.log(`faults: commands accepted ${acceptedIds.length}, succeeded ${count('succeeded')}, rejected ${count('rejected')}, failed ${count('failed')}, lost ${lost}, duplicated effects ${duplicated}, kills survived ${outcome.kills}`);

    // Every kind of command was in the mix (a silent 4xx on one route would leave it out).
    const absent = ['redemption', 'transfer', 'refund', 'cancellation', 'reversal', 'invoice_void', 'invoice_refund', 'appointment_cancellation', 'extension', 'pause', 'resume']
      .filter((kind) => !outcome.byKind.get(kind));
    if (absent.length) console.log(`faults: never accepted: ${absent.join(', ')}`);
    const pass = lost === 0 && duplicated === 0 && verifier.clean && outcome.kills === KILLS && outcome.wipes === 1 && outcome.cuts === 1 && absent.length === 0 && outcome.tips.created > 0;
    if (!pass) {
      for (const proc of [api, ...workers]) if (proc.log.length) console.log(`--- last stderr of ${proc.name}:\n${proc.log.slice(-15).join('\n')}`);
    }
    exitCode = pass ? 0 : 1;
    console.log(
      `faults: accepted=${acceptedIds.length} succeeded=${count('succeeded')} rejected=${count('rejected')} failed=${count('failed')} lost=${lost} duplicated=${duplicated} kills=${outcome.kills} wipes=${outcome.wipes} cuts=${outcome.cuts} verifier=${verifier.clean ? 'clean' : 'dirty'}`,
    );
  } finally {
    await stopAll();
    await lib.deleteQueueKeys(redis, queuePrefix).catch(() => undefined);
    redis.disconnect();
    await db.end().catch(() => undefined);
    await admin.query(`drop database if exists "${dbName}" with (force)`).catch((error) => console.error(`faults: could not drop ${dbName}: ${error}`));
    await admin.end().catch(() => undefined);
  }
  return exitCode;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const proc of children) proc.child.kill('SIGKILL');
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error);
    await stopAll().catch(() => undefined);
    console.log('faults: accepted=0 succeeded=0 rejected=0 failed=0 lost=0 duplicated=0 kills=0 wipes=0 cuts=0 verifier=dirty');
    process.exit(1);
  },
);
