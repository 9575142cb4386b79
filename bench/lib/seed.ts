// Bulk seeding with SQL (not through the API): the reconciliation and dashboard benchmarks need
// data at a scale the API would take minutes to create.
import pg from 'pg';

export interface SeedRefs {
  clinicId: string;
  patientId: string;
  serviceId: string;
  planId: string;
}

/** Runs a seeding step in one transaction on one connection of `db`: all of it or none. */
export async function inTransaction(db: pg.Pool, step: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('begin');
    await step(client);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

/** `n` purchases half memberships started 30–90 days before `asOf` (only their first cycle billed), half instalment packages (a third of them expired). */
export async function seedReconciliation(db: pg.Pool, refs: SeedRefs, n: number, asOf: string): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query(
      `insert into purchase (id, created_at, clinic_id, patient_id, plan_id, kind, plan_name, status, payment_schedule, start_date, expires_on, price, insurance_friendly, online_redemption, billing_interval, rollover, first_visit_extra)
       select gen_random_uuid(), now(), $1, $2, $3,
              case when g % 2 = 0 then 'membership' else 'package' end, 'Seeded', 'active',
              case when g % 2 = 0 then 'full' else 'installments' end,
              $5::date - (30 + g % 60), case when g % 2 = 1 and g % 3 = 0 then $5::date - 1 else null end,
              case when g % 2 = 0 then 5000 else 30000 end, false, false,
              case when g % 2 = 0 then 'month' else null end, false, 0
         from generate_series(1, $4) g`,
      [refs.clinicId, refs.patientId, refs.planId, n, asOf],
    );
    await client.query(
      `insert into purchase_balance (id, created_at, clinic_id, purchase_id, service_id, service_name, total, used, transferred_out, transferred_in, visit_value, list_price, position)
       select gen_random_uuid(), now(), p.clinic_id, p.id, $2, 'Seeded', 3, 0, 0, 0, 0, 10000, 0 from purchase p where p.clinic_id = $1 and p.plan_name = 'Seeded'
       on conflict do nothing`,
      [refs.clinicId, refs.serviceId],
    );
    await client.query(
      `insert into invoice (id, created_at, clinic_id, number, patient_id, kind, status, purchase_id, due_date, service_date, cycle_start, installment_number, subtotal, total)
       select gen_random_uuid(), now(), $1, (select invoice_seq from clinic where id = $1) + row_number() over (order by p.id),
              p.patient_id, case when p.kind = 'membership' then 'membership' else 'installment' end, 'open', p.id,
              p.start_date, p.start_date, case when p.kind = 'membership' then p.start_date end, case when p.kind = 'package' then 1 end, p.price, p.price
         from purchase p
        where p.clinic_id = $1 and p.plan_name = 'Seeded' and not exists (select 1 from invoice i where i.purchase_id = p.id)`,
      [refs.clinicId],
    );
    await client.query(`update clinic set invoice_seq = (select coalesce(max(number), 0) from invoice where clinic_id = $1) where id = $1`, [refs.clinicId]);
  });
}

/**
 * `total` invoices spread over `clinics` clinics (the first one is `refs.clinicId`), about 3 % of them
 * open membership or instalment invoices already due: what the dashboard lists.
 */
export async function seedInvoices(db: pg.Pool, refs: SeedRefs, total: number, clinics: number): Promise<void> {
  const perClinic = Math.ceil(total / clinics);
  await inTransaction(db, async (client) => {
    await client.query(
      `insert into clinic (id, created_at, name, currency, timezone, settings, invoice_seq)
       select gen_random_uuid(), now(), 'Seeded ' || g, 'CAD', 'America/Toronto', '{"refundPolicy":"prorated","membershipGraceDays":0,"reconciliationTime":"02:00"}', 0
         from generate_series(2, $1) g`,
      [clinics],
    );
    await client.query(`create temporary table seed_clinic on commit drop as select id, row_number() over (order by id) as k from clinic where name like 'Seeded %' or id = $1::uuid`, [refs.clinicId]);
    await client.query(
      `insert into patient (id, created_at, clinic_id, first_name, last_name) select gen_random_uuid(), now(), c.id, 'Seed', 'Patient ' || c.k from seed_clinic c where c.id <> $1::uuid`,
      [refs.clinicId],
    );
    // Each clinic sells its own copy of the plan: a purchase may only name a plan of its clinic.
    await client.query(
      `insert into plan (id, created_at, clinic_id, kind, name, price, validity_days, insurance_friendly, installments, online_redemption, billing_interval, rollover, active, tax_codes)
       select gen_random_uuid(), now(), c.id, p.kind, p.name, p.price, p.validity_days, p.insurance_friendly, p.installments, p.online_redemption, p.billing_interval, p.rollover, p.active, p.tax_codes
         from seed_clinic c cross join plan p where p.id = $1::uuid and c.id <> p.clinic_id`,
      [refs.planId],
    );
    await client.query(
      `insert into purchase (id, created_at, clinic_id, patient_id, plan_id, kind, plan_name, status, payment_schedule, start_date, price, insurance_friendly, online_redemption, billing_interval, rollover, first_visit_extra)
       select gen_random_uuid(), now(), c.id, (select id from patient p where p.clinic_id = c.id limit 1),
              case when c.id = $2::uuid then $1::uuid else (select pl.id from plan pl where pl.clinic_id = c.id order by pl.created_at desc limit 1) end,
              'membership', 'Seeded membership', 'active', 'full', current_date - 400, 5000, false, false, 'month', false, 0
         from seed_clinic c`,
      [refs.planId, refs.clinicId],
    );
    await client.query(
      `insert into invoice (id, created_at, clinic_id, number, patient_id, kind, status, purchase_id, due_date, service_date, cycle_start, subtotal, total, amount_paid)
       select gen_random_uuid(), now(), c.id, (select invoice_seq from clinic where id = c.id) + g, pu.patient_id,
              case when g % 3 = 0 then 'membership' when g % 3 = 1 then 'installment' else 'service' end,
              case when g % 33 = 0 then 'open' else 'paid' end,
              case when g % 3 <> 2 then pu.id end,
              current_date - (g % 400), current_date - (g % 400),
              case when g % 3 = 0 then current_date - 400 + g end,
              5000, 5000, case when g % 33 = 0 then 0 else 5000 end
         from seed_clinic c
         join purchase pu on pu.clinic_id = c.id and pu.plan_name = 'Seeded membership'
         cross join generate_series(1, $1) g`,
      [perClinic],
    );
    await client.query(`update clinic c set invoice_seq = (select coalesce(max(number), 0) from invoice i where i.clinic_id = c.id) where c.id in (select id from seed_clinic)`);
  });
  await db.query('analyze');
}
