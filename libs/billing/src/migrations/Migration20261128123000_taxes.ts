import { Migration } from '@mikro-orm/migrations';

// Taxes (issue 15, billing-rules.md "Taxes"): an invoice's total is its subtotal (Σ line amounts,
// before tax) plus its taxTotal; a line keeps the taxes it was made with, as
// [{ code, rateMilliPercent, amount }] (the rate as an integer, never re-parsed); services and
// plans name the clinic's tax codes they are taxed by. Existing invoices had no taxes: subtotal = total.
export class Migration20261128123000_taxes extends Migration {
  override name = 'Migration20261128123000_taxes';

  override up(): void {
    // The default only serves rows that charge nothing (total 0): any other writer must set it, or the check refuses.
    this.addSql(`alter table "invoice" add column "subtotal" bigint not null default '0';`);
    this.addSql(`update "invoice" set "subtotal" = "total";`);
    this.addSql(`alter table "invoice" add column "tax_total" bigint not null default '0';`);
    this.addSql(`alter table "invoice" add constraint "invoice_total_with_taxes" check (subtotal >= 0 and tax_total >= 0 and total = subtotal + tax_total);`);
    this.addSql(`alter table "invoice_line" add column "taxes" jsonb not null default '[]';`);
    this.addSql(`alter table "service" add column "tax_codes" jsonb not null default '[]';`);
    this.addSql(`alter table "plan" add column "tax_codes" jsonb not null default '[]';`);
  }

  override down(): void {
    this.addSql(`alter table "plan" drop column "tax_codes";`);
    this.addSql(`alter table "service" drop column "tax_codes";`);
    this.addSql(`alter table "invoice_line" drop column "taxes";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_total_with_taxes";`);
    this.addSql(`alter table "invoice" drop column "tax_total";`);
    this.addSql(`alter table "invoice" drop column "subtotal";`);
  }
}
