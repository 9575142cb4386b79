// GET /v1/dashboard latency with 1,000,000 invoices in the database (seeded with SQL).
import pg from 'pg';
import { Client, percentile } from './client.ts';
import { seedInvoices } from './seed.ts';

export interface DashboardFigures {
  invoices: number;
  requests: number;
  listed: number;
  latencyMs: { p50: number; p95: number; p99: number };
}

export async function runDashboard(admin: Client, db: pg.Pool, invoices = 1_000_000, clinics = 200, requests = 200): Promise<DashboardFigures> {
  const clinic = await admin.created('/v1/clinics', { name: 'Dashboard bench', currency: 'CAD', timezone: 'America/Toronto' });
  const owner = new Client(admin.baseUrl, clinic.ownerKey);
  const service = await owner.created('/v1/services', { name: 'Visit', price: 10000 });
  const plan = await owner.created('/v1/plans', { kind: 'membership', name: 'Seeded', price: 5000, billingInterval: 'month', items: [{ serviceId: service.id, quantity: 2 }] });
  const patient = await owner.created('/v1/patients', { firstName: 'Seed', lastName: 'Patient' });
  await seedInvoices(db, { clinicId: clinic.id, patientId: patient.id, serviceId: service.id, planId: plan.id }, invoices, clinics);
  const total = Number((await db.query('select count(*) as n from invoice')).rows[0].n);
  const latencies: number[] = [];
  let listed = 0;
  for (let i = 0; i < requests; i += 1) {
    const t0 = performance.now();
    const res = await owner.request('GET', '/v1/dashboard');
    latencies.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`dashboard ${res.status}`);
    listed = res.body.unpaidMembershipInvoices.length + res.body.overdueInstallments.length;
  }
  latencies.sort((a, b) => a - b);
  return { invoices: total, requests, listed, latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) } };
}
