import { Migration } from '@mikro-orm/migrations';

// Issue 14: tip and charge lines (a line's kind; the lines of purchase invoices are `plan`), a plan
// item's patient portion (snapshotted on the purchase's balance at sale, as the visit value is), and
// write-offs (a partly paid instalment of a cancelled package: status written_off, amount_written_off
// counted in its balance due).
export class Migration20261128122000_lines_portions_writeoffs extends Migration {
  override name = 'Migration20261128122000_lines_portions_writeoffs';

  override up(): void {
    this.addSql(`alter table "invoice_line" add column "kind" text not null default 'service';`);
    this.addSql(`update "invoice_line" l set "kind" = 'plan' from "invoice" i where i."id" = l."invoice_id" and i."kind" <> 'service';`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_kind_check" check (kind in ('service', 'tip', 'charge', 'plan'));`);
    // Stored as given; validated against the clinic's tax codes once taxes land.
    this.addSql(`alter table "invoice_line" add column "tax_codes" jsonb not null default '[]';`);

    this.addSql(`alter table "plan_item" add column "patient_portion" bigint not null default '0';`);
    this.addSql(`alter table "plan_item" add constraint "plan_item_patient_portion_check" check (patient_portion >= 0);`);
    this.addSql(`alter table "purchase_balance" add column "patient_portion" bigint not null default '0';`);
    this.addSql(`alter table "purchase_balance" add constraint "purchase_balance_patient_portion_check" check (patient_portion >= 0);`);

    this.addSql(`alter table "invoice" add column "amount_written_off" bigint not null default '0';`);
    this.addSql(`alter table "invoice" drop constraint "invoice_amounts_consistent";`);
    this.addSql(`alter table "invoice" add constraint "invoice_amounts_consistent" check (status in ('open', 'paid', 'void', 'written_off') and number > 0 and total >= 0 and amount_paid >= 0 and covered_amount >= 0 and amount_refunded >= 0 and amount_written_off >= 0 and amount_refunded <= amount_paid and total - covered_amount - amount_paid - amount_written_off >= 0);`);
  }

  override down(): void {
    this.addSql(`alter table "invoice" drop constraint "invoice_amounts_consistent";`);
    this.addSql(`alter table "invoice" add constraint "invoice_amounts_consistent" check (status in ('open', 'paid', 'void') and number > 0 and total >= 0 and amount_paid >= 0 and covered_amount >= 0 and amount_refunded >= 0 and amount_refunded <= amount_paid and total - covered_amount - amount_paid >= 0);`);
    this.addSql(`alter table "invoice" drop column "amount_written_off";`);
    this.addSql(`alter table "purchase_balance" drop column "patient_portion";`);
    this.addSql(`alter table "plan_item" drop column "patient_portion";`);
    this.addSql(`alter table "invoice_line" drop column "tax_codes";`);
    this.addSql(`alter table "invoice_line" drop column "kind";`);
  }
}
