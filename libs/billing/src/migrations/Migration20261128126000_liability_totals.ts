import { Migration } from '@mikro-orm/migrations';

// Issue 16, speed: the liability report read every invoice and ledger entry of the clinic (1.2 M
// invoices at 100,000 purchases: seconds). It now reads one row per purchase, purchase_totals:
// what the report needs of the purchase, the sums of its invoices and of its balance counters, and
// when it was cancelled. Postgres triggers keep it, so every writer (sales, payments, refunds,
// voids, reconciliation, transfers, corrections, raw SQL) is covered in its own transaction, and
// rows no sum reads (a visit's invoice, a purchase's status) skip them in their WHEN clauses
// before any function is called. The verifier's liability_totals check says each row equals
// what it summarizes. Values are now-values: an as-of report subtracts what came after its day.
export class Migration20261128126000_liability_totals extends Migration {
  override name = 'Migration20261128126000_liability_totals';

  override up(): void {
    this.addSql(`create table "purchase_totals" (
      "purchase_id" uuid not null primary key, "clinic_id" uuid not null,
      -- Of the purchase (copied: the report then reads one table).
      "plan_id" uuid not null, "kind" text not null, "created_at" timestamptz not null, "deleted_at" timestamptz null,
      "expires_on" date null, "transfer_target" boolean not null, "first_visit_extra" bigint not null,
      -- The first 'cancelled' ledger entry's time.
      "cancelled_at" timestamptz null,
      -- Its invoices: Σ amount_paid and Σ amount_refunded of all, Σ total and Σ subtotal of those not void.
      "amount_paid" bigint not null default 0, "amount_refunded" bigint not null default 0, "total" bigint not null default 0, "subtotal" bigint not null default 0,
      -- Its balances: visits left (total + in − used − out), used (used + out) and their value (× visit_value).
      "left_visits" bigint not null default 0, "used_visits" bigint not null default 0, "used_value" bigint not null default 0,
      constraint "purchase_totals_purchase_foreign" foreign key ("clinic_id", "purchase_id") references "purchase" ("clinic_id", "id") on update cascade on delete cascade);`);
    this.addSql(`create index "purchase_totals_clinic_id_index" on "purchase_totals" ("clinic_id");`);

    this.addSql(`create function "purchase_totals_from_purchase"() returns trigger language plpgsql as $$
    begin
      insert into purchase_totals as t (purchase_id, clinic_id, plan_id, kind, created_at, deleted_at, expires_on, transfer_target, first_visit_extra)
      values (new.id, new.clinic_id, new.plan_id, new.kind, new.created_at, new.deleted_at, new.expires_on, new.source_purchase_id is not null, new.first_visit_extra)
      on conflict (purchase_id) do update set clinic_id = excluded.clinic_id, plan_id = excluded.plan_id, kind = excluded.kind, created_at = excluded.created_at,
        deleted_at = excluded.deleted_at, expires_on = excluded.expires_on, transfer_target = excluded.transfer_target, first_visit_extra = excluded.first_visit_extra;
      return null;
    end $$;`);
    this.addSql(`create trigger "purchase_totals_insert" after insert on "purchase" for each row execute function purchase_totals_from_purchase();`);
    this.addSql(`create trigger "purchase_totals_update" after update on "purchase" for each row
      when ((old.clinic_id, old.plan_id, old.kind, old.created_at, old.deleted_at, old.expires_on, old.source_purchase_id, old.first_visit_extra)
            is distinct from (new.clinic_id, new.plan_id, new.kind, new.created_at, new.deleted_at, new.expires_on, new.source_purchase_id, new.first_visit_extra))
      execute function purchase_totals_from_purchase();`);

    // A statement that writes a purchase with its balances or invoices (data-modifying CTEs) may fire
    // their triggers before the purchase's: finding no row, they create it from the purchase and add.
    this.addSql(`create function "purchase_totals_ensure"(p_purchase uuid) returns void language sql as $$
      insert into purchase_totals (purchase_id, clinic_id, plan_id, kind, created_at, deleted_at, expires_on, transfer_target, first_visit_extra)
      select id, clinic_id, plan_id, kind, created_at, deleted_at, expires_on, source_purchase_id is not null, first_visit_extra from purchase where id = p_purchase
      on conflict (purchase_id) do nothing
    $$;`);

    this.addSql(`create function "purchase_totals_from_invoice"() returns trigger language plpgsql as $$
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
    // A visit's invoice (no purchase) never calls the function; a purchase's only when a summed value changes.
    this.addSql(`create trigger "invoice_purchase_totals_insert" after insert on "invoice" for each row when (new.purchase_id is not null) execute function purchase_totals_from_invoice();`);
    this.addSql(`create trigger "invoice_purchase_totals_update" after update on "invoice" for each row
      when ((old.purchase_id is not null or new.purchase_id is not null)
            and (old.purchase_id, old.amount_paid, old.amount_refunded, old.total, old.subtotal, old.status = 'void')
                is distinct from (new.purchase_id, new.amount_paid, new.amount_refunded, new.total, new.subtotal, new.status = 'void'))
      execute function purchase_totals_from_invoice();`);
    this.addSql(`create trigger "invoice_purchase_totals_delete" after delete on "invoice" for each row when (old.purchase_id is not null) execute function purchase_totals_from_invoice();`);

    this.addSql(`create function "purchase_totals_from_balance"() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        update purchase_totals set left_visits = left_visits - (old.total + old.transferred_in - old.used - old.transferred_out),
          used_visits = used_visits - (old.used + old.transferred_out), used_value = used_value - (old.used + old.transferred_out) * old.visit_value
        where purchase_id = old.purchase_id;
      end if;
      if tg_op in ('UPDATE', 'INSERT') then
        for attempt in 1..2 loop
          update purchase_totals set left_visits = left_visits + (new.total + new.transferred_in - new.used - new.transferred_out),
            used_visits = used_visits + (new.used + new.transferred_out), used_value = used_value + (new.used + new.transferred_out) * new.visit_value
          where purchase_id = new.purchase_id;
          exit when found;
          perform purchase_totals_ensure(new.purchase_id);
        end loop;
      end if;
      return null;
    end $$;`);
    this.addSql(`create trigger "purchase_balance_totals_insert" after insert on "purchase_balance" for each row execute function purchase_totals_from_balance();`);
    this.addSql(`create trigger "purchase_balance_totals_update" after update on "purchase_balance" for each row
      when ((old.purchase_id, old.total, old.used, old.transferred_in, old.transferred_out, old.visit_value)
            is distinct from (new.purchase_id, new.total, new.used, new.transferred_in, new.transferred_out, new.visit_value))
      execute function purchase_totals_from_balance();`);
    this.addSql(`create trigger "purchase_balance_totals_delete" after delete on "purchase_balance" for each row execute function purchase_totals_from_balance();`);

    this.addSql(`create function "purchase_totals_from_ledger"() returns trigger language plpgsql as $$
    begin
      for attempt in 1..2 loop
        update purchase_totals set cancelled_at = least(coalesce(cancelled_at, new.created_at), new.created_at) where purchase_id = new.purchase_id;
        exit when found;
        perform purchase_totals_ensure(new.purchase_id);
      end loop;
      return null;
    end $$;`);
    this.addSql(`create trigger "ledger_entry_totals_cancelled" after insert on "ledger_entry" for each row when (new.type = 'cancelled') execute function purchase_totals_from_ledger();`);

    this.addSql(`insert into "purchase_totals" (purchase_id, clinic_id, plan_id, kind, created_at, deleted_at, expires_on, transfer_target, first_visit_extra, cancelled_at,
                                                amount_paid, amount_refunded, total, subtotal, left_visits, used_visits, used_value)
      select p.id, p.clinic_id, p.plan_id, p.kind, p.created_at, p.deleted_at, p.expires_on, p.source_purchase_id is not null, p.first_visit_extra,
             (select min(e.created_at) from ledger_entry e where e.purchase_id = p.id and e.type = 'cancelled'),
             coalesce(i.paid, 0), coalesce(i.refunded, 0), coalesce(i.total, 0), coalesce(i.subtotal, 0), coalesce(b.left_visits, 0), coalesce(b.used_visits, 0), coalesce(b.used_value, 0)
      from purchase p
      left join (select purchase_id, sum(amount_paid) as paid, sum(amount_refunded) as refunded, sum(total) filter (where status <> 'void') as total,
                        sum(subtotal) filter (where status <> 'void') as subtotal
                 from invoice where purchase_id is not null group by 1) i on i.purchase_id = p.id
      left join (select purchase_id, sum(total + transferred_in - used - transferred_out) as left_visits, sum(used + transferred_out) as used_visits,
                        sum((used + transferred_out) * visit_value) as used_value
                 from purchase_balance group by 1) b on b.purchase_id = p.id;`);
  }

  override down(): void {
    this.addSql(`drop trigger if exists "ledger_entry_totals_cancelled" on "ledger_entry";`);
    this.addSql(`drop trigger if exists "purchase_balance_totals_delete" on "purchase_balance";`);
    this.addSql(`drop trigger if exists "purchase_balance_totals_update" on "purchase_balance";`);
    this.addSql(`drop trigger if exists "purchase_balance_totals_insert" on "purchase_balance";`);
    this.addSql(`drop trigger if exists "invoice_purchase_totals_delete" on "invoice";`);
    this.addSql(`drop trigger if exists "invoice_purchase_totals_update" on "invoice";`);
    this.addSql(`drop trigger if exists "invoice_purchase_totals_insert" on "invoice";`);
    this.addSql(`drop trigger if exists "purchase_totals_update" on "purchase";`);
    this.addSql(`drop trigger if exists "purchase_totals_insert" on "purchase";`);
    this.addSql(`drop function if exists "purchase_totals_from_ledger"();`);
    this.addSql(`drop function if exists "purchase_totals_from_balance"();`);
    this.addSql(`drop function if exists "purchase_totals_from_invoice"();`);
    this.addSql(`drop function if exists "purchase_totals_from_purchase"();`);
    this.addSql(`drop function if exists "purchase_totals_ensure"(uuid);`);
    this.addSql(`drop table if exists "purchase_totals";`);
  }
}
