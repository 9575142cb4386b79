// Reconciliation of N seeded purchases through the real command pipeline; time from the command's own clock.
import pg from 'pg';
import { Client } from './client.ts';
import { seedReconciliation } from './seed.ts';

export interface ReconciliationFigures {
  purchases: number;
  seconds: number;
  purchasesPerSec: number;
  msPerPurchase: number;
  counts: Record<string, number>;
}

export async function runReconciliation(admin: Client, db: pg.Pool, n: number): Promise<ReconciliationFigures> {
  const clinic = await admin.created('/v1/clinics', { name: `Reconcile ${n}`, currency: 'CAD', timezone: 'America/Toronto' });
  const owner = new Client(admin.baseUrl, clinic.ownerKey);
  const service = await owner.created('/v1/services', { name: 'Visit', price: 10000 });
  // A taxed plan (13 % HST), as issue 17 asks: every cycle invoice carries its tax line.
  const taxes = await owner.request('PATCH', '/v1/clinic/settings', { taxes: [{ code: 'HST', name: 'HST', rate: '13' }] });
  if (taxes.status !== 200) throw new Error(`clinic taxes: ${taxes.status} ${JSON.stringify(taxes.body)}`);
  const plan = await owner.created('/v1/plans', { kind: 'membership', name: 'Seeded', price: 5000, billingInterval: 'month', taxCodes: ['HST'], items: [{ serviceId: service.id, quantity: 2 }] });
  const patient = await owner.created('/v1/patients', { firstName: 'Seed', lastName: 'Patient' });
  const asOf = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Toronto' }).format(new Date());
  await seedReconciliation(db, { clinicId: clinic.id, patientId: patient.id, serviceId: service.id, planId: plan.id }, n, asOf);
  await db.query('analyze');
  const accepted = await owner.request('POST', '/v1/reconciliations', { asOf }, { 'idempotency-key': `bench-reconcile-${n}` });
  const id = accepted.body.id;
  for (;;) {
    const command = (await owner.request('GET', `/v1/commands/${id}`)).body;
    if (['succeeded', 'rejected', 'failed'].includes(command.status)) {
      if (command.status !== 'succeeded') throw new Error(`reconciliation ${command.status}: ${JSON.stringify(command.error)}`);
      const seconds = (Date.parse(command.finishedAt) - Date.parse(command.startedAt)) / 1000;
      // The cycles it billed carry the plan's tax (else the figure would not be the taxed one).
      const [{ taxed }] = (await db.query(`select count(*)::int as taxed from invoice where clinic_id = $1 and kind = 'membership' and tax_total > 0 and created_at >= $2`, [clinic.id, command.startedAt])).rows;
      if (taxed !== command.result.counts.cycleInvoicesCreated) throw new Error(`reconciliation billed ${command.result.counts.cycleInvoicesCreated} cycles, ${taxed} of them with their tax`);
      return {
        purchases: n,
        seconds: Math.round(seconds * 100) / 100,
        purchasesPerSec: Math.round(n / seconds),
        msPerPurchase: Math.round((seconds * 1000 * 1000) / n) / 1000,
        counts: command.result.counts,
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
