// Issue 16: the liability report over a clinic of `purchases` purchases with 12 invoices each
// (100,000 and 1.2 M at full size), and the CSV export of a month and of a year of its payments.
// The report: HTTP latency, and Postgres's own EXPLAIN ANALYZE times of its statement (repeated: on
// a machine shared with other work one wall-clock run says little), today and days back. The
// export: rows, size, time, and the API's V8 heap in use (from its /metrics) sampled while it
// streams: flat memory means the year's peak is no higher than the month's, whatever its RSS does
// (V8 grows its heap lazily and collects garbage when it likes; RSS is kept for comparison).
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Client, percentile } from './client.ts';
import { inTransaction } from './seed.ts';
import type { PlanNode } from '../../libs/billing/dist/index.js';

export interface ExportFigures {
  from: string;
  to: string;
  rows: number;
  bytes: number;
  seconds: number;
  samples: number;
  /** V8 heap just after its full collections: the live heap. */
  liveHeapMiB: { before: number; peak: number };
  /** V8 heap in use, garbage included, and resident memory: for comparison. */
  heapUsedMiB: { before: number; peak: number };
  rssMiB: { before: number; peak: number };
}

export interface ReportFigures {
  purchases: number;
  invoices: number;
  payments: number;
  /** The clinic's reconciliation for today after the seed: nothing to bill (the seed is a reconciled clinic). */
  reconciliation: { seconds: number; counts: Record<string, number> };
  liability: {
    requests: number;
    latencyMs: { p50: number; p95: number; p99: number };
    /** EXPLAIN ANALYZE of the facts statement: execution time median and p95 (ms), and how it groups. */
    explain: { asOf: string; runs: number; medianMs: number; p95Ms: number; planningMs: number; grouping: string }[];
  };
  paymentsExport: { month: ExportFigures; year: ExportFigures };
}

export interface ReportsTarget {
  apiPid: number | undefined;
  metricsToken: string;
  databaseUrl: string;
}

const INVOICES_PER_PURCHASE = 12;

/** Half packages (12 instalments of 120000, 9 paid over 400 days; 10 visits, 0–3 used; every 7th cancelled), half monthly memberships (12 cycles, all paid, the latest this month). */
export async function seedReports(db: pg.Pool, clinicId: string, patientId: string, serviceId: string, packagePlanId: string, membershipPlanId: string, n: number): Promise<void> {
  await inTransaction(db, async (client) => {
    // Memberships started 11 months ago (on a day that every month has) and billed on their calendar
    // cycles: the clinic is as its daily reconciliation leaves it, with nothing left to bill. (Cycles
    // 30 days apart left every month unbilled: a reconciliation, the scheduler's daily one included,
    // then billed ~700,000 cycles while the report was being measured.)
    await client.query(
      `insert into purchase (id, created_at, clinic_id, patient_id, plan_id, kind, plan_name, status, payment_schedule, start_date, price, insurance_friendly, online_redemption, billing_interval, rollover, first_visit_extra)
       select gen_random_uuid(), now() - interval '400 days', $1, $2, case when g % 2 = 0 then $4::uuid else $3::uuid end,
              case when g % 2 = 0 then 'membership' else 'package' end, 'Bench', case when g % 14 = 1 then 'cancelled' else 'active' end,
              case when g % 2 = 0 then 'full' else 'installments' end, case when g % 2 = 0 then m.start else current_date - 400 end,
              case when g % 2 = 0 then 5000 else 120000 end, false, false, case when g % 2 = 0 then 'month' end, false, 0
         from generate_series(1, $5) g,
              (select make_date(extract(year from d)::int, extract(month from d)::int, least(extract(day from d)::int, 28)) as start
                 from (select ((now() at time zone timezone)::date - interval '11 months')::date as d from clinic where id = $1) t) m`,
      [clinicId, patientId, packagePlanId, membershipPlanId, n],
    );
    await client.query(
      `insert into purchase_balance (id, created_at, clinic_id, purchase_id, service_id, service_name, total, used, transferred_out, transferred_in, visit_value, list_price, position)
       select gen_random_uuid(), now(), p.clinic_id, p.id, $2, 'Bench', case when p.kind = 'package' then 10 else 2 end,
              case when p.kind = 'package' then (abs(hashtext(p.id::text)) % 4) else 0 end, 0, 0, case when p.kind = 'package' then 12000 else 0 end, 12000, 0
         from purchase p where p.clinic_id = $1`,
      [clinicId, serviceId],
    );
    await client.query(
      `insert into ledger_entry (id, created_at, clinic_id, purchase_id, service_id, type, visits, amount, effect_key)
       select gen_random_uuid(), now() - interval '400 days', p.clinic_id, p.id, b.service_id, 'purchased', case when p.kind = 'package' then 10 else 0 end, p.price, 'bench-p-' || p.id
         from purchase p join purchase_balance b on b.purchase_id = p.id where p.clinic_id = $1
       union all
       select gen_random_uuid(), now() - interval '100 days', p.clinic_id, p.id, b.service_id, 'redeemed', -b.used, 0, 'bench-r-' || p.id
         from purchase p join purchase_balance b on b.purchase_id = p.id where p.clinic_id = $1 and b.used > 0
       union all
       select gen_random_uuid(), now() - interval '50 days', p.clinic_id, p.id, null, 'cancelled', 0, 0, 'bench-c-' || p.id
         from purchase p where p.clinic_id = $1 and p.status = 'cancelled'`,
      [clinicId],
    );
    // Packages: 12 instalments 30 days apart from 400 days ago, 9 paid; memberships: cycles 0..11 on
    // their start's day of each month, all paid (the month's export has the latest's payments).
    await client.query(
      `insert into invoice (id, created_at, clinic_id, number, patient_id, kind, status, purchase_id, due_date, service_date, cycle_start, installment_number, subtotal, tax_total, total, amount_paid)
       select gen_random_uuid(), case when p.kind = 'membership' then d.day::timestamp at time zone 'UTC' else now() - make_interval(days => 400 - k * 30) end,
              p.clinic_id, row_number() over (), p.patient_id,
              case when p.kind = 'membership' then 'membership' else 'installment' end,
              case when k <= 9 or p.kind = 'membership' then 'paid' else 'open' end, p.id, d.day, d.day,
              case when p.kind = 'membership' then d.day end, case when p.kind = 'package' then k end,
              p.price / 12, 0, p.price / 12, case when k <= 9 or p.kind = 'membership' then p.price / 12 else 0 end
         from purchase p cross join generate_series(1, ${INVOICES_PER_PURCHASE}) k
         cross join lateral (select case when p.kind = 'membership' then (p.start_date + make_interval(months => k - 1))::date else p.start_date + k * 30 end as day) d
        where p.clinic_id = $1`,
      [clinicId],
    );
    await client.query(`update clinic set invoice_seq = (select count(*) from invoice where clinic_id = $1) where id = $1`, [clinicId]);
    await client.query(
      `insert into payment (id, created_at, clinic_id, invoice_id, amount, method, effect_key)
       select gen_random_uuid(), i.created_at + interval '1 hour', i.clinic_id, i.id, i.amount_paid, 'card', 'bench-pay-' || i.id
         from invoice i where i.clinic_id = $1 and i.amount_paid > 0`,
      [clinicId],
    );
  });
  // As pgbench's initialisation ends: the triggers left two or three dead versions of each
  // purchase_totals row (52 MB for 100,000 rows) and the table's pages unmarked, and this server
  // runs without autovacuum. A deployment's autovacuum does this after a bulk load.
  await db.query('vacuum (analyze) purchase, purchase_balance, ledger_entry, invoice, payment, purchase_totals, clinic, plan');
}

const rssMiB = (pid: number | undefined): number => {
  if (!pid) return 0;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
};
const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
const dayIn = (timeZone: string, daysBack = 0): string => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(Date.now() - daysBack * 86_400_000));

/** The API's V8 heap from its /metrics: in use now (garbage included) and just after its last full collection (live). */
async function heapOf(baseUrl: string, metricsToken: string): Promise<{ used: number; live: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
  const gauge = (name: string): number => {
    const match = new RegExp(`^clinic_billing_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    if (!match) throw new Error(`the API's /metrics has no clinic_billing_${name}`);
    return Number(match[1]);
  };
  return { used: gauge('nodejs_heap_size_used_bytes'), live: gauge('nodejs_heap_used_after_gc_bytes') };
}

/**
 * Streams the payments export of from..to as CSV, counting its lines, while sampling the API's heap
 * and RSS. The live heap (after each full collection) is the gauge that says whether memory is flat:
 * heap used and RSS also count the garbage V8 has not collected yet, and it lets more pile up the
 * longer a stream runs.
 */
async function measureExport(owner: Client, target: ReportsTarget, from: string, to: string): Promise<ExportFigures> {
  const before = await heapOf(owner.baseUrl, target.metricsToken);
  const rssBefore = rssMiB(target.apiPid);
  const peak = { ...before, rss: rssBefore };
  let samples = 0;
  let sampling = true;
  // One scrape at a time, every 50 ms: each is a request the streaming API serves between writes.
  const sampler = (async () => {
    while (sampling) {
      const heap = await heapOf(owner.baseUrl, target.metricsToken);
      peak.used = Math.max(peak.used, heap.used);
      peak.live = Math.max(peak.live, heap.live);
      peak.rss = Math.max(peak.rss, rssMiB(target.apiPid));
      samples += 1;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t0 = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const res = await fetch(`${owner.baseUrl}/v1/exports/payments?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${owner.key}`, accept: 'text/csv' } });
    if (res.status !== 200 || !res.body) throw new Error(`export ${res.status}`);
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines += 1;
    }
  } finally {
    sampling = false;
    await sampler;
  }
  return {
    from, to, rows: lines - 1, bytes, seconds: Math.round((performance.now() - t0) / 100) / 10, samples,
    liveHeapMiB: { before: mib(before.live), peak: mib(peak.live) },
    heapUsedMiB: { before: mib(before.used), peak: mib(peak.used) },
    rssMiB: { before: rssBefore, peak: peak.rss },
  };
}

/** EXPLAIN ANALYZE of the liability facts statement, `runs` times, as the report runs it (its transaction's settings included). */
async function explainLiability(databaseUrl: string, clinicId: string, asOf: string, runs: number) {
  const { ormConfig, explainLiabilityFacts } = await import('../../libs/billing/dist/index.js');
  const { MikroORM } = await import('@mikro-orm/postgresql');
  const orm = await MikroORM.init(ormConfig({ databaseUrl, poolSize: 1 }));
  try {
    const times: number[] = [];
    let planning = 0;
    let grouping = '';
    for (let i = 0; i < runs + 1; i += 1) {
      const plan = await explainLiabilityFacts(orm.em.fork(), clinicId, asOf);
      if (!plan) throw new Error(`no clinic ${clinicId}`);
      if (i === 0) continue; // the first reads the pages into the cache
      times.push(plan['Execution Time']);
      planning = Math.max(planning, plan['Planning Time']);
      grouping = groupingOf(plan.Plan);
    }
    times.sort((a, b) => a - b);
    return { asOf, runs, medianMs: percentile(times, 50), p95Ms: percentile(times, 95), planningMs: Math.round(planning * 10) / 10, grouping };
  } finally {
    await orm.close();
  }
}

/** How the plan groups the purchases' facts: the aggregate nodes over most rows, by strategy (Hashed, Sorted, …). */
function groupingOf(node: PlanNode): string {
  const found: string[] = [];
  const walk = (n: PlanNode) => {
    if (n['Node Type'] === 'Aggregate' && (n['Actual Rows'] ?? 0) < (n.Plans?.[0]?.['Actual Rows'] ?? 0) && (n.Plans?.[0]?.['Actual Rows'] ?? 0) >= 1000) found.push(`${n.Strategy}${n['Partial Mode'] && n['Partial Mode'] !== 'Simple' ? ` (${n['Partial Mode']})` : ''}`);
    if (n['Node Type'] === 'Sort' && (n['Actual Rows'] ?? 0) >= 1000) found.push(`Sort of ${n['Actual Rows']} rows`);
    for (const child of n.Plans ?? []) walk(child);
  };
  walk(node);
  return found.join(', ') || 'none over 1,000 rows';
}

export async function runReports(admin: Client, db: pg.Pool, target: ReportsTarget, purchases: number, requests = 100): Promise<ReportFigures> {
  const timezone = 'America/Toronto';
  const clinic = await admin.created('/v1/clinics', { name: 'Reports bench', currency: 'CAD', timezone });
  const owner = new Client(admin.baseUrl, clinic.ownerKey);
  const service = await owner.created('/v1/services', { name: 'Visit', price: 12000 });
  const pack = await owner.created('/v1/plans', { kind: 'package', name: 'Ten visits', price: 120000, items: [{ serviceId: service.id, quantity: 10 }] });
  const membership = await owner.created('/v1/plans', { kind: 'membership', name: 'Monthly', price: 5000, billingInterval: 'month', items: [{ serviceId: service.id, quantity: 2 }] });
  const patient = await owner.created('/v1/patients', { firstName: 'Bench', lastName: 'Patient, "Reports"' });
  await seedReports(db, clinic.id, patient.id, service.id, pack.id, membership.id, purchases);
  const counts = (await db.query(`select (select count(*) from invoice where clinic_id = $1)::int as invoices, (select count(*) from payment where clinic_id = $1)::int as payments`, [clinic.id])).rows[0];
  const today = dayIn(timezone);

  // The clinic's reconciliation for today, run and finished before anything is measured: the seed
  // must leave it nothing to bill (it would otherwise write while the report is measured).
  const accepted = await owner.request('POST', '/v1/reconciliations', { asOf: today }, { 'idempotency-key': `bench-reports-${clinic.id}` });
  if (accepted.status !== 202) throw new Error(`reconciliation ${accepted.status} ${JSON.stringify(accepted.body)}`);
  let reconciliation: ReportFigures['reconciliation'];
  for (;;) {
    const command = (await owner.request('GET', `/v1/commands/${accepted.body.id}`)).body;
    if (['succeeded', 'rejected', 'failed'].includes(command.status)) {
      if (command.status !== 'succeeded') throw new Error(`reconciliation ${command.status}: ${JSON.stringify(command.error)}`);
      reconciliation = { seconds: (Date.parse(command.finishedAt) - Date.parse(command.startedAt)) / 1000, counts: command.result.counts };
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (reconciliation.counts.cycleInvoicesCreated !== 0 || reconciliation.counts.packagesExpired !== 0) {
    throw new Error(`the seeded clinic was not reconciled: ${JSON.stringify(reconciliation.counts)}`);
  }

  const latencies: number[] = [];
  for (let i = 0; i < requests + 5; i += 1) {
    const t0 = performance.now();
    const res = await owner.request('GET', '/v1/reports/liability');
    if (res.status !== 200) throw new Error(`liability ${res.status} ${JSON.stringify(res.body)}`);
    if (i >= 5) latencies.push(performance.now() - t0); // the first few warm the plan caches
    if (i === 0 && res.body.totals.purchases !== purchases) throw new Error(`liability counted ${res.body.totals.purchases} purchases of ${purchases}`);
  }
  latencies.sort((a, b) => a - b);
  const explain = [await explainLiability(target.databaseUrl, clinic.id, today, 20)];
  for (const daysBack of [30, 90, 180]) explain.push(await explainLiability(target.databaseUrl, clinic.id, dayIn(timezone, daysBack), 5));

  // A month, then a year of payments as CSV, read as they stream.
  const month = await measureExport(owner, target, dayIn(timezone, 29), today);
  const year = await measureExport(owner, target, dayIn(timezone, 364), today);
  return {
    purchases,
    invoices: counts.invoices,
    payments: counts.payments,
    reconciliation,
    liability: { requests, latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) }, explain },
    paymentsExport: { month, year },
  };
}
