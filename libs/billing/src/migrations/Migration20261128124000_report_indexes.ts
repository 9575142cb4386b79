import { Migration } from '@mikro-orm/migrations';

// Issue 16: the reports read a whole clinic at once, the exports page through a date range. Each
// index lets one report's scan stay within the clinic and read only the index (covering columns).
export class Migration20261128124000_report_indexes extends Migration {
  override name = 'Migration20261128124000_report_indexes';

  override up(): void {
    // Liability and revenue: a clinic's purchases made by a day.
    this.addSql(`create index "purchase_clinic_id_created_at_index" on "purchase" ("clinic_id", "created_at") include ("plan_id", "kind", "expires_on", "source_purchase_id", "first_visit_extra", "deleted_at");`);
    // Liability: a clinic's purchase invoices with their before-tax ratio; exports: keyset pages by (created_at, id).
    this.addSql(`create index "invoice_clinic_id_purchase_id_index" on "invoice" ("clinic_id", "purchase_id") include ("status", "subtotal", "total") where purchase_id is not null;`);
    this.addSql(`create index "invoice_clinic_id_created_at_id_index" on "invoice" ("clinic_id", "created_at", "id");`);
    // Liability and revenue: a clinic's money by day; exports: keyset pages by (created_at, id).
    this.addSql(`create index "payment_clinic_id_created_at_id_index" on "payment" ("clinic_id", "created_at", "id") include ("invoice_id", "amount", "voided", "method");`);
    // Liability and revenue: a clinic's visits moved and cancellations, by type and day.
    this.addSql(`create index "ledger_entry_clinic_id_type_created_at_index" on "ledger_entry" ("clinic_id", "type", "created_at") include ("purchase_id", "service_id", "visits");`);
  }

  override down(): void {
    this.addSql(`drop index if exists "ledger_entry_clinic_id_type_created_at_index";`);
    this.addSql(`drop index if exists "payment_clinic_id_created_at_id_index";`);
    this.addSql(`drop index if exists "invoice_clinic_id_created_at_id_index";`);
    this.addSql(`drop index if exists "invoice_clinic_id_purchase_id_index";`);
    this.addSql(`drop index if exists "purchase_clinic_id_created_at_index";`);
  }
}
