import { Migration } from '@mikro-orm/migrations';

export class Migration20261125141423_initial extends Migration {

  override name = 'Migration20261125141423_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table "clinic" ("id" uuid not null, "created_at" timestamptz not null default now(), "name" text not null, "currency" varchar(3) not null, "timezone" text not null, "settings" jsonb not null, "invoice_seq" int not null default 0, primary key ("id"));`);

    this.addSql(`create table "api_key" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "name" text not null, "role" text not null, "key_hash" varchar(64) not null, "key_prefix" text not null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "api_key_clinic_id_index" on "api_key" ("clinic_id");`);
    this.addSql(`alter table "api_key" add constraint "api_key_key_hash_unique" unique ("key_hash");`);

    this.addSql(`create table "command" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "type" text not null, "status" text not null default 'queued', "request" jsonb not null, "idempotency_key" text null, "channel" text not null default 'staff', "result" jsonb null, "error" jsonb null, "attempts" int not null default 0, "progress" jsonb null, "requested_by_key_id" uuid null, "correlation_id" text null, "started_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "command_status_created_at_index" on "command" ("status", "created_at");`);
    this.addSql(`create index "command_clinic_id_status_created_at_index" on "command" ("clinic_id", "status", "created_at");`);
    this.addSql(`create index "command_clinic_id_created_at_index" on "command" ("clinic_id", "created_at");`);

    this.addSql(`create table "family" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "name" text not null, primary key ("id"));`);
    this.addSql(`create index "family_clinic_id_index" on "family" ("clinic_id");`);

    this.addSql(`create table "idempotency_record" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "key" text not null, "endpoint" text not null, "request_hash" text not null, "command_id" uuid null, "state" text not null default 'in_progress', "status_code" int null, "response_body" jsonb null, primary key ("id"));`);
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_clinic_id_key_unique" unique ("clinic_id", "key");`);

    this.addSql(`create table "patient" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "first_name" text not null, "last_name" text not null, "email" text null, "phone" text null, "date_of_birth" date null, "family_id" uuid null, primary key ("id"));`);
    this.addSql(`create index "patient_family_id_index" on "patient" ("family_id");`);
    this.addSql(`create index "patient_clinic_id_last_name_first_name_index" on "patient" ("clinic_id", "last_name", "first_name");`);

    this.addSql(`create table "plan" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "kind" text not null, "name" text not null, "price" bigint not null default '0', "validity_days" int null, "insurance_friendly" boolean not null default false, "installments" jsonb null, "online_redemption" boolean not null default false, "billing_interval" text null, "rollover" boolean not null default false, "active" boolean not null default true, primary key ("id"));`);
    this.addSql(`create index "plan_clinic_id_index" on "plan" ("clinic_id");`);

    this.addSql(`create table "purchase" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "patient_id" uuid not null, "plan_id" uuid not null, "source_purchase_id" uuid null, "kind" text not null, "plan_name" text not null, "status" text not null default 'active', "payment_schedule" text not null default 'full', "start_date" date not null, "expires_on" date null, "cancel_at" date null, "price" bigint not null default '0', "insurance_friendly" boolean not null default false, "online_redemption" boolean not null default false, "billing_interval" text null, "rollover" boolean not null default false, "first_visit_extra" bigint not null default '0', "deleted_at" timestamptz null, "created_by_key_id" uuid null, primary key ("id"));`);
    this.addSql(`create index "purchase_kind_status_index" on "purchase" ("kind", "status");`);
    this.addSql(`create index "purchase_clinic_id_patient_id_status_index" on "purchase" ("clinic_id", "patient_id", "status");`);
    this.addSql(`alter table "purchase" add constraint "purchase_source_purchase_id_patient_id_unique" unique ("source_purchase_id", "patient_id");`);

    this.addSql(`create table "ledger_entry" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "purchase_id" uuid not null, "service_id" uuid null, "type" text not null, "visits" int not null default 0, "amount" bigint not null default '0', "cycle_start" date null, "invoice_id" uuid null, "command_id" uuid null, "effect_key" text not null, "details" jsonb null, "by_key_id" uuid null, primary key ("id"));`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_effect_key_unique" unique ("effect_key");`);
    this.addSql(`create index "ledger_entry_command_id_index" on "ledger_entry" ("command_id");`);
    this.addSql(`create index "ledger_entry_purchase_id_created_at_index" on "ledger_entry" ("purchase_id", "created_at");`);

    this.addSql(`create table "service" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "name" text not null, "price" bigint not null default '0', "duration_minutes" int null, primary key ("id"));`);
    this.addSql(`create index "service_clinic_id_index" on "service" ("clinic_id");`);

    this.addSql(`create table "purchase_balance" ("id" uuid not null, "created_at" timestamptz not null default now(), "purchase_id" uuid not null, "service_id" uuid not null, "service_name" text not null, "total" bigint not null default '0', "used" int not null default 0, "transferred_out" int not null default 0, "transferred_in" int not null default 0, "visit_value" bigint not null default '0', "list_price" bigint not null default '0', "position" int not null default 0, primary key ("id"));`);
    this.addSql(`alter table "purchase_balance" add constraint "purchase_balance_purchase_id_service_id_unique" unique ("purchase_id", "service_id");`);

    this.addSql(`create table "plan_item" ("id" uuid not null, "created_at" timestamptz not null default now(), "plan_id" uuid not null, "service_id" uuid not null, "quantity" int not null, "position" int not null, primary key ("id"));`);
    this.addSql(`alter table "plan_item" add constraint "plan_item_plan_id_service_id_unique" unique ("plan_id", "service_id");`);

    this.addSql(`create table "appointment" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "patient_id" uuid not null, "service_id" uuid not null, "starts_at" timestamptz not null, "invoice_id" uuid null, "created_by_key_id" uuid null, primary key ("id"));`);
    this.addSql(`create index "appointment_clinic_id_patient_id_index" on "appointment" ("clinic_id", "patient_id");`);

    this.addSql(`create table "invoice" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "number" int not null, "patient_id" uuid not null, "kind" text not null, "status" text not null default 'open', "purchase_id" uuid null, "appointment_id" uuid null, "due_date" date null, "service_date" date not null, "cycle_start" date null, "installment_number" int null, "total" bigint not null default '0', "amount_paid" bigint not null default '0', "amount_refunded" bigint not null default '0', "covered_amount" bigint not null default '0', "voided_at" timestamptz null, "created_by_key_id" uuid null, primary key ("id"));`);
    this.addSql(`alter table "invoice" add constraint "invoice_appointment_id_unique" unique ("appointment_id");`);
    this.addSql(`create index "invoice_purchase_id_index" on "invoice" ("purchase_id");`);
    this.addSql(`create index "invoice_clinic_id_kind_status_due_date_index" on "invoice" ("clinic_id", "kind", "status", "due_date");`);
    this.addSql(`create index "invoice_clinic_id_patient_id_index" on "invoice" ("clinic_id", "patient_id");`);
    this.addSql(`alter table "invoice" add constraint "invoice_purchase_id_installment_number_unique" unique ("purchase_id", "installment_number");`);
    this.addSql(`alter table "invoice" add constraint "invoice_purchase_id_cycle_start_unique" unique ("purchase_id", "cycle_start");`);
    this.addSql(`alter table "invoice" add constraint "invoice_clinic_id_number_unique" unique ("clinic_id", "number");`);

    this.addSql(`create table "payment" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "invoice_id" uuid not null, "amount" bigint not null default '0', "method" text not null, "reference" text null, "command_id" uuid null, "effect_key" text not null, "created_by_key_id" uuid null, primary key ("id"));`);
    this.addSql(`alter table "payment" add constraint "payment_effect_key_unique" unique ("effect_key");`);
    this.addSql(`create index "payment_invoice_id_index" on "payment" ("invoice_id");`);

    this.addSql(`create table "invoice_line" ("id" uuid not null, "created_at" timestamptz not null default now(), "invoice_id" uuid not null, "service_id" uuid null, "description" text not null, "quantity" int not null default 1, "unit_price" bigint not null default '0', "amount" bigint not null default '0', "covered_amount" bigint not null default '0', "redemption_purchase_id" uuid null, "redemption_command_id" uuid null, "redemption_payment_id" uuid null, primary key ("id"));`);
    this.addSql(`create index "invoice_line_invoice_id_index" on "invoice_line" ("invoice_id");`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_redemption_command_id_unique" unique ("redemption_command_id");`);
    this.addSql(`create index "invoice_line_redemption_purchase_id_index" on "invoice_line" ("redemption_purchase_id");`);

    this.addSql(`create table "booking" ("id" uuid not null, "created_at" timestamptz not null default now(), "clinic_id" uuid not null, "appointment_id" uuid not null, "invoice_id" uuid not null, "redemption_command_id" uuid null, "created_by_key_id" uuid null, primary key ("id"));`);
    this.addSql(`create index "booking_clinic_id_created_by_key_id_index" on "booking" ("clinic_id", "created_by_key_id");`);

    this.addSql(`alter table "api_key" add constraint "api_key_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "command" add constraint "command_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "command" add constraint "command_requested_by_key_id_foreign" foreign key ("requested_by_key_id") references "api_key" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "family" add constraint "family_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "patient" add constraint "patient_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "patient" add constraint "patient_family_id_foreign" foreign key ("family_id") references "family" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "plan" add constraint "plan_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "purchase" add constraint "purchase_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "purchase" add constraint "purchase_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "purchase" add constraint "purchase_plan_id_foreign" foreign key ("plan_id") references "plan" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "purchase" add constraint "purchase_source_purchase_id_foreign" foreign key ("source_purchase_id") references "purchase" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "purchase" add constraint "purchase_created_by_key_id_foreign" foreign key ("created_by_key_id") references "api_key" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "purchase" add constraint "purchase_check" check (status in ('active', 'exhausted', 'expired', 'cancelled') and price >= 0 and first_visit_extra >= 0);`);

    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_purchase_id_foreign" foreign key ("purchase_id") references "purchase" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_by_key_id_foreign" foreign key ("by_key_id") references "api_key" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "service" add constraint "service_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "purchase_balance" add constraint "purchase_balance_purchase_id_foreign" foreign key ("purchase_id") references "purchase" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "purchase_balance" add constraint "purchase_balance_service_id_foreign" foreign key ("service_id") references "service" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "purchase_balance" add constraint "purchase_balance_never_negative" check (total >= 0 and used >= 0 and transferred_out >= 0 and transferred_in >= 0 and total + transferred_in - used - transferred_out >= 0);`);

    this.addSql(`alter table "plan_item" add constraint "plan_item_plan_id_foreign" foreign key ("plan_id") references "plan" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "plan_item" add constraint "plan_item_service_id_foreign" foreign key ("service_id") references "service" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "appointment" add constraint "appointment_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "appointment" add constraint "appointment_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "appointment" add constraint "appointment_service_id_foreign" foreign key ("service_id") references "service" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "appointment" add constraint "appointment_created_by_key_id_foreign" foreign key ("created_by_key_id") references "api_key" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "invoice" add constraint "invoice_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "invoice" add constraint "invoice_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "invoice" add constraint "invoice_purchase_id_foreign" foreign key ("purchase_id") references "purchase" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "invoice" add constraint "invoice_appointment_id_foreign" foreign key ("appointment_id") references "appointment" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "invoice" add constraint "invoice_created_by_key_id_foreign" foreign key ("created_by_key_id") references "api_key" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "invoice" add constraint "invoice_amounts_consistent" check (status in ('open', 'paid', 'void') and number > 0 and total >= 0 and amount_paid >= 0 and covered_amount >= 0 and amount_refunded >= 0 and amount_refunded <= amount_paid and total - covered_amount - amount_paid >= 0);`);

    this.addSql(`alter table "payment" add constraint "payment_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "payment" add constraint "payment_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "payment" add constraint "payment_created_by_key_id_foreign" foreign key ("created_by_key_id") references "api_key" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "payment" add constraint "payment_amount_not_zero" check (amount <> 0);`);

    this.addSql(`alter table "invoice_line" add constraint "invoice_line_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_service_id_foreign" foreign key ("service_id") references "service" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_redemption_purchase_id_foreign" foreign key ("redemption_purchase_id") references "purchase" ("id") on update no action on delete no action;`);

    this.addSql(`alter table "booking" add constraint "booking_clinic_id_foreign" foreign key ("clinic_id") references "clinic" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "booking" add constraint "booking_appointment_id_foreign" foreign key ("appointment_id") references "appointment" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "booking" add constraint "booking_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "booking" add constraint "booking_created_by_key_id_foreign" foreign key ("created_by_key_id") references "api_key" ("id") on update no action on delete no action;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "api_key" drop constraint "api_key_clinic_id_foreign";`);
    this.addSql(`alter table "command" drop constraint "command_clinic_id_foreign";`);
    this.addSql(`alter table "family" drop constraint "family_clinic_id_foreign";`);
    this.addSql(`alter table "idempotency_record" drop constraint "idempotency_record_clinic_id_foreign";`);
    this.addSql(`alter table "patient" drop constraint "patient_clinic_id_foreign";`);
    this.addSql(`alter table "plan" drop constraint "plan_clinic_id_foreign";`);
    this.addSql(`alter table "purchase" drop constraint "purchase_clinic_id_foreign";`);
    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_clinic_id_foreign";`);
    this.addSql(`alter table "service" drop constraint "service_clinic_id_foreign";`);
    this.addSql(`alter table "appointment" drop constraint "appointment_clinic_id_foreign";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_clinic_id_foreign";`);
    this.addSql(`alter table "payment" drop constraint "payment_clinic_id_foreign";`);
    this.addSql(`alter table "booking" drop constraint "booking_clinic_id_foreign";`);
    this.addSql(`alter table "command" drop constraint "command_requested_by_key_id_foreign";`);
    this.addSql(`alter table "purchase" drop constraint "purchase_created_by_key_id_foreign";`);
    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_by_key_id_foreign";`);
    this.addSql(`alter table "appointment" drop constraint "appointment_created_by_key_id_foreign";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_created_by_key_id_foreign";`);
    this.addSql(`alter table "payment" drop constraint "payment_created_by_key_id_foreign";`);
    this.addSql(`alter table "booking" drop constraint "booking_created_by_key_id_foreign";`);
    this.addSql(`alter table "patient" drop constraint "patient_family_id_foreign";`);
    this.addSql(`alter table "purchase" drop constraint "purchase_patient_id_foreign";`);
    this.addSql(`alter table "appointment" drop constraint "appointment_patient_id_foreign";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_patient_id_foreign";`);
    this.addSql(`alter table "purchase" drop constraint "purchase_plan_id_foreign";`);
    this.addSql(`alter table "plan_item" drop constraint "plan_item_plan_id_foreign";`);
    this.addSql(`alter table "purchase" drop constraint "purchase_source_purchase_id_foreign";`);
    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_purchase_id_foreign";`);
    this.addSql(`alter table "purchase_balance" drop constraint "purchase_balance_purchase_id_foreign";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_purchase_id_foreign";`);
    this.addSql(`alter table "invoice_line" drop constraint "invoice_line_redemption_purchase_id_foreign";`);
    this.addSql(`alter table "purchase_balance" drop constraint "purchase_balance_service_id_foreign";`);
    this.addSql(`alter table "plan_item" drop constraint "plan_item_service_id_foreign";`);
    this.addSql(`alter table "appointment" drop constraint "appointment_service_id_foreign";`);
    this.addSql(`alter table "invoice_line" drop constraint "invoice_line_service_id_foreign";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_appointment_id_foreign";`);
    this.addSql(`alter table "booking" drop constraint "booking_appointment_id_foreign";`);
    this.addSql(`alter table "payment" drop constraint "payment_invoice_id_foreign";`);
    this.addSql(`alter table "invoice_line" drop constraint "invoice_line_invoice_id_foreign";`);
    this.addSql(`alter table "booking" drop constraint "booking_invoice_id_foreign";`);

    this.addSql(`drop table if exists "clinic" cascade;`);
    this.addSql(`drop table if exists "api_key" cascade;`);
    this.addSql(`drop table if exists "command" cascade;`);
    this.addSql(`drop table if exists "family" cascade;`);
    this.addSql(`drop table if exists "idempotency_record" cascade;`);
    this.addSql(`drop table if exists "patient" cascade;`);
    this.addSql(`drop table if exists "plan" cascade;`);
    this.addSql(`drop table if exists "purchase" cascade;`);
    this.addSql(`drop table if exists "ledger_entry" cascade;`);
    this.addSql(`drop table if exists "service" cascade;`);
    this.addSql(`drop table if exists "purchase_balance" cascade;`);
    this.addSql(`drop table if exists "plan_item" cascade;`);
    this.addSql(`drop table if exists "appointment" cascade;`);
    this.addSql(`drop table if exists "invoice" cascade;`);
    this.addSql(`drop table if exists "payment" cascade;`);
    this.addSql(`drop table if exists "invoice_line" cascade;`);
    this.addSql(`drop table if exists "booking" cascade;`);
  }

}
