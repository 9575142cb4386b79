import { Migration } from '@mikro-orm/migrations';

// A line added at the desk with an Idempotency-Key keeps a unique effect key derived from it, as a
// desk payment does: the HTTP key's stored answer is written after the line's transaction, so a
// connection cut between the two (the fault suite hit it: one tip twice) let a retry add the line
// again. Lines made without a key, and every other line, have none (nulls are distinct).
export class Migration20261128131000_invoice_line_effect_key extends Migration {
  override name = 'Migration20261128131000_invoice_line_effect_key';

  override up(): void {
    this.addSql(`alter table "invoice_line" add column "effect_key" text null;`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_effect_key_unique" unique ("effect_key");`);
  }

  override down(): void {
    this.addSql(`alter table "invoice_line" drop constraint if exists "invoice_line_effect_key_unique";`);
    this.addSql(`alter table "invoice_line" drop column if exists "effect_key";`);
  }
}
