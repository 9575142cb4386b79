import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PLAN_PAID, PLAN_SUBTOTAL, PLAN_TOTAL } from '../invoices/plan-money-sql.js';

export interface VerifyCheck {
  name: string;
  violations: number;
  examples: string[];
}

export interface VerifyResult {
  clean: boolean;
  checks: VerifyCheck[];
}

/** How many offending rows each check quotes. */
const EXAMPLES = 5;

/**
 * Every check is one set-based query over the whole database whose rows are the violations,
 * each described by one `example` text. Money is never lost, never applied twice, never seen
 * by another clinic: these are the invariants that say so.
 */
const CHECKS: { name: string; description: string; sql: string }[] = [
  {
    name: 'balance_counters',
    description: 'package counters = sums of the ledger; membership counters 0 and usage per cycle in the ledger',
    sql: `
      with l as (
        select purchase_id, service_id,
               coalesce(sum(visits) filter (where type = 'purchased'), 0) as purchased,
               coalesce(-sum(visits) filter (where type in ('redeemed', 'redemption_reversed')), 0) as redeemed,
               coalesce(-sum(visits) filter (where type = 'transferred_out'), 0) as t_out,
               coalesce(sum(visits) filter (where type = 'transferred_in'), 0) as t_in,
               coalesce(sum(visits) filter (where type not in ('purchased', 'redeemed', 'redemption_reversed', 'transferred_out', 'transferred_in')), 0) as other,
               max((details->>'quantity')::numeric) filter (where type = 'purchased') as purchased_quantity,
               count(*) filter (where (type in ('redeemed', 'transferred_out') and visits >= 0) or (type in ('transferred_in', 'redemption_reversed') and visits <= 0) or (type = 'purchased' and visits < 0)) as wrong_sign,
               count(*) filter (where type in ('redeemed', 'redemption_reversed') and cycle_start is null) as redeemed_without_cycle
        from ledger_entry where service_id is not null group by purchase_id, service_id
      )
      select format('purchase %s (%s) service %s: balance total=%s used=%s transferredOut=%s transferredIn=%s; ledger purchased=%s redeemed=%s transferred_out=%s transferred_in=%s other=%s wrong_sign=%s',
                    p.id, p.kind, coalesce(b.service_id, l.service_id), b.total, b.used, b.transferred_out, b.transferred_in,
                    coalesce(l.purchased, 0), coalesce(l.redeemed, 0), coalesce(l.t_out, 0), coalesce(l.t_in, 0), coalesce(l.other, 0), coalesce(l.wrong_sign, 0)) as example
      from purchase_balance b
      full join l on l.purchase_id = b.purchase_id and l.service_id = b.service_id
      join purchase p on p.id = coalesce(b.purchase_id, l.purchase_id)
      where b.id is null
         or coalesce(l.wrong_sign, 0) > 0
         or coalesce(l.other, 0) <> 0
         or (p.kind = 'package' and (b.total <> coalesce(l.purchased, 0) or b.used <> coalesce(l.redeemed, 0)
                                     or b.transferred_out <> coalesce(l.t_out, 0) or b.transferred_in <> coalesce(l.t_in, 0)))
         or (p.kind = 'membership' and (b.used <> 0 or b.transferred_out <> 0 or b.transferred_in <> 0
                                        or coalesce(l.purchased, 0) <> 0 or coalesce(l.t_out, 0) <> 0 or coalesce(l.t_in, 0) <> 0
                                        or coalesce(l.redeemed_without_cycle, 0) > 0
                                        or (l.purchased_quantity is not null and b.total <> l.purchased_quantity)))`,
  },
  {
    name: 'balances_non_negative',
    description: 'no balance below 0; no membership cycle used beyond its allowance (twice it with rollover)',
    sql: `
      select format('purchase %s service %s: total=%s used=%s transferredOut=%s transferredIn=%s remaining=%s',
                    b.purchase_id, b.service_id, b.total, b.used, b.transferred_out, b.transferred_in,
                    b.total + b.transferred_in - b.used - b.transferred_out) as example
      from purchase_balance b
      where b.total < 0 or b.used < 0 or b.transferred_out < 0 or b.transferred_in < 0
         or b.total + b.transferred_in - b.used - b.transferred_out < 0
      union all
      select format('membership %s service %s cycle %s: %s visits used of %s per cycle', u.purchase_id, u.service_id, u.cycle_start, u.used, b.total)
      from (select purchase_id, service_id, cycle_start, -sum(visits) as used from ledger_entry
            where type in ('redeemed', 'redemption_reversed') and cycle_start is not null group by purchase_id, service_id, cycle_start) u
      join purchase p on p.id = u.purchase_id and p.kind = 'membership'
      join purchase_balance b on b.purchase_id = u.purchase_id and b.service_id = u.service_id
      where u.used > b.total * (case when p.rollover then 2 else 1 end)`,
  },
  {
    name: 'invoice_totals',
    description: "total = subtotal + taxTotal, subtotal = Σ lines' amount, taxTotal = Σ lines' taxes, coveredAmount = Σ lines' coveredAmount, amountPaid = Σ positive payments, amountRefunded = −Σ negative payments; a purchase invoice's extras = Σ its tip and charge lines (with taxes, and before), a service invoice's 0",
    sql: `
      with lines as (select invoice_id, sum(amount) as amount, sum(covered_amount) as covered, sum(taxes) as taxes,
                            sum(amount + taxes) filter (where kind in ('tip', 'charge')) as extras, sum(amount) filter (where kind in ('tip', 'charge')) as extras_sub
                     from (select invoice_id, kind, amount, covered_amount, (select coalesce(sum((t->>'amount')::bigint), 0) from jsonb_array_elements(taxes) t) as taxes
                           from invoice_line) x group by invoice_id),
           pay as (select invoice_id, sum(amount) filter (where amount > 0) as paid, -sum(amount) filter (where amount < 0) as refunded
                   from payment where not voided group by invoice_id)
      select format('invoice %s (number %s): total=%s subtotal=%s taxTotal=%s lines=%s line taxes=%s covered=%s lines covered=%s amountPaid=%s payments=%s amountRefunded=%s refunds=%s extras=%s/%s tip and charge lines=%s/%s',
                    i.id, i.number, i.total, i.subtotal, i.tax_total, coalesce(l.amount, 0), coalesce(l.taxes, 0), i.covered_amount, coalesce(l.covered, 0),
                    i.amount_paid, coalesce(p.paid, 0), i.amount_refunded, coalesce(p.refunded, 0), i.extras_total, i.extras_subtotal, coalesce(l.extras, 0), coalesce(l.extras_sub, 0)) as example
      from invoice i
      left join lines l on l.invoice_id = i.id
      left join pay p on p.invoice_id = i.id
      where i.total <> i.subtotal + i.tax_total or i.subtotal <> coalesce(l.amount, 0) or i.tax_total <> coalesce(l.taxes, 0) or i.covered_amount <> coalesce(l.covered, 0)
         or i.amount_paid <> coalesce(p.paid, 0) or i.amount_refunded <> coalesce(p.refunded, 0)
         or (i.kind = 'service' and (i.extras_total <> 0 or i.extras_subtotal <> 0))
         or (i.kind <> 'service' and (i.extras_total <> coalesce(l.extras, 0) or i.extras_subtotal <> coalesce(l.extras_sub, 0)))`,
  },
  {
    name: 'instalment_taxes',
    description: "a package's instalments: each tax code of their plan lines, at one rate, adds up to that tax of the whole price (round half up), to the cent",
    sql: `
      with t as (
        select i.purchase_id, x.code, min(x."rateMilliPercent") as rate, max(x."rateMilliPercent") as rate_max, sum(x.amount) as amount
        from invoice i join invoice_line l on l.invoice_id = i.id
        cross join lateral jsonb_to_recordset(l.taxes) as x(code text, "rateMilliPercent" bigint, amount bigint)
        where i.kind = 'installment' and l.kind = 'plan' group by i.purchase_id, x.code
      )
      select format('purchase %s: %s at %s..%s thousandths of a percent, instalments %s, whole price %s taxed %s',
                    p.id, t.code, t.rate, t.rate_max, t.amount, p.price, floor((p.price::numeric * t.rate + 50000) / 100000)) as example
      from t join purchase p on p.id = t.purchase_id
      where t.rate <> t.rate_max or t.amount <> floor((p.price::numeric * t.rate + 50000) / 100000)`,
  },
  {
    name: 'invoice_status',
    description: 'paid and written_off ⇔ balanceDue = 0 (a void invoice excepted; an open one may owe 0 only while it bills nothing); only a written-off instalment has an amount written off; never a negative balance due',
    sql: `
      select format('invoice %s (number %s): status=%s total=%s covered=%s paid=%s writtenOff=%s balanceDue=%s voidedAt=%s',
                    i.id, i.number, i.status, i.total, i.covered_amount, i.amount_paid, i.amount_written_off,
                    i.total - i.covered_amount - i.amount_paid - i.amount_written_off, i.voided_at) as example
      from invoice i
      where i.status not in ('open', 'paid', 'void', 'written_off')
         or (i.status = 'void') <> (i.voided_at is not null)
         or (i.amount_written_off <> 0 and (i.status <> 'written_off' or i.kind <> 'installment'))
         or (i.status <> 'void' and i.total - i.covered_amount - i.amount_paid - i.amount_written_off < 0)
         or (i.status in ('paid', 'written_off') and i.total - i.covered_amount - i.amount_paid - i.amount_written_off <> 0)
         or (i.status = 'open' and i.total - i.covered_amount - i.amount_paid - i.amount_written_off = 0 and i.total <> 0)`,
  },
  {
    name: 'line_redemptions',
    description: 'a covered line names the succeeded redemption that covered it; no line covered twice',
    sql: `
      select format('line %s of invoice %s: redemption command %s (%s %s), purchase %s, coveredAmount %s of %s',
                    l.id, l.invoice_id, l.redemption_command_id, c.type, c.status, l.redemption_purchase_id, l.covered_amount, l.amount) as example
      from invoice_line l
      left join command c on c.id = l.redemption_command_id
      where (l.redemption_command_id is null) <> (l.redemption_purchase_id is null)
         or (l.redemption_command_id is null and (l.covered_amount <> 0 or l.redemption_payment_id is not null))
         or l.covered_amount < 0 or l.covered_amount > l.amount
         or (l.redemption_command_id is not null and (
               c.id is null or c.type <> 'redemption' or c.status <> 'succeeded'
               or (c.result->>'lineId') is distinct from l.id::text
               or (c.result->>'purchaseId') is distinct from l.redemption_purchase_id::text
               or (c.result->>'coveredAmount')::numeric is distinct from l.covered_amount
               or (c.result->>'paymentId') is distinct from l.redemption_payment_id::text))
      union all
      select format('line %s is named by %s succeeded redemptions: %s', d.line_id, d.n, d.ids)
      from (select result->>'lineId' as line_id, count(*) as n, string_agg(id::text, ', ') as ids from command
            where type = 'redemption' and status = 'succeeded'
              and not exists (select 1 from ledger_entry g where g.effect_key = command.id::text || ':given_back')
            group by 1 having count(*) > 1) d`,
  },
  {
    name: 'succeeded_command_effects',
    description: 'every succeeded command has exactly its effects (redemption: entry + covered line; refund: negative payments = result.amount; transfer: two entries; cancellation: a cancelled entry; extension, pause, resume: their one history entry on the purchase)',
    sql: `
      with le as (
        select command_id, count(*) as n,
               count(*) filter (where type = 'redeemed') as redeemed,
               count(*) filter (where type = 'refunded') as refunded,
               count(*) filter (where type = 'cancelled') as cancelled,
               count(*) filter (where type = 'transferred_out') as t_out,
               count(*) filter (where type = 'transferred_in') as t_in,
               -sum(amount) filter (where type = 'refunded') as refunded_amount,
               -sum(visits) filter (where type = 'transferred_out') as out_visits,
               sum(visits) filter (where type = 'transferred_in') as in_visits,
               -sum(visits) filter (where type = 'redeemed') as redeemed_visits,
               min(purchase_id::text) filter (where type in ('redeemed', 'refunded', 'transferred_out')) as purchase_id,
               min(purchase_id::text) filter (where type = 'transferred_in') as target_id,
               count(*) filter (where type in ('redemption_reversed', 'redemption_released')) as given_back,
               sum(visits) filter (where type = 'redemption_reversed') as reversed_visits,
               min(type) filter (where type in ('extended', 'paused', 'resumed')) as marked,
               min(purchase_id::text) filter (where type in ('extended', 'paused', 'resumed')) as marked_purchase_id
        from ledger_entry where command_id is not null group by command_id),
      gb as (
        select (details->>'redemptionId')::uuid as command_id, count(*) as n from ledger_entry
        where type in ('redemption_reversed', 'redemption_released') group by 1),
      pay as (
        select command_id, count(*) as n, count(*) filter (where amount > 0) as positive,
               -sum(amount) filter (where amount < 0) as refunded, count(*) filter (where method = 'package_credit') as credit,
               min(id::text) filter (where method = 'package_credit') as credit_id
        from payment where command_id is not null group by command_id),
      ln as (select redemption_command_id as command_id, count(*) as n from invoice_line where redemption_command_id is not null group by 1)
      select format('%s command %s: ledger entries %s (redeemed %s, refunded %s, cancelled %s, out %s, in %s), payments %s (refunded %s), covered lines %s; result %s',
                    c.type, c.id, coalesce(le.n, 0), coalesce(le.redeemed, 0), coalesce(le.refunded, 0), coalesce(le.cancelled, 0),
                    coalesce(le.t_out, 0), coalesce(le.t_in, 0), coalesce(pay.n, 0), coalesce(pay.refunded, 0), coalesce(ln.n, 0), c.result::text) as example
      from command c
      left join le on le.command_id = c.id
      left join pay on pay.command_id = c.id
      left join ln on ln.command_id = c.id
      left join gb on gb.command_id = c.id
      where c.status = 'succeeded' and (
        (c.type = 'redemption' and (
            coalesce(le.n, 0) <> 1 or coalesce(le.redeemed, 0) <> 1 or coalesce(gb.n, 0) > 1 or coalesce(ln.n, 0) <> 1 - coalesce(gb.n, 0)
            or le.purchase_id is distinct from c.result->>'purchaseId'
            or le.redeemed_visits::text is distinct from c.result->>'quantity'
            or coalesce(pay.n, 0) <> coalesce(pay.credit, 0) or coalesce(pay.n, 0) > 1
            or pay.credit_id is distinct from c.result->>'paymentId'))
        or (c.type = 'refund' and (
            coalesce(le.refunded, 0) <> 1 or coalesce(le.cancelled, 0) > 1 or coalesce(le.n, 0) <> 1 + coalesce(le.cancelled, 0)
            or (coalesce(le.cancelled, 0) = 1) <> coalesce((c.result->>'cancelled')::boolean, false)
            or coalesce(pay.positive, 0) <> 0 or coalesce(ln.n, 0) <> 0
            or coalesce(pay.refunded, 0) <> (c.result->>'amount')::numeric
            or coalesce(le.refunded_amount, 0) <> (c.result->>'amount')::numeric
            or le.purchase_id is distinct from c.result->>'purchaseId'))
        or (c.type = 'transfer' and (
            coalesce(le.n, 0) <> 2 or coalesce(le.t_out, 0) <> 1 or coalesce(le.t_in, 0) <> 1 or coalesce(pay.n, 0) <> 0 or coalesce(ln.n, 0) <> 0
            or le.out_visits::text is distinct from c.result->>'quantity' or le.in_visits::text is distinct from c.result->>'quantity'
            or le.purchase_id is distinct from c.result->>'purchaseId' or le.target_id is distinct from c.result->>'targetPurchaseId'))
        or (c.type = 'cancellation' and (
            coalesce(le.n, 0) <> 1 or coalesce(le.cancelled, 0) <> 1 or coalesce(pay.n, 0) <> 0 or coalesce(ln.n, 0) <> 0))
        or (c.type = 'reversal' and (
            coalesce(le.n, 0) <> 1 or coalesce(le.given_back, 0) <> 1 or coalesce(pay.n, 0) <> 0 or coalesce(ln.n, 0) <> 0
            or le.reversed_visits::text is distinct from c.result->>'quantity' or le.purchase_id is not null))
        or (c.type in ('invoice_void', 'appointment_cancellation') and (
            coalesce(le.n, 0) <> coalesce(le.given_back, 0) or coalesce(pay.n, 0) <> 0 or coalesce(ln.n, 0) <> 0
            or coalesce(le.given_back, 0) <> jsonb_array_length(coalesce(c.result->'redemptions', '[]'::jsonb))))
        or (c.type in ('extension', 'pause', 'resume') and (
            coalesce(le.n, 0) <> 1 or le.marked is distinct from (case c.type when 'extension' then 'extended' when 'pause' then 'paused' else 'resumed' end)
            or coalesce(pay.n, 0) <> 0 or coalesce(ln.n, 0) <> 0
            or le.marked_purchase_id is distinct from c.result->>'purchaseId'))
        or (c.type = 'invoice_refund' and (
            coalesce(le.n, 0) <> 0 or coalesce(pay.n, 0) <> 1 or coalesce(pay.positive, 0) <> 0 or coalesce(ln.n, 0) <> 0
            or coalesce(pay.refunded, 0) <> (c.result->>'amount')::numeric)))`,
  },
  {
    name: 'unsucceeded_command_effects',
    description: 'a rejected, failed or unfinished command has no effect (no ledger entry, payment or covered line names it)',
    sql: `
      select format('%s command %s is %s but named by %s ledger entries, %s payments, %s lines', c.type, c.id, c.status,
                    (select count(*) from ledger_entry e where e.command_id = c.id),
                    (select count(*) from payment p where p.command_id = c.id),
                    (select count(*) from invoice_line l where l.redemption_command_id = c.id)) as example
      from command c
      where c.status <> 'succeeded' and c.type <> 'reconciliation'
        and (exists (select 1 from ledger_entry e where e.command_id = c.id)
             or exists (select 1 from payment p where p.command_id = c.id)
             or exists (select 1 from invoice_line l where l.redemption_command_id = c.id))`,
  },
  {
    name: 'effects_without_command',
    description: 'ledger entries other than purchased/cycle_started/expired, refunds and package-credit payments name a command that exists',
    sql: `
      select format('ledger entry %s (%s) of purchase %s names command %s', e.id, e.type, e.purchase_id, coalesce(e.command_id::text, 'none')) as example
      from ledger_entry e
      left join command c on c.id = e.command_id
      where (e.command_id is not null and c.id is null)
         or (e.command_id is null and e.type not in ('purchased', 'cycle_started', 'expired'))
      union all
      select format('payment %s of %s (%s) on invoice %s names command %s', p.id, p.amount, p.method, p.invoice_id, coalesce(p.command_id::text, 'none'))
      from payment p
      left join command c on c.id = p.command_id
      where (p.command_id is not null and c.id is null)
         or (p.command_id is null and (p.amount < 0 or p.method = 'package_credit'))`,
  },
  {
    name: 'invoice_numbers',
    description: "every clinic's invoice numbers are 1..n without a gap, and clinic.invoice_seq = n",
    sql: `
      select format('clinic %s: %s invoices, %s distinct numbers from %s to %s, invoice_seq %s', c.id, coalesce(i.n, 0), coalesce(i.d, 0), i.lo, i.hi, c.invoice_seq) as example
      from clinic c
      left join (select clinic_id, count(*) as n, count(distinct number) as d, min(number) as lo, max(number) as hi from invoice group by clinic_id) i
        on i.clinic_id = c.id
      where coalesce(i.n, 0) <> c.invoice_seq or coalesce(i.hi, 0) <> c.invoice_seq or coalesce(i.d, 0) <> coalesce(i.n, 0) or coalesce(i.lo, 1) <> 1`,
  },
  {
    name: 'purchase_money',
    description: "per purchase: Σ refunded ≤ Σ plan money paid (and per invoice); refunded ledger amounts = negative payments on its invoices; invoices (their plan lines) and ledger bill the price",
    sql: `
      with inv as (
        select purchase_id, count(*) as n, sum(${PLAN_PAID('invoice')}) as paid, sum(amount_refunded) as refunded,
               -- the price is before tax: the package's invoices bill it in their plan lines' subtotals
               sum(${PLAN_SUBTOTAL('invoice')}) filter (where kind in ('package', 'installment')) as package_total
        from invoice where purchase_id is not null group by purchase_id),
      neg as (
        select i.purchase_id, -sum(p.amount) as refunded from payment p join invoice i on i.id = p.invoice_id
        where p.amount < 0 and i.purchase_id is not null group by i.purchase_id),
      led as (
        select purchase_id, coalesce(-sum(amount) filter (where type = 'refunded'), 0) as refunded,
               coalesce(sum(amount) filter (where type = 'purchased'), 0) as purchased,
               coalesce(sum(amount) filter (where type not in ('refunded', 'purchased')), 0) as other
        from ledger_entry group by purchase_id)
      select format('purchase %s (%s, price %s): paid %s, refunded on invoices %s, refund payments %s, refunded in ledger %s, purchased in ledger %s, package invoices %s',
                    p.id, p.kind, p.price, coalesce(inv.paid, 0), coalesce(inv.refunded, 0), coalesce(neg.refunded, 0),
                    coalesce(led.refunded, 0), coalesce(led.purchased, 0), coalesce(inv.package_total, 0)) as example
      from purchase p
      left join inv on inv.purchase_id = p.id
      left join neg on neg.purchase_id = p.id
      left join led on led.purchase_id = p.id
      where coalesce(inv.refunded, 0) > coalesce(inv.paid, 0)
         or coalesce(led.refunded, 0) <> coalesce(neg.refunded, 0)
         or coalesce(led.refunded, 0) <> coalesce(inv.refunded, 0)
         or coalesce(led.other, 0) <> 0
         or (p.source_purchase_id is null and coalesce(led.purchased, 0) <> p.price)
         or (p.source_purchase_id is null and p.kind = 'package' and coalesce(inv.package_total, 0) <> p.price)
         or (p.source_purchase_id is not null and (p.price <> 0 or coalesce(inv.n, 0) <> 0 or coalesce(led.purchased, 0) <> 0))
      union all
      select format('invoice %s: refunded %s of %s paid (%s for the plan)', i.id, i.amount_refunded, i.amount_paid, ${PLAN_PAID('i')})
      from invoice i where i.amount_refunded > ${PLAN_PAID('i')}
      union all
      select format('payment %s of %s on invoice %s, which belongs to no purchase', p.id, p.amount, p.invoice_id)
      from payment p join invoice i on i.id = p.invoice_id
      where p.amount < 0 and i.purchase_id is null
        and not exists (select 1 from command c where c.id = p.command_id and c.type = 'invoice_refund')`,
  },
  {
    name: 'clinic_isolation',
    description: 'every row that refers to another refers to one of the same clinic (and a redemption to the same patient)',
    sql: `
      select format('purchase %s of clinic %s: patient of clinic %s, plan of clinic %s', p.id, p.clinic_id, pa.clinic_id, pl.clinic_id) as example
      from purchase p join patient pa on pa.id = p.patient_id join plan pl on pl.id = p.plan_id
      where pa.clinic_id <> p.clinic_id or pl.clinic_id <> p.clinic_id
      union all
      select format('purchase %s of clinic %s made by transfer from purchase %s of clinic %s', p.id, p.clinic_id, s.id, s.clinic_id)
      from purchase p join purchase s on s.id = p.source_purchase_id where s.clinic_id <> p.clinic_id
      union all
      select format('balance %s of purchase %s (clinic %s) for service %s of clinic %s', b.id, p.id, p.clinic_id, s.id, s.clinic_id)
      from purchase_balance b join purchase p on p.id = b.purchase_id join service s on s.id = b.service_id where s.clinic_id <> p.clinic_id
      union all
      select format('ledger entry %s of clinic %s on purchase %s of clinic %s', e.id, e.clinic_id, p.id, p.clinic_id)
      from ledger_entry e join purchase p on p.id = e.purchase_id where e.clinic_id <> p.clinic_id
      union all
      select format('ledger entry %s of clinic %s names command %s of clinic %s', e.id, e.clinic_id, c.id, c.clinic_id)
      from ledger_entry e join command c on c.id = e.command_id where e.clinic_id <> c.clinic_id
      union all
      select format('ledger entry %s of clinic %s names invoice %s of clinic %s', e.id, e.clinic_id, i.id, i.clinic_id)
      from ledger_entry e join invoice i on i.id = e.invoice_id where e.clinic_id <> i.clinic_id
      union all
      select format('ledger entry %s of clinic %s by key %s of clinic %s', e.id, e.clinic_id, k.id, k.clinic_id)
      from ledger_entry e join api_key k on k.id = e.by_key_id where e.clinic_id <> k.clinic_id
      union all
      select format('invoice %s of clinic %s: patient of clinic %s', i.id, i.clinic_id, pa.clinic_id)
      from invoice i join patient pa on pa.id = i.patient_id where pa.clinic_id <> i.clinic_id
      union all
      select format('invoice %s of clinic %s (patient %s) for purchase %s of clinic %s (patient %s)', i.id, i.clinic_id, i.patient_id, p.id, p.clinic_id, p.patient_id)
      from invoice i join purchase p on p.id = i.purchase_id where p.clinic_id <> i.clinic_id or p.patient_id <> i.patient_id
      union all
      select format('line %s of invoice %s (clinic %s) bills service %s of clinic %s', l.id, i.id, i.clinic_id, s.id, s.clinic_id)
      from invoice_line l join invoice i on i.id = l.invoice_id join service s on s.id = l.service_id where s.clinic_id <> i.clinic_id
      union all
      select format('line %s of invoice %s (clinic %s, patient %s) redeemed from purchase %s (clinic %s, patient %s)', l.id, i.id, i.clinic_id, i.patient_id, p.id, p.clinic_id, p.patient_id)
      from invoice_line l join invoice i on i.id = l.invoice_id join purchase p on p.id = l.redemption_purchase_id
      where p.clinic_id <> i.clinic_id or p.patient_id <> i.patient_id
      union all
      select format('payment %s of clinic %s on invoice %s of clinic %s', p.id, p.clinic_id, i.id, i.clinic_id)
      from payment p join invoice i on i.id = p.invoice_id where p.clinic_id <> i.clinic_id
      union all
      select format('payment %s of clinic %s names command %s of clinic %s', p.id, p.clinic_id, c.id, c.clinic_id)
      from payment p join command c on c.id = p.command_id where p.clinic_id <> c.clinic_id
      union all
      select format('command %s of clinic %s requested by key %s of clinic %s', c.id, c.clinic_id, k.id, k.clinic_id)
      from command c join api_key k on k.id = c.requested_by_key_id where k.clinic_id <> c.clinic_id
      union all
      select format('idempotency key %s of clinic %s names command %s of clinic %s', r.id, r.clinic_id, c.id, c.clinic_id)
      from idempotency_record r join command c on c.id = r.command_id where r.clinic_id <> c.clinic_id
      union all
      select format('patient %s of clinic %s in family %s of clinic %s', pa.id, pa.clinic_id, f.id, f.clinic_id)
      from patient pa join family f on f.id = pa.family_id where f.clinic_id <> pa.clinic_id
      union all
      select format('appointment %s of clinic %s: patient of clinic %s, service of clinic %s', a.id, a.clinic_id, pa.clinic_id, s.clinic_id)
      from appointment a join patient pa on pa.id = a.patient_id join service s on s.id = a.service_id
      where pa.clinic_id <> a.clinic_id or s.clinic_id <> a.clinic_id
      union all
      select format('booking %s of clinic %s: appointment of clinic %s, invoice of clinic %s', b.id, b.clinic_id, a.clinic_id, i.clinic_id)
      from booking b join appointment a on a.id = b.appointment_id join invoice i on i.id = b.invoice_id
      where a.clinic_id <> b.clinic_id or i.clinic_id <> b.clinic_id`,
  },
  {
    name: 'liability_identity',
    description: "packages: visit values add up to the price; an active one's outstanding (paid − refunded − recognized, before tax) is at most what its visits left are worth, and, with nothing refunded, at least minus the first visit's remainder",
    // recognized: visits used (redeemed less reversed and released, plus sent) × value, the remainder on the
    // first; money from the payment rows (the plan part of each invoice's), before tax by Σ plan subtotals ÷ Σ plan totals, half up (all terms ≥ 0).
    sql: `
      with pay as (
        select i.purchase_id, ${PLAN_TOTAL('i')} as plan_total, coalesce(sum(pm.amount) filter (where pm.amount > 0), 0) as paid, coalesce(-sum(pm.amount) filter (where pm.amount < 0), 0) as refunded
        from payment pm join invoice i on i.id = pm.invoice_id where i.purchase_id is not null and not pm.voided group by i.id),
      -- Payments pay the plan first: the plan's money is at most its lines' total, per invoice.
      money as (select purchase_id, sum(least(paid, plan_total)) as paid, sum(refunded) as refunded from pay group by 1),
      inv as (select purchase_id, sum(${PLAN_SUBTOTAL('invoice')}) as sub, sum(${PLAN_TOTAL('invoice')}) as tot from invoice where purchase_id is not null and status <> 'void' group by 1),
      vis as (
        select purchase_id, service_id,
               coalesce(-sum(visits) filter (where type in ('redeemed', 'redemption_reversed', 'transferred_out')), 0)
               - coalesce(sum((details->>'quantity')::int) filter (where type = 'redemption_released'), 0) as used
        from ledger_entry where service_id is not null group by 1, 2),
      pk as (
        select p.id, p.price, p.status, p.first_visit_extra as extra,
               sum(b.total * b.visit_value) + p.first_visit_extra as visits_value,
               sum(coalesce(v.used, 0)) as used, sum(coalesce(v.used, 0) * b.visit_value) as used_value,
               sum((b.total + b.transferred_in - b.used - b.transferred_out) * b.visit_value) as left_value
        from purchase p join purchase_balance b on b.purchase_id = p.id
        left join vis v on v.purchase_id = b.purchase_id and v.service_id = b.service_id
        where p.kind = 'package' and p.source_purchase_id is null group by p.id),
      l as (
        select pk.*,
               case when coalesce(inv.tot, 0) = 0 then coalesce(m.paid, 0) else div(2 * coalesce(m.paid, 0)::numeric * inv.sub + inv.tot, 2 * inv.tot::numeric) end
               - case when coalesce(inv.tot, 0) = 0 then coalesce(m.refunded, 0) else div(2 * coalesce(m.refunded, 0)::numeric * inv.sub + inv.tot, 2 * inv.tot::numeric) end
               - case when pk.used > 0 then pk.used_value + pk.extra else 0 end as outstanding,
               coalesce(m.refunded, 0) as refunded
        from pk left join money m on m.purchase_id = pk.id left join inv on inv.purchase_id = pk.id)
      select format('package %s (%s, price %s): visits worth %s; outstanding %s with %s left in visits (first-visit remainder %s, %s used)',
                    l.id, l.status, l.price, l.visits_value, l.outstanding, l.left_value, l.extra, l.used) as example
      from l
      where l.visits_value <> l.price
         or (l.status in ('active', 'exhausted')
             -- A refund may give back more than the unused visits are worth (billing may set its amount),
             -- so only a package nothing was refunded on must not have used more than it was paid for.
             and (l.outstanding > l.left_value + case when l.used = 0 then l.extra else 0 end or (l.refunded = 0 and l.outstanding < -(l.extra + 1))))`,
  },
  {
    name: 'liability_totals',
    description: "a purchase's running totals (kept by triggers for the liability report) = what they summarize: the purchase's fields, its first cancellation, Σ of its invoices' plan parts (paid, refunded; total and subtotal of those not void) and of its balance counters",
    sql: `
      with s as (
        select p.id as purchase_id, p.clinic_id, p.plan_id, p.kind, p.created_at, p.deleted_at, p.expires_on, p.source_purchase_id is not null as transfer_target, p.first_visit_extra,
               (select min(e.created_at) from ledger_entry e where e.purchase_id = p.id and e.type = 'cancelled') as cancelled_at,
               coalesce(i.paid, 0) as amount_paid, coalesce(i.refunded, 0) as amount_refunded, coalesce(i.total, 0) as total, coalesce(i.subtotal, 0) as subtotal,
               coalesce(b.left_visits, 0) as left_visits, coalesce(b.used_visits, 0) as used_visits, coalesce(b.used_value, 0) as used_value
        from purchase p
        left join (select purchase_id, sum(${PLAN_PAID('invoice')}) as paid, sum(amount_refunded) as refunded, sum(${PLAN_TOTAL('invoice')}) filter (where status <> 'void') as total,
                          sum(${PLAN_SUBTOTAL('invoice')}) filter (where status <> 'void') as subtotal
                   from invoice where purchase_id is not null group by 1) i on i.purchase_id = p.id
        left join (select purchase_id, sum(total + transferred_in - used - transferred_out) as left_visits, sum(used + transferred_out) as used_visits,
                          sum((used + transferred_out) * visit_value) as used_value
                   from purchase_balance group by 1) b on b.purchase_id = p.id)
      select format('purchase %s: totals %s; it sums to %s', coalesce(s.purchase_id, t.purchase_id),
                    (t.clinic_id, t.plan_id, t.kind, t.created_at, t.deleted_at, t.expires_on, t.transfer_target, t.first_visit_extra, t.cancelled_at,
                     t.amount_paid, t.amount_refunded, t.total, t.subtotal, t.left_visits, t.used_visits, t.used_value),
                    (s.clinic_id, s.plan_id, s.kind, s.created_at, s.deleted_at, s.expires_on, s.transfer_target, s.first_visit_extra, s.cancelled_at,
                     s.amount_paid, s.amount_refunded, s.total, s.subtotal, s.left_visits, s.used_visits, s.used_value)) as example
      from purchase_totals t full join s on s.purchase_id = t.purchase_id
      where (t.clinic_id, t.plan_id, t.kind, t.created_at, t.deleted_at, t.expires_on, t.transfer_target, t.first_visit_extra, t.cancelled_at,
             t.amount_paid, t.amount_refunded, t.total, t.subtotal, t.left_visits, t.used_visits, t.used_value)
            is distinct from
            (s.clinic_id, s.plan_id, s.kind, s.created_at, s.deleted_at, s.expires_on, s.transfer_target, s.first_visit_extra, s.cancelled_at,
             s.amount_paid, s.amount_refunded, s.total, s.subtotal, s.left_visits, s.used_visits, s.used_value)`,
  },
];

/** The checks' names and what each asserts, in the order they run. */
export const VERIFY_CHECKS: readonly { name: string; description: string }[] = CHECKS.map(({ name, description }) => ({ name, description }));

/**
 * Checks the whole database against the ledger's invariants, in SQL (one set-based query per
 * check). Runs in one repeatable-read snapshot, so a live system's commits in between cannot
 * show half of a command; inside a caller's transaction it uses that one.
 */
export async function verifyLedger(em: EntityManager): Promise<VerifyResult> {
  const run = async (tx: EntityManager): Promise<VerifyResult> => {
    const checks: VerifyCheck[] = [];
    for (const check of CHECKS) {
      const rows = await tx.execute<{ violations: number | string; examples: string[] | null }[]>(
        `with v as (${check.sql})
         select (select count(*) from v) as violations,
                (select array_agg(example) from (select example from v order by example limit ${EXAMPLES}) s) as examples`,
      );
      const row = rows[0];
      checks.push({ name: check.name, violations: Number(row?.violations ?? 0), examples: row?.examples ?? [] });
    }
    return { clean: checks.every((c) => c.violations === 0), checks };
  };
  if (em.isInTransaction()) return run(em);
  return em.fork().transactional(run, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
}

/** The result as a table, with the examples of every failing check under it. */
export function formatVerifyReport(result: VerifyResult): string {
  const nameWidth = Math.max('check'.length, ...result.checks.map((c) => c.name.length));
  const countWidth = Math.max('violations'.length, ...result.checks.map((c) => String(c.violations).length));
  const line = (name: string, count: string, status: string) => `${name.padEnd(nameWidth)}  ${count.padStart(countWidth)}  ${status}`;
  const out = [line('check', 'violations', 'status'), line('-'.repeat(nameWidth), '-'.repeat(countWidth), '------')];
  for (const check of result.checks) out.push(line(check.name, String(check.violations), check.violations === 0 ? 'ok' : 'FAIL'));
  for (const check of result.checks.filter((c) => c.violations > 0)) {
    out.push('', `${check.name}: ${check.violations} violation(s), for example:`);
    for (const example of check.examples) out.push(`  - ${example}`);
  }
  const failing = result.checks.filter((c) => c.violations > 0).length;
  out.push('', result.clean ? `ledger clean: ${result.checks.length} checks passed` : `ledger DIRTY: ${failing} of ${result.checks.length} checks failed`);
  return out.join('\n');
}
