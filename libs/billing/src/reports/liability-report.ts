import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { addLiability, purchaseLiability, ZERO_LIABILITY, type Liability } from '../domain/liability.js';
import { PLAN_PAID, PLAN_TOTAL } from '../invoices/plan-money-sql.js';
import { int } from './report-sql.js';

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
 *
 * One row per purchase, never a pass over its invoices or ledger: purchase_totals (kept by
 * triggers, checked by the verifier) holds what the purchase's invoices and balance counters sum to
 * now; `adj` subtracts what happened after the day (for a recent day, a short range of payments and
 * ledger entries) and the released visits by then. Named values :clinic, :dayEnd, :asOf.
 */
const FACTS_SQL = `
with adj as (
  -- Money received and returned after the day. Payments pay an invoice's plan first, then its extras
  -- (tips, charges), and the totals hold the plan part: what came after the day is the plan paid now
  -- less the plan paid by then (all of it for an invoice without extras).
  select i.purchase_id,
         ${PLAN_PAID('i')} - least(i.amount_paid - coalesce(sum(pm.amount) filter (where pm.amount > 0), 0), ${PLAN_TOTAL('i')}) as paid,
         coalesce(-sum(pm.amount) filter (where pm.amount < 0), 0) as refunded, 0 as left_visits, 0 as used_visits, 0 as used_value
  from payment pm join invoice i on i.id = pm.invoice_id
  where pm.clinic_id = :clinic and pm.created_at >= :dayEnd and not pm.voided and i.purchase_id is not null group by i.id
  union all
  -- Visits moved after the day: left (purchased and received less used and sent), used (redeemed less reversed, plus sent).
  select e.purchase_id, 0, 0, sum(e.visits), -sum(e.visits) filter (where e.type in ('redeemed', 'redemption_reversed', 'transferred_out')),
         -sum(e.visits * b.visit_value) filter (where e.type in ('redeemed', 'redemption_reversed', 'transferred_out'))
  from ledger_entry e join purchase_balance b on b.purchase_id = e.purchase_id and b.service_id = e.service_id
  where e.clinic_id = :clinic and e.created_at >= :dayEnd and e.type in ('purchased', 'transferred_in', 'redeemed', 'redemption_reversed', 'transferred_out')
  group by 1
  union all
  -- A released redemption keeps its visit consumed (not left) but not recognized: forfeited.
  select e.purchase_id, 0, 0, 0, sum(coalesce((e.details->>'quantity')::int, 0)), sum(coalesce((e.details->>'quantity')::int, 0) * b.visit_value)
  from ledger_entry e join purchase_balance b on b.purchase_id = e.purchase_id and b.service_id = e.service_id
  where e.clinic_id = :clinic and e.type = 'redemption_released' and e.created_at < :dayEnd group by 1),
-- As bigint: the arithmetic below runs on every purchase, and numeric's is several times slower.
a as (
  select purchase_id, sum(paid)::bigint as paid, sum(refunded)::bigint as refunded, sum(left_visits)::bigint as left_visits, sum(used_visits)::bigint as used_visits,
         sum(used_value)::bigint as used_value
  from adj group by 1),
facts as (
  select t.plan_id, t.kind, t.transfer_target,
         t.kind = 'package' and (coalesce(t.expires_on < :asOf, false) or coalesce(t.cancelled_at < :dayEnd, false)) as closed,
         t.amount_paid - coalesce(a.paid, 0) as paid, t.amount_refunded - coalesce(a.refunded, 0) as refunded, t.subtotal as sum_subtotals, t.total as sum_totals,
         case when t.kind = 'package' then t.used_visits - coalesce(a.used_visits, 0) else 0 end as used_visits,
         case when t.kind = 'package' then t.used_value - coalesce(a.used_value, 0) else 0 end as used_value,
         t.first_visit_extra, t.left_visits - coalesce(a.left_visits, 0) as left_visits
  from purchase_totals t left join a on a.purchase_id = t.purchase_id
  where t.clinic_id = :clinic and t.created_at < :dayEnd and (t.deleted_at is null or t.deleted_at >= :dayEnd)),
g as (
  select f.plan_id, f.kind, f.transfer_target, f.closed, f.paid, f.refunded, f.sum_subtotals, f.sum_totals, f.used_visits, f.used_value, f.first_visit_extra,
         sum(case when f.kind = 'package' and not f.closed then f.left_visits else 0 end) as unused_visits, count(*) as purchases
  from facts f
  group by f.plan_id, f.kind, f.transfer_target, f.closed, f.paid, f.refunded, f.sum_subtotals, f.sum_totals, f.used_visits, f.used_value, f.first_visit_extra)
select g.plan_id, pl.name as plan_name, g.kind, g.transfer_target, g.closed, g.paid, g.refunded, g.sum_subtotals, g.sum_totals,
       g.used_visits, g.used_value, g.first_visit_extra, g.unused_visits, g.purchases
from g join plan pl on pl.id = g.plan_id`;

/**
 * The instant the clinic's day `asOf` ends ("as of" = what happened before it), or null for no such
 * clinic; with two planner settings for the facts statement, local to their transaction:
 * - work_mem: the planner cannot know how many purchases share their facts and estimates up to one
 *   group per purchase. At 100,000 purchases that hash table passed 4 MB (× hash_mem_multiplier),
 *   and for any day whose adjustments it expected to be more than a few rows it sorted all 100,000
 *   rows by the 11 grouping columns instead (EXPLAIN ANALYZE: 240-580 ms against 60-90 ms hashed).
 *   The table really holds only the distinct facts (a handful to a few thousand rows).
 * - jit: compiling the expressions takes longer than the query runs; a plan for a day months back
 *   costs ~97,000, at the default jit_above_cost (100,000).
 */
// The day's end as text with its offset, so no driver's date conversion can move it.
const DAY_END_SQL = `select set_config('work_mem', '64MB', true) as work_mem, set_config('jit', 'off', true) as jit,
  ((?::date + 1)::timestamp at time zone timezone)::text as day_end from clinic where id = ?::uuid`;

export interface LiabilityFactsRow {
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

/** The purchases' facts as of the date, grouped (a test compares them with a pass over every row). */
export async function liabilityFacts(em: EntityManager, clinicId: string, asOf: IsoDate): Promise<LiabilityFactsRow[]> {
  return (await inFactsTransaction(em, clinicId, asOf, (tx, sql, params) => tx.execute<LiabilityFactsRow[]>(sql, params))) ?? [];
}

/** A plan node of EXPLAIN's JSON (the fields read here; Postgres gives many more). */
export interface PlanNode {
  'Node Type': string;
  Strategy?: string;
  'Partial Mode'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
  [field: string]: unknown;
}

/** EXPLAIN (ANALYZE, SETTINGS, FORMAT JSON) of one statement. */
export interface ExplainedStatement {
  Plan: PlanNode;
  'Planning Time': number;
  'Execution Time': number;
  /** The settings that differ from the server's defaults, as text. */
  Settings?: Record<string, string>;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS, SETTINGS) of the facts statement as the report runs it, as JSON
 * (Postgres's own; the benchmark prints its times, a test checks its settings); null for no such clinic.
 */
export async function explainLiabilityFacts(em: EntityManager, clinicId: string, asOf: IsoDate): Promise<ExplainedStatement | null> {
  return inFactsTransaction(em, clinicId, asOf, async (tx, sql, params) => {
    const [row] = await tx.execute<{ 'QUERY PLAN': ExplainedStatement[] }[]>(`explain (analyze, buffers, settings, format json) ${sql}`, params);
    return row['QUERY PLAN'][0];
  });
}

/** The facts statement with its values, run by `run` in the transaction that set its planner settings. */
async function inFactsTransaction<T>(em: EntityManager, clinicId: string, asOf: IsoDate, run: (tx: EntityManager, sql: string, params: unknown[]) => Promise<T>): Promise<T | null> {
  // One transaction: the settings hold for the facts statement, on the same connection.
  return em.transactional(async (tx) => {
    // The day's end as a value, not a join: the planner then sees how short the ranges after it are.
    const [day] = await tx.execute<{ day_end: string }[]>(DAY_END_SQL, [asOf, clinicId]);
    if (!day) return null;
    const named = { clinic: clinicId, dayEnd: day.day_end, asOf };
    const params: unknown[] = [];
    const sql = FACTS_SQL.replace(/:(clinic|dayEnd|asOf)\b/g, (_, name: keyof typeof named) => {
      params.push(named[name]);
      return name === 'clinic' ? '?::uuid' : name === 'dayEnd' ? '?::timestamptz' : '?::date';
    });
    return run(tx, sql, params);
  });
}

const EMPTY_ROW: LiabilityRow = { purchases: 0, ...ZERO_LIABILITY, unusedVisits: 0 };

/** GET /v1/reports/liability: one row per plan with a purchase made by `asOf`, and their totals. */
export async function liabilityReport(em: EntityManager, clinicId: string, asOf: IsoDate): Promise<LiabilityReport> {
  const rows = await liabilityFacts(em, clinicId, asOf);
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
