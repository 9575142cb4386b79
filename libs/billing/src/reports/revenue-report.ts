import type { EntityManager } from '@mikro-orm/postgresql';
import { addDays, type IsoDate } from '../domain/dates.js';
import { earned, purchaseLiability, type PurchaseFacts } from '../domain/liability.js';
import { PLAN_SUBTOTAL, PLAN_TOTAL } from '../invoices/plan-money-sql.js';
import { int } from './report-sql.js';

export interface RevenueDay {
  date: IsoDate;
  payments: number;
  refunds: number;
  recognized: number;
  redemptions: number;
}

export interface RevenueReport {
  from: IsoDate;
  to: IsoDate;
  days: RevenueDay[];
}

const RANGE_CTE = `c as (
  select cl.id as clinic_id, cl.timezone as tz, ?::date as day_from, ?::date as day_to,
         (?::date::timestamp at time zone cl.timezone) as start_at, ((?::date + 1)::timestamp at time zone cl.timezone) as end_at
  from clinic cl where cl.id = ?::uuid)`;
const rangeParams = (clinicId: string, from: IsoDate, to: IsoDate) => [from, to, from, to, clinicId];

/** Money received (package credit is no money) and returned, and visits redeemed, per day of the clinic. */
const CASH_SQL = `
with ${RANGE_CTE},
pay as (
  select (pm.created_at at time zone c.tz)::date as day,
         coalesce(sum(pm.amount) filter (where pm.amount > 0), 0) as payments, coalesce(-sum(pm.amount) filter (where pm.amount < 0), 0) as refunds
  from payment pm, c
  where pm.clinic_id = c.clinic_id and pm.created_at >= c.start_at and pm.created_at < c.end_at and not pm.voided and pm.method <> 'package_credit'
  group by 1),
red as (
  select (e.created_at at time zone c.tz)::date as day, -sum(e.visits) as redemptions from ledger_entry e, c
  where e.clinic_id = c.clinic_id and e.type = 'redeemed' and e.created_at >= c.start_at and e.created_at < c.end_at group by 1)
select coalesce(pay.day, red.day)::text as day, coalesce(pay.payments, 0) as payments, coalesce(pay.refunds, 0) as refunds, coalesce(red.redemptions, 0) as redemptions
from pay full join red on red.day = pay.day`;

/**
 * What moves a purchase's recognized + forfeited, per purchase and day: its money, its visits used
 * (with their value), and the day it closed (cancelled, or the day after expiresOn). Days before
 * the range collapse onto the day before it (the starting point). Only purchases touched in range.
 */
const EARNED_SQL = `
with ${RANGE_CTE},
closing as (
  select e.purchase_id, min((e.created_at at time zone c.tz)::date) as day from ledger_entry e, c
  where e.clinic_id = c.clinic_id and e.type = 'cancelled' and e.created_at < c.end_at group by 1),
pd as (
  select i.purchase_id, i.id as invoice_id, ${PLAN_TOTAL('i')} as plan_total, greatest((pm.created_at at time zone c.tz)::date, c.day_from - 1) as day,
         coalesce(sum(pm.amount) filter (where pm.amount > 0), 0) as paid, coalesce(-sum(pm.amount) filter (where pm.amount < 0), 0) as refunded
  from payment pm join invoice i on i.id = pm.invoice_id, c
  where pm.clinic_id = c.clinic_id and i.purchase_id is not null and not pm.voided and pm.created_at < c.end_at group by i.id, 4),
-- Payments pay an invoice's plan first, then its extras (tips, charges: not the purchase's money):
-- a day's plan money is the plan paid by its end less the plan paid before it.
pc as (select pd.*, sum(pd.paid) over (partition by pd.invoice_id order by pd.day) as paid_by from pd),
ev as (
  select purchase_id, day, sum(least(paid_by, plan_total) - least(paid_by - paid, plan_total)) as paid, sum(refunded) as refunded,
         0 as used_visits, 0 as used_value
  from pc group by 1, 2
  union all
  select e.purchase_id, greatest((e.created_at at time zone c.tz)::date, c.day_from - 1), 0, 0,
         sum(case when e.type = 'redemption_released' then -coalesce((e.details->>'quantity')::int, 0) else -e.visits end),
         sum((case when e.type = 'redemption_released' then -coalesce((e.details->>'quantity')::int, 0) else -e.visits end) * b.visit_value)
  from ledger_entry e join purchase_balance b on b.purchase_id = e.purchase_id and b.service_id = e.service_id, c
  where e.clinic_id = c.clinic_id and e.created_at < c.end_at
    and e.type in ('redeemed', 'redemption_reversed', 'redemption_released', 'transferred_out')
  group by 1, 2),
p as (
  select pu.id, pu.kind, pu.first_visit_extra, pu.source_purchase_id is not null as transfer_target,
         least(k.day, pu.expires_on + 1) as closed_on
  from purchase pu left join closing k on k.purchase_id = pu.id, c
  where pu.clinic_id = c.clinic_id and pu.created_at < c.end_at
    and (exists (select 1 from ev where ev.purchase_id = pu.id and ev.day >= c.day_from)
         or (pu.kind = 'package' and least(k.day, pu.expires_on + 1) between c.day_from and c.day_to))),
inv as (
  select i.purchase_id, sum(${PLAN_TOTAL('i')}) as sum_totals, sum(${PLAN_SUBTOTAL('i')}) as sum_subtotals from invoice i join p on p.id = i.purchase_id
  where i.status <> 'void' group by 1)
select p.id, p.kind, p.first_visit_extra, p.transfer_target, p.closed_on::text as closed_on,
       coalesce(inv.sum_subtotals, 0) as sum_subtotals, coalesce(inv.sum_totals, 0) as sum_totals,
       ev.day::text as day, ev.paid, ev.refunded, ev.used_visits, ev.used_value
from p left join inv on inv.purchase_id = p.id left join ev on ev.purchase_id = p.id
order by p.id, ev.day`;

interface EarnedRow {
  id: string;
  kind: 'package' | 'membership';
  first_visit_extra: string;
  transfer_target: boolean;
  closed_on: string | null;
  sum_subtotals: string;
  sum_totals: string;
  day: string | null;
  paid: string;
  refunded: string;
  used_visits: string;
  used_value: string;
}

/** Σ over purchases of (recognized + forfeited as of each day) − (as of the day before), by the domain. */
function earnedByDay(rows: EarnedRow[], from: IsoDate, to: IsoDate): Map<IsoDate, number> {
  const byDay = new Map<IsoDate, number>();
  const flush = (events: EarnedRow[]) => {
    const first = events[0];
    if (!first) return;
    const days = new Set<IsoDate>(events.flatMap((e) => (e.day && e.day >= from ? [e.day] : [])));
    if (first.closed_on && first.closed_on >= from && first.closed_on <= to) days.add(first.closed_on);
    const asOf = (day: IsoDate): number => {
      const facts: PurchaseFacts = {
        kind: first.kind, paid: 0, refunded: 0, sumSubtotals: int(first.sum_subtotals), sumTotals: int(first.sum_totals),
        usedVisits: 0, usedValue: 0, firstVisitExtra: int(first.first_visit_extra), closed: first.closed_on !== null && first.closed_on <= day,
        transferTarget: first.transfer_target,
      };
      for (const e of events) {
        if (e.day === null || e.day > day) continue;
        facts.paid += int(e.paid);
        facts.refunded += int(e.refunded);
        facts.usedVisits += int(e.used_visits);
        facts.usedValue += int(e.used_value);
      }
      return earned(purchaseLiability(facts));
    };
    for (const day of days) {
      const delta = asOf(day) - asOf(addDays(day, -1));
      if (delta !== 0) byDay.set(day, (byDay.get(day) ?? 0) + delta);
    }
  };
  let current: EarnedRow[] = [];
  for (const row of rows) {
    if (current.length > 0 && current[0].id !== row.id) {
      flush(current);
      current = [];
    }
    current.push(row);
  }
  flush(current);
  return byDay;
}

/** GET /v1/reports/revenue: every day from `from` to `to`, in the clinic's time zone. */
export async function revenueReport(em: EntityManager, clinicId: string, from: IsoDate, to: IsoDate): Promise<RevenueReport> {
  const params = rangeParams(clinicId, from, to);
  const [cash, earnedRows] = await Promise.all([
    em.execute<{ day: string; payments: string; refunds: string; redemptions: string }[]>(CASH_SQL, params),
    em.execute<EarnedRow[]>(EARNED_SQL, params),
  ]);
  const cashByDay = new Map(cash.map((r) => [r.day, r]));
  const recognized = earnedByDay(earnedRows, from, to);
  const days: RevenueDay[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const c = cashByDay.get(day);
    days.push({ date: day, payments: int(c?.payments), refunds: int(c?.refunds), recognized: recognized.get(day) ?? 0, redemptions: int(c?.redemptions) });
  }
  return { from, to, days };
}
