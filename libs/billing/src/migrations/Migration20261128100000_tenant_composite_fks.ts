import { Migration } from '@mikro-orm/migrations';

// Tenants kept apart by the database: every reference between tenant tables becomes a foreign
// key on (clinic_id, <ref>) → (clinic_id, id), so a row can only point at a row of its own
// clinic, whatever the code does. Null references are skipped (MATCH SIMPLE), as before.
//
// - The three child tables without clinic_id (invoice_line, purchase_balance, plan_item) get one,
//   copied from their parent; their entities carry it and every writer sets it.
// - Each referenced table gets unique (clinic_id, id) (its entity declares it too).
// - Entity metadata keeps single-column relations (MikroORM maps a composite FK only onto a
//   composite primary key), so the composite FKs live here only. `npm run db:migration:create`
//   will therefore propose dropping the `<table>_clinic_id_<column>_foreign` keys and adding
//   back `<table>_<column>_foreign`: delete those lines from a generated migration.
// - ON DELETE / ON UPDATE stay NO ACTION, as in the initial migration.
// - Existing rows are consistent, so the keys are validated in place (one pass per key, inside
//   the migration's transaction; NOT VALID would not shorten the locks held until commit).

/** [table, column, referenced table]: every FK between tenant tables of the initial migration. */
const REFERENCES: ReadonlyArray<readonly [string, string, string]> = [
  ['command', 'requested_by_key_id', 'api_key'],
  ['patient', 'family_id', 'family'],
  ['purchase', 'patient_id', 'patient'],
  ['purchase', 'plan_id', 'plan'],
  ['purchase', 'source_purchase_id', 'purchase'],
  ['purchase', 'created_by_key_id', 'api_key'],
  ['ledger_entry', 'purchase_id', 'purchase'],
  ['ledger_entry', 'by_key_id', 'api_key'],
  ['purchase_balance', 'purchase_id', 'purchase'],
  ['purchase_balance', 'service_id', 'service'],
  ['plan_item', 'plan_id', 'plan'],
  ['plan_item', 'service_id', 'service'],
  ['appointment', 'patient_id', 'patient'],
  ['appointment', 'service_id', 'service'],
  ['appointment', 'created_by_key_id', 'api_key'],
  ['invoice', 'patient_id', 'patient'],
  ['invoice', 'purchase_id', 'purchase'],
  ['invoice', 'appointment_id', 'appointment'],
  ['invoice', 'created_by_key_id', 'api_key'],
  ['payment', 'invoice_id', 'invoice'],
  ['payment', 'created_by_key_id', 'api_key'],
  ['invoice_line', 'invoice_id', 'invoice'],
  ['invoice_line', 'service_id', 'service'],
  ['invoice_line', 'redemption_purchase_id', 'purchase'],
  ['booking', 'appointment_id', 'appointment'],
  ['booking', 'invoice_id', 'invoice'],
  ['booking', 'created_by_key_id', 'api_key'],
];

/** Tables referenced by (clinic_id, id). */
const REFERENCED = [...new Set(REFERENCES.map(([, , target]) => target))];

/** [child table, column of its parent, parent table]: where a new clinic_id is copied from. */
const CHILDREN: ReadonlyArray<readonly [string, string, string]> = [
  ['invoice_line', 'invoice_id', 'invoice'],
  ['purchase_balance', 'purchase_id', 'purchase'],
  ['plan_item', 'plan_id', 'plan'],
];

const single = (table: string, column: string) => `${table}_${column}_foreign`;
const composite = (table: string, column: string) => `${table}_clinic_id_${column}_foreign`;
const NO_ACTION = 'on update no action on delete no action';

export class Migration20261128100000_tenant_composite_fks extends Migration {

  override name = 'Migration20261128100000_tenant_composite_fks';

  override up(): void | Promise<void> {
    for (const [child, parentColumn, parent] of CHILDREN) {
      this.addSql(`alter table "${child}" add column "clinic_id" uuid null;`);
      this.addSql(`update "${child}" c set "clinic_id" = p."clinic_id" from "${parent}" p where p."id" = c."${parentColumn}";`);
      this.addSql(`alter table "${child}" alter column "clinic_id" set not null;`);
      this.addSql(`alter table "${child}" add constraint "${single(child, 'clinic_id')}" foreign key ("clinic_id") references "clinic" ("id") ${NO_ACTION};`);
    }
    for (const table of REFERENCED) {
      this.addSql(`alter table "${table}" add constraint "${table}_clinic_id_id_unique" unique ("clinic_id", "id");`);
    }
    for (const [table, column, target] of REFERENCES) {
      this.addSql(`alter table "${table}" drop constraint "${single(table, column)}";`);
      this.addSql(`alter table "${table}" add constraint "${composite(table, column)}" foreign key ("clinic_id", "${column}") references "${target}" ("clinic_id", "id") ${NO_ACTION};`);
    }
  }

  override down(): void | Promise<void> {
    for (const [table, column, target] of REFERENCES) {
      this.addSql(`alter table "${table}" drop constraint "${composite(table, column)}";`);
      this.addSql(`alter table "${table}" add constraint "${single(table, column)}" foreign key ("${column}") references "${target}" ("id") ${NO_ACTION};`);
    }
    for (const table of REFERENCED) {
      this.addSql(`alter table "${table}" drop constraint "${table}_clinic_id_id_unique";`);
    }
    for (const [child] of CHILDREN) {
      this.addSql(`alter table "${child}" drop column "clinic_id";`);
    }
  }

}
