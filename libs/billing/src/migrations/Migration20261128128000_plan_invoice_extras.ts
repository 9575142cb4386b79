import { Migration } from '@mikro-orm/migrations';

// Issue 14: tip and charge lines on purchase invoices (package, instalment, membership). Their
// amounts are the invoice's extras, kept apart from the plan's money: extras_total (with taxes)
// and extras_subtotal (before them), 0 on a service invoice and on every invoice so far, so no
// row is rewritten. Payments pay the plan first: a purchase's money (purchase_totals, which the
// liability report reads) now sums each invoice's plan part, least(amount_paid, total −
// extras_total), and the plan's total and subtotal. Without extras these are the former values
// (amount_paid ≤ total on a purchase invoice, whose lines are never covered), so the rows stay.
export class Migration20261128128000_plan_invoice_extras extends Migration {
  override name = 'Migration20261128128000_plan_invoice_extras';

  override up(): void {
    this.addSql(`alter table "invoice" add column "extras_total" bigint not null default 0, add column "extras_subtotal" bigint not null default 0;`);
    this.addSql(`alter table "invoice" add constraint "invoice_extras_within_total"
      check (extras_subtotal >= 0 and extras_total >= extras_subtotal and extras_total - extras_subtotal <= tax_total and extras_subtotal <= subtotal);`);

    this.addSql(`create or replace function "purchase_totals_from_invoice"() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') and old.purchase_id is not null then
        update purchase_totals set amount_paid = amount_paid - least(old.amount_paid, old.total - old.extras_total), amount_refunded = amount_refunded - old.amount_refunded,
          total = total - case when old.status <> 'void' then old.total - old.extras_total else 0 end,
          subtotal = subtotal - case when old.status <> 'void' then old.subtotal - old.extras_subtotal else 0 end
        where purchase_id = old.purchase_id;
      end if;
      if tg_op in ('UPDATE', 'INSERT') and new.purchase_id is not null then
        for attempt in 1..2 loop
          update purchase_totals set amount_paid = amount_paid + least(new.amount_paid, new.total - new.extras_total), amount_refunded = amount_refunded + new.amount_refunded,
            total = total + case when new.status <> 'void' then new.total - new.extras_total else 0 end,
            subtotal = subtotal + case when new.status <> 'void' then new.subtotal - new.extras_subtotal else 0 end
          where purchase_id = new.purchase_id;
          exit when found;
          perform purchase_totals_ensure(new.purchase_id);
        end loop;
      end if;
      return null;
    end $$;`);
    // An extra added or paid changes total, extras_total or amount_paid: the WHEN clause sees each.
    this.addSql(`drop trigger if exists "invoice_purchase_totals_update" on "invoice";`);
    this.addSql(`create trigger "invoice_purchase_totals_update" after update on "invoice" for each row
      when ((old.purchase_id is not null or new.purchase_id is not null)
            and (old.purchase_id, old.amount_paid, old.amount_refunded, old.total, old.subtotal, old.extras_total, old.extras_subtotal, old.status = 'void')
                is distinct from (new.purchase_id, new.amount_paid, new.amount_refunded, new.total, new.subtotal, new.extras_total, new.extras_subtotal, new.status = 'void'))
      execute function purchase_totals_from_invoice();`);
    this.addSql(`create or replace function "purchase_totals_from_inserted_invoices"() returns trigger language plpgsql as $$
    begin
      perform purchase_totals_ensure(purchase_id) from (select distinct purchase_id from inserted where purchase_id is not null) p;
      update purchase_totals t
         set amount_paid = t.amount_paid + d.paid, amount_refunded = t.amount_refunded + d.refunded, total = t.total + d.total, subtotal = t.subtotal + d.subtotal
        from (select purchase_id, sum(least(amount_paid, total - extras_total)) as paid, sum(amount_refunded) as refunded,
                     coalesce(sum(total - extras_total) filter (where status <> 'void'), 0) as total,
                     coalesce(sum(subtotal - extras_subtotal) filter (where status <> 'void'), 0) as subtotal
                from inserted where purchase_id is not null group by 1) d
       where t.purchase_id = d.purchase_id;
      return null;
    end $$;`);
  }

  override down(): void {
    this.addSql(`create or replace function "purchase_totals_from_inserted_invoices"() returns trigger language plpgsql as $$
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
    this.addSql(`drop trigger if exists "invoice_purchase_totals_update" on "invoice";`);
    this.addSql(`create trigger "invoice_purchase_totals_update" after update on "invoice" for each row
      when ((old.purchase_id is not null or new.purchase_id is not null)
            and (old.purchase_id, old.amount_paid, old.amount_refunded, old.total, old.subtotal, old.status = 'void')
                is distinct from (new.purchase_id, new.amount_paid, new.amount_refunded, new.total, new.subtotal, new.status = 'void'))
      execute function purchase_totals_from_invoice();`);
    this.addSql(`create or replace function "purchase_totals_from_invoice"() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') and old.purchase_id is not null then
        update purchase_totals set amount_paid = amount_paid - old.amount_paid, amount_refunded = amount_refunded - old.amount_refunded,
          total = total - case when old.status <> 'void' then old.total else 0 end, subtotal = subtotal - case when old.status <> 'void' then old.subtotal else 0 end
        where purchase_id = old.purchase_id;
      end if;
      if tg_op in ('UPDATE', 'INSERT') and new.purchase_id is not null then
        for attempt in 1..2 loop
          update purchase_totals set amount_paid = amount_paid + new.amount_paid, amount_refunded = amount_refunded + new.amount_refunded,
            total = total + case when new.status <> 'void' then new.total else 0 end, subtotal = subtotal + case when new.status <> 'void' then new.subtotal else 0 end
          where purchase_id = new.purchase_id;
          exit when found;
          perform purchase_totals_ensure(new.purchase_id);
        end loop;
      end if;
      return null;
    end $$;`);
    this.addSql(`alter table "invoice" drop constraint if exists "invoice_extras_within_total";`);
    this.addSql(`alter table "invoice" drop column if exists "extras_subtotal", drop column if exists "extras_total";`);
  }
}
