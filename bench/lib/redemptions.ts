// End-to-end redemption throughput: HTTP accepted → command succeeded (Prefer: wait).
import { Client, percentile, pool } from './client.ts';

export interface RedemptionFigures {
  concurrency: number;
  redemptions: number;
  succeeded: number;
  seconds: number;
  throughputPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number };
  /** Where the time went, from the commands' own timestamps: accepted → a worker started it → finished. */
  queueWaitMs: { p50: number; p99: number };
  processingMs: { p50: number; p99: number };
}

/** A visit invoice's service line, ready to redeem on a package: the body of POST /v1/redemptions. */
export interface Visit {
  invoiceId: string;
  lineId: string;
  purchaseId: string;
}

/** A clinic with `patients` patients, each holding a paid package, and `n` visit invoices spread over them. */
export async function prepareRedemptions(admin: Client, n: number, patients: number) {
  const clinic = await admin.created('/v1/clinics', { name: 'Bench Clinic', currency: 'CAD', timezone: 'America/Toronto' });
  const owner = new Client(admin.baseUrl, clinic.ownerKey);
  const service = await owner.created('/v1/services', { name: 'Massage', price: 10000 });
  const perPatient = Math.ceil(n / patients);
  const plan = await owner.created('/v1/plans', { kind: 'package', name: 'Bench pack', price: perPatient * 10000, items: [{ serviceId: service.id, quantity: perPatient }] });
  const holders: { patientId: string; purchaseId: string }[] = [];
  await pool(patients, 8, async () => {
    const patient = await owner.created('/v1/patients', { firstName: 'Bench', lastName: 'Patient' });
    const purchase = await owner.created(`/v1/patients/${patient.id}/purchases`, { planId: plan.id });
    await owner.created(`/v1/invoices/${purchase.invoices[0].id}/payments`, { amount: purchase.price, method: 'card' });
    holders.push({ patientId: patient.id, purchaseId: purchase.id });
  });
  const visits: Visit[] = new Array(n);
  await pool(n, 16, async (i) => {
    const holder = holders[i % holders.length];
    const invoice = await owner.created('/v1/invoices', { patientId: holder.patientId });
    const line = await owner.created(`/v1/invoices/${invoice.id}/lines`, { serviceId: service.id });
    visits[i] = { invoiceId: invoice.id, lineId: line.id, purchaseId: holder.purchaseId };
  });
  return { owner, visits };
}

export async function runRedemptions(owner: Client, visits: Visit[], concurrency: number): Promise<RedemptionFigures> {
  const pass = await driveCommands(owner, visits.length, concurrency, (i) => ({ path: '/v1/redemptions', body: visits[i], key: `bench-${i}-${concurrency}` }));
  return { concurrency, redemptions: visits.length, ...pass, ...(await commandTimings(owner, 'redemption', visits.length)) };
}

/**
 * Sends `n` commands, at most `concurrency` at once, each waiting for its outcome (Prefer: wait),
 * and measures them from the client: how many succeeded, throughput and latency percentiles.
 */
export async function driveCommands(client: Client, n: number, concurrency: number, command: (i: number) => { path: string; body: unknown; key: string }) {
  const latencies: number[] = [];
  let succeeded = 0;
  const started = performance.now();
  await pool(n, concurrency, async (i) => {
    const { path, body, key } = command(i);
    const t0 = performance.now();
    const res = await client.request('POST', path, body, { 'idempotency-key': key, prefer: 'wait=30' });
    latencies.push(performance.now() - t0);
    if (res.body?.status === 'succeeded') succeeded += 1;
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    succeeded,
    seconds: Math.round(seconds * 100) / 100,
    throughputPerSec: Math.round((n / seconds) * 10) / 10,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
  };
}

/** Queue wait and processing of the clinic's `n` newest commands of a type, from their own timestamps. */
export async function commandTimings(client: Client, type: string, n: number): Promise<Pick<RedemptionFigures, 'queueWaitMs' | 'processingMs'>> {
  const waits: number[] = [];
  const processing: number[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: { createdAt: string; startedAt?: string; finishedAt?: string }[]; nextCursor: string | null } = (await client.request('GET', `/v1/commands?type=${type}&limit=200${cursor ? `&cursor=${cursor}` : ''}`)).body;
    for (const c of page.data) {
      if (!c.startedAt || !c.finishedAt) continue;
      waits.push(Date.parse(c.startedAt) - Date.parse(c.createdAt));
      processing.push(Date.parse(c.finishedAt) - Date.parse(c.startedAt));
    }
    cursor = page.nextCursor;
  } while (cursor && waits.length < n);
  waits.sort((a, b) => a - b);
  processing.sort((a, b) => a - b);
  return {
    queueWaitMs: { p50: percentile(waits, 50), p99: percentile(waits, 99) },
    processingMs: { p50: percentile(processing, 50), p99: percentile(processing, 99) },
  };
}
