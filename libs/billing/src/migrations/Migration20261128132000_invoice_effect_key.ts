import { Migration } from '@mikro-orm/migrations';

// A blank invoice made at the desk with an Idempotency-Key keeps a unique effect key derived from
// it, as desk payments and lines do: a retry whose first answer was lost after the commit finds
// the invoice instead of making a second one (and spending a second number). Null for the rest.
export class Migration20261128132000_invoice_effect_key extends Migration {
  override name = 'Migration20261128132000_invoice_effect_key';

  override up(): void {
    this.addSql(`alter table "invoice" add column "effect_key" text null;`);
    this.addSql(`alter table "invoice" add constraint "invoice_effect_key_unique" unique ("effect_key");`);
  }

  override down(): void {
    this.addSql(`alter table "invoice" drop constraint if exists "invoice_effect_key_unique";`);
    this.addSql(`alter table "invoice" drop column if exists "effect_key";`);
  }
}
