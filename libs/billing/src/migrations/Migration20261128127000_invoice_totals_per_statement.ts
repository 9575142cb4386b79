import { Migration } from '@mikro-orm/migrations';

// Reconciliation inserts up to 1,000 cycle invoices of one membership in one statement. The
// per-row insert trigger of purchase_totals then updated the same row once per invoice, and each
// update of a row already updated in the transaction walks its chain of versions: a run to
// 9999-12-31 (96,000 cycles) went from 20 s to minutes. Inserted invoices are now summed per
// purchase once per statement (a transition table); updates and deletes keep their row triggers,
// which WHEN clauses skip for a visit's invoice.
export class Migration20261128127000_invoice_totals_per_statement extends Migration {
  override name = 'Migration20261128127000_invoice_totals_per_statement';

  override up(): void {
    this.addSql(`drop trigger if exists "invoice_purchase_totals_insert" on "invoice";`);
    this.addSql(`create function "purchase_totals_from_inserted_invoices"() returns trigger language plpgsql as $$
    begin
      perform purchase_totals_ensure(purchase_id) from (select distinct purchase_id from inserted where purchase_id is not null) p;
      update purchase_totals t
         set amount_paid = t.amount_paid + d.paid, amount_refunded = t.amount_refunded + d.refunded, total = t.total + d.total, subtotal = t.subtotal + d.subtotal
        from (select purchase_id, sum(amount_paid) as paid, sum(amount_refunded) as refunded,
                     coalesce(sum(total) filter (where status <> 'void'), 0) as total, coalesce(sum(subtotal) filter (where status <> 'void'), 0) as subtotal
                from inserted where purchase_id is not null group by 1) d
       where t.purchase_id = d.purchase_id;
      return null;
    end $$;`);
    this.addSql(`create trigger "invoice_purchase_totals_insert" after insert on "invoice" referencing new table as inserted
      for each statement execute function purchase_totals_from_inserted_invoices();`);
  }

  override down(): void {
    this.addSql(`drop trigger if exists "invoice_purchase_totals_insert" on "invoice";`);
    this.addSql(`drop function if exists "purchase_totals_from_inserted_invoices"();`);
    this.addSql(`create trigger "invoice_purchase_totals_insert" after insert on "invoice" for each row when (new.purchase_id is not null) execute function purchase_totals_from_invoice();`);
  }
}
