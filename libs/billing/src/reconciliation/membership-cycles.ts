import { addDays, cycleAt, cycleStartsFrom, type BillingInterval, type IsoDate } from '../domain/dates.js';
import { unpausedCycleStarts, type PausedCycle } from '../domain/pause.js';
import { initialStatus } from '../domain/invoice.js';
import { taxRatesFor, type ClinicTax } from '../domain/tax-settings.js';
import type { TaxRate } from '../domain/taxes.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../entities/base.js';
import { nextInvoiceNumbers } from '../invoices/invoice-numbers.js';
import { membershipInvoiceDraft } from '../sales/create-purchase.js';
import { BATCH_SIZE, CYCLES_PER_TRANSACTION, placeholders } from './batches.js';
import { rerunDeadlocked } from '../database/deadlocks.js';

interface MembershipRow {
  id: string;
  patient_id: string;
  plan_name: string;
  price: number;
  start_date: IsoDate;
  billing_interval: BillingInterval;
  cancel_at: IsoDate | null;
  paused_cycles: PausedCycle[];
  /** The plan's tax codes as they are now (billing-rules.md "Taxes": a cycle uses the rates of its billing day). */
  tax_codes: string[];
}

interface Billed {
  purchase_id: string;
  n: number;
  last: IsoDate;
}

interface Missing {
  row: MembershipRow;
  start: IsoDate;
}

/**
 * Every cycle of every active membership that starts on or before `asOf` (and before a scheduled
 * cancellation) gets its own invoice, due on the cycle's start. The batch's purchases are
 * locked first, so two runs at once wait for each other and the second finds the invoices
 * made; the unique (purchase, cycle start) index would refuse a duplicate anyway.
 *
 * Memory and transactions stay bounded whatever `asOf` is: one transaction bills at most
 * CYCLES_PER_TRANSACTION cycles; a membership further behind is resumed by the next one,
 * which reads what is billed from the database again.
 */
export async function billMembershipCycles(
  em: EntityManager,
  clinicId: string,
  asOf: IsoDate,
  commandId: string | null,
  onBatch: (done: { purchases: number; invoicesCreated: number }) => Promise<void>,
): Promise<{ purchases: number; invoicesCreated: number }> {
  let after = '00000000-0000-0000-0000-000000000000';
  let purchases = 0;
  let invoicesCreated = 0;
  for (;;) {
    const batch = await rerunDeadlocked(() => em.fork().transactional(async (tx) => {
      const rows = await tx.execute<MembershipRow[]>(
        `select p.id, p.patient_id, p.plan_name, p.price, p.start_date::text as start_date, p.billing_interval, p.cancel_at::text as cancel_at, p.paused_cycles,
                pl.tax_codes
           from purchase p join plan pl on pl.id = p.plan_id
          where p.clinic_id = ? and p.kind = 'membership' and p.status = 'active' and p.deleted_at is null and p.start_date <= ? and p.id > ?
          order by p.id limit ? for update of p`,
        [clinicId, asOf, after, BATCH_SIZE],
      );
      if (rows.length === 0) return null;
      // How many cycles each has and the latest: one row per purchase, however many invoices.
      // Paused cycles are left out of both (pause.ts): they are never billed.
      const billed = await tx.execute<Billed[]>(
        `select i.purchase_id, count(*)::int as n, max(i.cycle_start)::text as last
           from invoice i join purchase p on p.id = i.purchase_id
          where i.kind = 'membership' and i.purchase_id in (${placeholders(rows.length)})
            and not exists (select 1 from jsonb_array_elements(p.paused_cycles) c where (c->>'start')::date = i.cycle_start)
          group by i.purchase_id`,
        rows.map((r) => r.id),
      );
      const billedBy = new Map(billed.map((b) => [b.purchase_id, b]));
      const missing: Missing[] = [];
      let finished = 0;
      for (const row of rows) {
        const budget = CYCLES_PER_TRANSACTION - missing.length;
        if (budget === 0) break;
        // A cancellation at the end of a cycle: nothing from cancelAt on is billed.
        const lastDay = row.cancel_at && row.cancel_at <= asOf ? addDays(row.cancel_at, -1) : asOf;
        const due = await missingCycles(tx, row, billedBy.get(row.id), lastDay, budget + 1);
        missing.push(...due.slice(0, budget).map((start) => ({ row, start })));
        if (due.length > budget) break; // more to bill: the next transaction resumes this purchase
        finished += 1;
      }
      if (missing.length > 0) await insertCycleInvoices(tx, clinicId, commandId, missing, await clinicTaxes(tx, clinicId, missing));
      return { last: finished > 0 ? rows[finished - 1].id : null, finished, created: missing.length };
    }));
    if (!batch) break;
    if (batch.last) after = batch.last;
    purchases += batch.finished;
    invoicesCreated += batch.created;
    await onBatch({ purchases, invoicesCreated });
  }
  return { purchases, invoicesCreated };
}

/**
 * Up to `limit` unbilled cycle starts of a membership up to `lastDay`, oldest first. Cycles are
 * billed oldest first, so usually the billed ones are cycles 0..k and the rest follow k; only
 * when that is not so (a gap) are the billed starts read, one bounded window at a time.
 */
async function missingCycles(tx: EntityManager, row: MembershipRow, billed: Billed | undefined, lastDay: IsoDate, limit: number): Promise<IsoDate[]> {
  // A paused cycle is never billed (billing-rules.md "Pausing a membership"): left out of what is due, and
  // counted as done when telling whether the billed cycles run without a gap.
  const paused = row.paused_cycles ?? [];
  const latest = billed ? cycleAt(row.start_date, row.billing_interval, billed.last) : null;
  const pausedBefore = billed ? paused.filter((c) => c.start < billed.last).length : 0;
  const contiguous = !billed || (latest !== null && latest.start === billed.last && latest.index + 1 === billed.n + pausedBefore);
  if (contiguous) {
    const next = cycleStartsFrom(row.start_date, row.billing_interval, latest ? latest.index + 1 : 0, lastDay, limit + paused.length);
    return unpausedCycleStarts(next, paused).slice(0, limit);
  }
  const found: IsoDate[] = [];
  for (let from = 0; found.length < limit; from += CYCLES_PER_TRANSACTION) {
    const window = cycleStartsFrom(row.start_date, row.billing_interval, from, lastDay, CYCLES_PER_TRANSACTION);
    if (window.length === 0) break;
    const existing = await tx.execute<{ cycle_start: IsoDate }[]>(
      `select cycle_start::text as cycle_start from invoice where kind = 'membership' and purchase_id = ? and cycle_start between ? and ?`,
      [row.id, window[0], window[window.length - 1]],
    );
    const have = new Set(existing.map((e) => e.cycle_start));
    found.push(...unpausedCycleStarts(window, paused).filter((start) => !have.has(start)).slice(0, limit - found.length));
  }
  return found;
}

/**
 * The clinic's taxes as set now, the rates every cycle billed today is made with; read only when a
 * cycle to bill has a taxed plan.
 */
async function clinicTaxes(tx: EntityManager, clinicId: string, missing: Missing[]): Promise<ClinicTax[]> {
  if (!missing.some(({ row }) => (row.tax_codes ?? []).length > 0)) return [];
  const [clinic] = await tx.execute<{ taxes: ClinicTax[] | null }[]>(`select settings->'taxes' as taxes from clinic where id = ?`, [clinicId]);
  return clinic?.taxes ?? [];
}

/**
 * One statement for the batch's invoices, lines and ledger entries, from one JSON parameter:
 * building entities for insertMany cost about 1 ms of CPU per cycle, which made a membership
 * decades behind take minutes. The foreign keys are checked at the end of the statement.
 */
async function insertCycleInvoices(tx: EntityManager, clinicId: string, commandId: string | null, missing: Missing[], taxes: readonly ClinicTax[]): Promise<void> {
  const numbers = await nextInvoiceNumbers(tx, clinicId, missing.length);
  const ratesByCodes = new Map<string, TaxRate[]>();
  const ratesFor = (codes: string[]): TaxRate[] => {
    const key = codes.join(',');
    if (!ratesByCodes.has(key)) ratesByCodes.set(key, taxRatesFor(taxes, codes));
    return ratesByCodes.get(key)!;
  };
  const rows = missing.map(({ row, start }, i) => {
    const cycle = cycleAt(row.start_date, row.billing_interval, start)!;
    const draft = membershipInvoiceDraft(row.plan_name, Number(row.price), cycle.start, cycle.end, ratesFor(row.tax_codes ?? []));
    return {
      invoice_id: newId(),
      line_id: newId(),
      entry_id: newId(),
      number: numbers[i],
      patient_id: row.patient_id,
      purchase_id: row.id,
      cycle_start: start,
      due_date: draft.dueDate,
      subtotal: draft.amount,
      tax_total: draft.total - draft.amount,
      total: draft.total,
      taxes: draft.taxes,
      status: initialStatus(draft.total),
      description: draft.description,
      effect_key: `purchase:${row.id}:cycle:${start}`,
    };
  });
  await tx.execute(
    `with r as (
       select * from jsonb_to_recordset(?::jsonb) as r(invoice_id uuid, line_id uuid, entry_id uuid, number int, patient_id uuid, purchase_id uuid,
                                                       cycle_start date, due_date date, subtotal bigint, tax_total bigint, total bigint,
                                                       taxes jsonb, status text, description text, effect_key text)
     ), invoices as (
       insert into invoice (id, clinic_id, number, patient_id, kind, status, purchase_id, due_date, service_date, cycle_start, subtotal, tax_total, total)
       select invoice_id, ?, number, patient_id, 'membership', status, purchase_id, due_date, due_date, cycle_start, subtotal, tax_total, total from r
     ), lines as (
       insert into invoice_line (id, clinic_id, invoice_id, kind, description, quantity, unit_price, amount, taxes)
       select line_id, ?, invoice_id, 'plan', description, 1, subtotal, subtotal, taxes from r
     )
     insert into ledger_entry (id, clinic_id, purchase_id, type, cycle_start, invoice_id, command_id, effect_key)
     select entry_id, ?, purchase_id, 'cycle_started', cycle_start, invoice_id, ?, effect_key from r`,
    [JSON.stringify(rows), clinicId, clinicId, clinicId, commandId],
  );
}
