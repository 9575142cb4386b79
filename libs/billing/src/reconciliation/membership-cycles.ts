import { addDays, cycleAt, cyclesStartedBy, type BillingInterval, type IsoDate } from '../domain/dates.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { build } from '../entities/base.js';
import { Invoice } from '../entities/invoice.entity.js';
import { InvoiceLine } from '../entities/invoice-line.entity.js';
import { LedgerEntry } from '../entities/ledger-entry.entity.js';
import { nextInvoiceNumbers } from '../invoices/invoice-numbers.js';
import { membershipInvoiceDraft } from '../purchases/create-purchase.js';
import { BATCH_SIZE, placeholders } from './batches.js';

interface MembershipRow {
  id: string;
  patient_id: string;
  plan_name: string;
  price: number;
  start_date: IsoDate;
  billing_interval: BillingInterval;
  cancel_at: IsoDate | null;
}

/**
 * Every cycle of every active membership that starts on or before `asOf` (and before a scheduled
 * cancellation) gets its own invoice, due on the cycle's start. The batch's purchases are
 * locked first, so two runs at once wait for each other and the second finds the invoices
 * made; the unique (purchase, cycle start) index would refuse a duplicate anyway.
 */
export async function billMembershipCycles(
  em: EntityManager,
  clinicId: string,
  asOf: IsoDate,
  commandId: string | null,
  onBatch: (done: number) => Promise<void>,
): Promise<{ purchases: number; invoicesCreated: number }> {
  let after = '00000000-0000-0000-0000-000000000000';
  let purchases = 0;
  let invoicesCreated = 0;
  for (;;) {
    const batch = await em.fork().transactional(async (tx) => {
      const rows = await tx.execute<MembershipRow[]>(
        `select id, patient_id, plan_name, price, start_date::text as start_date, billing_interval, cancel_at::text as cancel_at
           from purchase
          where clinic_id = ? and kind = 'membership' and status = 'active' and deleted_at is null and start_date <= ? and id > ?
          order by id limit ? for update`,
        [clinicId, asOf, after, BATCH_SIZE],
      );
      if (rows.length === 0) return null;
      const existing = await tx.execute<{ purchase_id: string; cycle_start: IsoDate }[]>(
        `select purchase_id, cycle_start::text as cycle_start from invoice where kind = 'membership' and purchase_id in (${placeholders(rows.length)})`,
        rows.map((r) => r.id),
      );
      const billed = new Set(existing.map((e) => `${e.purchase_id}|${e.cycle_start}`));
      const missing = rows.flatMap((row) => {
        // A cancellation at the end of a cycle: nothing from cancelAt on is billed.
        const lastDay = row.cancel_at && row.cancel_at <= asOf ? addDays(row.cancel_at, -1) : asOf;
        return cyclesStartedBy(row.start_date, row.billing_interval, lastDay)
          .filter((start) => !billed.has(`${row.id}|${start}`))
          .map((start) => ({ row, start }));
      });
      if (missing.length > 0) {
        const numbers = await nextInvoiceNumbers(tx, clinicId, missing.length);
        const invoices: Invoice[] = [];
        const lines: InvoiceLine[] = [];
        const entries: LedgerEntry[] = [];
        missing.forEach(({ row, start }, i) => {
          const cycle = cycleAt(row.start_date, row.billing_interval, start)!;
          const draft = membershipInvoiceDraft(row.plan_name, Number(row.price), cycle.start, cycle.end);
          const invoice = build(Invoice, {
            clinicId,
            number: numbers[i],
            patientId: row.patient_id,
            kind: 'membership',
            status: draft.total === 0 ? 'paid' : 'open',
            purchaseId: row.id,
            dueDate: draft.dueDate,
            serviceDate: draft.dueDate,
            cycleStart: start,
            total: draft.total,
          });
          invoices.push(invoice);
          lines.push(build(InvoiceLine, { clinicId: invoice.clinicId, invoiceId: invoice.id, description: draft.description, quantity: 1, unitPrice: draft.total, amount: draft.total }));
          entries.push(
            build(LedgerEntry, {
              clinicId,
              purchaseId: row.id,
              type: 'cycle_started',
              cycleStart: start,
              invoiceId: invoice.id,
              commandId,
              effectKey: `purchase:${row.id}:cycle:${start}`,
            }),
          );
        });
        await tx.insertMany(invoices);
        await tx.insertMany(lines);
        await tx.insertMany(entries);
      }
      return { last: rows[rows.length - 1].id, count: rows.length, created: missing.length };
    });
    if (!batch) break;
    after = batch.last;
    purchases += batch.count;
    invoicesCreated += batch.created;
    await onBatch(purchases);
  }
  return { purchases, invoicesCreated };
}
