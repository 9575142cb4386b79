import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { AS_OF_CTE, asOfParams, int, SUBTOTAL } from './report-sql.js';

export const AGEING_BUCKETS = ['current', '1-30', '31-60', '61-90', 'over-90'] as const;
export type AgeingBucket = (typeof AGEING_BUCKETS)[number];

export interface AgeingRow {
  kind: string;
  bucket: AgeingBucket;
  invoices: number;
  balanceDue: number;
}

export interface AgeingReport {
  asOf: IsoDate;
  buckets: AgeingRow[];
}

/**
 * Invoices open as of the day: made by its end, not void by then, and owing after the payments
 * received by then (a later payment never counts). Due on the due date, a service invoice on its
 * service date. The balance is before tax, per invoice, half up (integers only: all terms ≥ 0).
 * Candidates are the invoices open now, or paid or voided after the day (the others were settled by then).
 * A written-off amount counts as settled.
 */
const AGEING_SQL = `
with ${AS_OF_CTE},
cand as (
  select i.id, i.kind, i.total, ${SUBTOTAL('i')} as subtotal, i.covered_amount + i.amount_written_off as covered_amount,
         case when i.kind = 'service' then i.service_date else coalesce(i.due_date, i.service_date) end as due
  from invoice i, c
  where i.clinic_id = c.clinic_id and i.created_at < c.day_end
    -- A written-off instalment owes nothing and leaves the lists (its write-off has no date of its own).
    and (i.status = 'open'
         or (i.status = 'void' and i.voided_at >= c.day_end)
         or (i.status = 'paid' and exists (select 1 from payment pm where pm.invoice_id = i.id and pm.amount > 0 and not pm.voided and pm.created_at >= c.day_end)))),
owed as (
  select cand.*, cand.total - cand.covered_amount - coalesce((
           select sum(pm.amount) from payment pm where pm.invoice_id = cand.id and pm.amount > 0 and not pm.voided and pm.created_at < c.day_end), 0) as balance,
         c.as_of - cand.due as days
  from cand, c)
select kind,
       case when days <= 0 then 'current' when days <= 30 then '1-30' when days <= 60 then '31-60' when days <= 90 then '61-90' else 'over-90' end as bucket,
       count(*) as invoices,
       sum(case when total = 0 then balance else div(2 * balance::numeric * subtotal + total, 2 * total::numeric) end) as balance_due
from owed where balance > 0
group by 1, 2`;

/** GET /v1/reports/ageing: every kind × bucket with an open invoice, in bucket order. */
export async function ageingReport(em: EntityManager, clinicId: string, asOf: IsoDate): Promise<AgeingReport> {
  const rows = await em.execute<{ kind: string; bucket: AgeingBucket; invoices: string; balance_due: string }[]>(AGEING_SQL, asOfParams(clinicId, asOf));
  const buckets = rows
    .map((r) => ({ kind: r.kind, bucket: r.bucket, invoices: int(r.invoices), balanceDue: int(r.balance_due) }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || AGEING_BUCKETS.indexOf(a.bucket) - AGEING_BUCKETS.indexOf(b.bucket));
  return { asOf, buckets };
}
