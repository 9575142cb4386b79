// Issue 16: the liability report over a clinic of `purchases` purchases with 12 invoices each
// (100,000 and 1.2 M at full size), and the CSV export of a year of its payments: latency, and the
// API's resident memory while it streams (sampled; the delta over its RSS before the export).
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Client, percentile } from './client.ts';
import { inTransaction } from './seed.ts';

export interface ReportFigures {
  purchases: number;
  invoices: number;
  payments: number;
  liability: { requests: number; latencyMs: { p50: number; p95: number; p99: number } };
  paymentsExport: { rows: number; bytes: number; seconds: number; rssBeforeMiB: number; rssPeakMiB: number; rssDeltaMiB: number };
}

const INVOICES_PER_PURCHASE = 12;

/** Half packages (12 instalments of 120000, 10 visits, 0–3 used, every 7th cancelled), half monthly memberships (12 cycles of 5000); ~9 of 12 invoices paid over the last year. */
export async function seedReports(db: pg.Pool, clinicId: string, patientId: string, serviceId: string, packagePlanId: string, membershipPlanId: string, n: number): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query(
      `insert into purchase (id, created_at, clinic_id, patient_id, plan_id, kind, plan_name, status, payment_schedule, start_date, price, insurance_friendly, online_redemption, billing_interval, rollover, first_visit_extra)
       select gen_random_uuid(), now() - interval '400 days', $1, $2, case when g % 2 = 0 then $4::uuid else $3::uuid end,
              case when g % 2 = 0 then 'membership' else 'package' end, 'Bench', case when g % 14 = 1 then 'cancelled' else 'active' end,
              case when g % 2 = 0 then 'full' else 'installments' end, current_date - 400, case when g % 2 = 0 then 5000 else 120000 end,
              false, false, case when g % 2 = 0 then 'month' end, false, 0
         from generate_series(1, $5) g`,
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
    await client.query(
      `insert into invoice (id, created_at, clinic_id, number, patient_id, kind, status, purchase_id, due_date, service_date, cycle_start, installment_number, subtotal, tax_total, total, amount_paid)
       select gen_random_uuid(), now() - make_interval(days => 400 - k * 30), p.clinic_id, row_number() over (), p.patient_id,
              case when p.kind = 'membership' then 'membership' else 'installment' end,
              case when k <= 9 then 'paid' else 'open' end, p.id, p.start_date + k * 30, p.start_date + k * 30,
              case when p.kind = 'membership' then p.start_date + k * 30 end, case when p.kind = 'package' then k end,
              p.price / 12, 0, p.price / 12, case when k <= 9 then p.price / 12 else 0 end
         from purchase p cross join generate_series(1, ${INVOICES_PER_PURCHASE}) k where p.clinic_id = $1`,
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
  await db.query('analyze');
}

const rssMiB = (pid: number | undefined): number => {
  if (!pid) return 0;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
};

export async function runReports(admin: Client, db: pg.Pool, apiPid: number | undefined, purchases: number, requests = 100): Promise<ReportFigures> {
  const clinic = await admin.created('/v1/clinics', { name: 'Reports bench', currency: 'CAD', timezone: 'America/Toronto' });
  const owner = new Client(admin.baseUrl, clinic.ownerKey);
  const service = await owner.created('/v1/services', { name: 'Visit', price: 12000 });
  const pack = await owner.created('/v1/plans', { kind: 'package', name: 'Ten visits', price: 120000, items: [{ serviceId: service.id, quantity: 10 }] });
  const membership = await owner.created('/v1/plans', { kind: 'membership', name: 'Monthly', price: 5000, billingInterval: 'month', items: [{ serviceId: service.id, quantity: 2 }] });
  const patient = await owner.created('/v1/patients', { firstName: 'Bench', lastName: 'Patient, "Reports"' });
  await seedReports(db, clinic.id, patient.id, service.id, pack.id, membership.id, purchases);
  const counts = (await db.query(`select (select count(*) from invoice where clinic_id = $1)::int as invoices, (select count(*) from payment where clinic_id = $1)::int as payments`, [clinic.id])).rows[0];

  const latencies: number[] = [];
  for (let i = 0; i < requests + 5; i += 1) {
    const t0 = performance.now();
    const res = await owner.request('GET', '/v1/reports/liability');
    if (res.status !== 200) throw new Error(`liability ${res.status} ${JSON.stringify(res.body)}`);
    if (i >= 5) latencies.push(performance.now() - t0); // the first few warm the plan caches
    if (i === 0 && res.body.totals.purchases !== purchases) throw new Error(`liability counted ${res.body.totals.purchases} purchases of ${purchases}`);
  }
  latencies.sort((a, b) => a - b);

  // A year of payments as CSV, read as it streams; the API's RSS sampled meanwhile.
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
  const rssBefore = rssMiB(apiPid);
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(apiPid))), 20);
  const t0 = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const res = await fetch(`${admin.baseUrl}/v1/exports/payments?from=${from}&to=${today}`, { headers: { authorization: `Bearer ${owner.key}`, accept: 'text/csv' } });
    if (res.status !== 200 || !res.body) throw new Error(`export ${res.status}`);
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines += 1;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  return {
    purchases,
    invoices: counts.invoices,
    payments: counts.payments,
    liability: { requests, latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) } },
    paymentsExport: { rows: lines - 1, bytes, seconds, rssBeforeMiB: rssBefore, rssPeakMiB: peak, rssDeltaMiB: Math.round((peak - rssBefore) * 10) / 10 },
  };
}
