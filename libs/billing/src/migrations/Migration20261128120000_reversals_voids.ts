import { Migration } from '@mikro-orm/migrations';

// Issue 14's corrections: a reversed redemption voids its package_credit payment (kept, flagged,
// counted nowhere), and an appointment can be cancelled. Line coverage needs no change: the line
// is unique per redemption command (invoice_line_redemption_command_id_unique) and each ledger
// entry per effect key, so a new redemption of a released line is a new command with new keys,
// while a duplicate delivery of one command still meets its own keys.
export class Migration20261128120000_reversals_voids extends Migration {
  override name = 'Migration20261128120000_reversals_voids';

  override up(): void {
    this.addSql(`alter table "payment" add column "voided" boolean not null default false;`);
    // Only a package_credit payment is ever voided (a reversal); money is refunded, never voided.
    this.addSql(`alter table "payment" add constraint "payment_voided_package_credit" check (not voided or method = 'package_credit');`);
    this.addSql(`alter table "appointment" add column "status" text not null default 'booked';`);
    this.addSql(`alter table "appointment" add constraint "appointment_status_check" check (status in ('booked', 'cancelled'));`);
  }

  override down(): void {
    this.addSql(`alter table "appointment" drop constraint "appointment_status_check";`);
    this.addSql(`alter table "appointment" drop column "status";`);
    this.addSql(`alter table "payment" drop constraint "payment_voided_package_credit";`);
    this.addSql(`alter table "payment" drop column "voided";`);
  }
}
