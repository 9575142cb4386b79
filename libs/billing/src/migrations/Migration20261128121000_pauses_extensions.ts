import { Migration } from '@mikro-orm/migrations';

// Pausing a membership (billing-rules.md "Pausing a membership"): the paused cycles live on the
// purchase, one { start, end } per cycle, so the redemption reads them in the row it already locks.
export class Migration20261128121000_pauses_extensions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "purchase" add column "paused_cycles" jsonb not null default '[]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "purchase" drop column "paused_cycles";`);
  }
}
