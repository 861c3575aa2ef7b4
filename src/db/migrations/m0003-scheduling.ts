import { Migration } from '@mikro-orm/migrations';

/**
 * Appointments and provider incidents (R-SCH, R-INC). The scheduling issue owns the rules; the tables
 * are here early because refunds read them (R-REF-2 any appointment ever booked, R-REF-3 a confirmed
 * provider incident).
 */
export class M0003Scheduling extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "appointment" (
      "id" uuid not null primary key,
      "registration_id" uuid not null references "registration" ("id"),
      "session_id" uuid not null references "certification_session" ("id"),
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "status" text not null default 'BOOKED',
      "priority" boolean not null default false,
      "incident_id" uuid null,
      "booked_at" timestamptz not null,
      "booked_by" text not null,
      "cancelled_at" timestamptz null,
      "cancellation_reason" text null,
      "replaced_by_id" uuid null references "appointment" ("id"),
      constraint "appointment_status_known" check ("status" in ('BOOKED', 'RESCHEDULED', 'CANCELLED', 'COMPLETED', 'MISSED', 'PROVIDER_FAULT')),
      constraint "appointment_ends_after_start" check ("ends_at" > "starts_at"),
      constraint "appointment_priority_has_incident" check ("priority" = ("incident_id" is not null)),
      constraint "appointment_rescheduled_has_replacement" check (("status" = 'RESCHEDULED') = ("replaced_by_id" is not null))
    );`);
    // R-SCH-5: at most one active (BOOKED) appointment per registration.
    this.addSql(`create unique index "appointment_one_active" on "appointment" ("registration_id") where "status" = 'BOOKED';`);
    // R-SCH-7: one priority appointment per incident.
    this.addSql(`create unique index "appointment_one_per_incident" on "appointment" ("incident_id") where "incident_id" is not null;`);
    this.addSql(`create index "appointment_slot" on "appointment" ("session_id", "starts_at") where "status" = 'BOOKED';`);
    this.addSql(`create index "appointment_registration" on "appointment" ("registration_id", "booked_at");`);

    this.addSql(`create table "provider_incident" (
      "id" uuid not null primary key,
      "registration_id" uuid not null references "registration" ("id"),
      "appointment_id" uuid not null references "appointment" ("id"),
      "kind" text not null,
      "description" text not null,
      "provider_reference" text null,
      "occurred_at" timestamptz not null,
      "confirmed_by_provider" boolean not null default false,
      "confirmed_at" timestamptz null,
      "reported_by" text not null,
      "reported_at" timestamptz not null,
      constraint "incident_kind_known" check ("kind" in ('DISCONNECTION', 'PROCTOR_UNAVAILABLE', 'SOFTWARE_FAILURE', 'OTHER')),
      constraint "incident_confirmed_at" check ("confirmed_by_provider" = ("confirmed_at" is not null))
    );`);
    this.addSql(`create index "incident_registration" on "provider_incident" ("registration_id");`);
    this.addSql(`alter table "appointment" add constraint "appointment_incident_fk" foreign key ("incident_id") references "provider_incident" ("id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "appointment" drop constraint if exists "appointment_incident_fk";`);
    this.addSql(`drop table if exists "provider_incident";`);
    this.addSql(`drop table if exists "appointment";`);
  }
}
