import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { addLiability, purchaseLiability, ZERO_LIABILITY, type Liability } from '../domain/liability.js';
import { AS_OF_CTE, asOfParams, int, SUBTOTAL } from './report-sql.js';

export interface LiabilityRow extends Liability {
  purchases: number;
  unusedVisits: number;
}

export interface LiabilityPlanRow extends LiabilityRow {
  planId: string;
  planName: string;
  kind: 'package' | 'membership';
}

export interface LiabilityReport {
  asOf: IsoDate;
  totals: LiabilityRow;
  plans: LiabilityPlanRow[];
}

/**
 * Each purchase's facts as of the date, gathered set-based (one statement, no query per purchase)
 * and then grouped by identical facts: purchases with the same facts have the same liability, so
 * the domain computes each distinct row once and the wire carries far fewer rows than purchases.
 */
const FACTS_SQL = `
with ${AS_OF_CTE},
p as (
  select pu.id, pu.plan_id, pu.kind, pu.first_visit_extra, pu.source_purchase_id is not null as transfer_target,
         pu.kind = 'package' and pu.expires_on is not null and pu.expires_on < c.as_of as expired
  from purchase pu, c
  where pu.clinic_id = c.clinic_id and pu.created_at < c.day_end and (pu.deleted_at is null or pu.deleted_at >= c.day_end)),
cancelled as (
  select distinct e.purchase_id from ledger_entry e, c
  where e.clinic_id = c.clinic_id and e.type = 'cancelled' and e.created_at < c.day_end),
-- Money by the day = what the invoices hold now less what came or went after the day: one pass
-- over the invoices and a short range of recent payments, instead of every payment of the clinic.
inv as (
  select i.purchase_id, sum(i.total) filter (where i.status <> 'void') as sum_totals, sum(${SUBTOTAL('i')}) filter (where i.status <> 'void') as sum_subtotals,
         sum(i.amount_paid) as paid_now, sum(i.amount_refunded) as refunded_now
  from invoice i, c
  where i.clinic_id = c.clinic_id and i.purchase_id is not null group by 1),
later as (
  select i.purchase_id, coalesce(sum(pm.amount) filter (where pm.amount > 0), 0) as paid, coalesce(-sum(pm.amount) filter (where pm.amount < 0), 0) as refunded
  from payment pm join invoice i on i.id = pm.invoice_id, c
  where pm.clinic_id = c.clinic_id and pm.created_at >= c.day_end and not pm.voided and i.purchase_id is not null group by 1),
-- Package visits per service: left (purchased and received less used and sent) and used (redeemed
-- less reversed, plus sent). A released redemption keeps its visit consumed: it was forfeited.
visits as (
  select e.purchase_id, e.service_id,
         sum(e.visits) filter (where e.type in ('purchased', 'transferred_in', 'redeemed', 'redemption_reversed', 'transferred_out')) as left_visits,
         -sum(e.visits) filter (where e.type in ('redeemed', 'redemption_reversed', 'transferred_out')) as used
  from ledger_entry e, c
  where e.clinic_id = c.clinic_id and e.service_id is not null and e.created_at < c.day_end
    and e.type in ('purchased', 'transferred_in', 'redeemed', 'redemption_reversed', 'transferred_out')
  group by 1, 2),
released as (
  select e.purchase_id, e.service_id, sum(coalesce((e.details->>'quantity')::int, 0)) as n from ledger_entry e, c
  where e.clinic_id = c.clinic_id and e.type = 'redemption_released' and e.created_at < c.day_end group by 1, 2),
used as (
  select v.purchase_id, sum(v.left_visits) as left_visits, sum(v.used - coalesce(r.n, 0)) as used_visits,
         sum((v.used - coalesce(r.n, 0)) * b.visit_value) as used_value
  from visits v
  join purchase_balance b on b.purchase_id = v.purchase_id and b.service_id = v.service_id
  left join released r on r.purchase_id = v.purchase_id and r.service_id = v.service_id
  group by 1),
facts as (
  select p.plan_id, p.kind, p.transfer_target,
         p.kind = 'package' and (p.expired or k.purchase_id is not null) as closed,
         coalesce(inv.paid_now, 0) - coalesce(l.paid, 0) as paid, coalesce(inv.refunded_now, 0) - coalesce(l.refunded, 0) as refunded,
         coalesce(inv.sum_subtotals, 0) as sum_subtotals, coalesce(inv.sum_totals, 0) as sum_totals,
         case when p.kind = 'package' then coalesce(u.used_visits, 0) else 0 end as used_visits,
         case when p.kind = 'package' then coalesce(u.used_value, 0) else 0 end as used_value,
         p.first_visit_extra,
         case when p.kind = 'package' and not p.expired and k.purchase_id is null then coalesce(u.left_visits, 0) else 0 end as unused_visits
  from p
  left join cancelled k on k.purchase_id = p.id
  left join inv on inv.purchase_id = p.id
  left join later l on l.purchase_id = p.id
  left join used u on u.purchase_id = p.id)
select f.plan_id, pl.name as plan_name, f.kind, f.transfer_target, f.closed, f.paid, f.refunded, f.sum_subtotals, f.sum_totals,
       f.used_visits, f.used_value, f.first_visit_extra, sum(f.unused_visits) as unused_visits, count(*) as purchases
from facts f join plan pl on pl.id = f.plan_id
group by f.plan_id, pl.name, f.kind, f.transfer_target, f.closed, f.paid, f.refunded, f.sum_subtotals, f.sum_totals, f.used_visits, f.used_value, f.first_visit_extra`;

interface FactsRow {
  plan_id: string;
  plan_name: string;
  kind: 'package' | 'membership';
  transfer_target: boolean;
  closed: boolean;
  paid: string;
  refunded: string;
  sum_subtotals: string;
  sum_totals: string;
  used_visits: string;
  used_value: string;
  first_visit_extra: string;
  unused_visits: string;
  purchases: string;
}

const EMPTY_ROW: LiabilityRow = { purchases: 0, ...ZERO_LIABILITY, unusedVisits: 0 };

/** GET /v1/reports/liability: one row per plan with a purchase made by `asOf`, and their totals. */
export async function liabilityReport(em: EntityManager, clinicId: string, asOf: IsoDate): Promise<LiabilityReport> {
  const rows = await em.execute<FactsRow[]>(FACTS_SQL, asOfParams(clinicId, asOf));
  const plans = new Map<string, LiabilityPlanRow>();
  for (const r of rows) {
    const times = int(r.purchases);
    const liability = purchaseLiability({
      kind: r.kind, paid: int(r.paid), refunded: int(r.refunded), sumSubtotals: int(r.sum_subtotals), sumTotals: int(r.sum_totals),
      usedVisits: int(r.used_visits), usedValue: int(r.used_value), firstVisitExtra: int(r.first_visit_extra),
      closed: r.closed, transferTarget: r.transfer_target,
    });
    const row = plans.get(r.plan_id) ?? { planId: r.plan_id, planName: r.plan_name, kind: r.kind, ...EMPTY_ROW };
    plans.set(r.plan_id, { ...row, ...addLiability(row, liability, times), purchases: row.purchases + times, unusedVisits: row.unusedVisits + int(r.unused_visits) });
  }
  const list = [...plans.values()].sort((a, b) => a.planName.localeCompare(b.planName) || a.planId.localeCompare(b.planId));
  const totals = list.reduce<LiabilityRow>(
    (t, r) => ({ ...addLiability(t, r), purchases: t.purchases + r.purchases, unusedVisits: t.unusedVisits + r.unusedVisits }),
    EMPTY_ROW,
  );
  return { asOf, totals, plans: list };
}
