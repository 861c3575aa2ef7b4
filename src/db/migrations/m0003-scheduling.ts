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
    // R-SCH-5: at most one active (BOOKED) appointment per registration. Deferred to commit: a reschedule
    // inserts the new BOOKED appointment before the old one becomes RESCHEDULED (it must name its
    // replacement, which must exist first).
    this.addSql(`alter table "appointment" add constraint "appointment_one_active"
      exclude using btree ("registration_id" with =) where ("status" = 'BOOKED') deferrable initially deferred;`);
    // R-SCH-7: one priority appointment per incident (a rescheduled one hands the incident over to its replacement).
    this.addSql(`alter table "appointment" add constraint "appointment_one_per_incident"
      exclude using btree ("incident_id" with =) where ("incident_id" is not null and "status" <> 'RESCHEDULED') deferrable initially deferred;`);
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

    // R-SCH-3: one counter row per (session, start) = the number of BOOKED appointments there. Booking
    // locks the row (FOR UPDATE) before comparing it with the capacity, so concurrent bookings of one
    // slot queue up on it; the trigger keeps the count exact whoever changes an appointment (services,
    // the refund hook, raw SQL) and refuses, as a last line, any count above capacity + 1 (R-SCH-7).
    this.addSql(`create table "slot" (
      "session_id" uuid not null references "certification_session" ("id"),
      "starts_at" timestamptz not null,
      "booked" int not null default 0,
      primary key ("session_id", "starts_at"),
      constraint "slot_booked_not_negative" check ("booked" >= 0)
    );`);
    this.addSql(`create function "appointment_slot_count"() returns trigger language plpgsql as $$
      declare
        n int;
        cap int;
      begin
        if tg_op = 'UPDATE' and old.status = new.status and old.starts_at = new.starts_at and old.session_id = new.session_id then
          return new;
        end if;
        if tg_op in ('UPDATE', 'DELETE') and old.status = 'BOOKED' then
          update "slot" set "booked" = "booked" - 1 where "session_id" = old.session_id and "starts_at" = old.starts_at;
        end if;
        if tg_op in ('INSERT', 'UPDATE') and new.status = 'BOOKED' then
          insert into "slot" ("session_id", "starts_at", "booked") values (new.session_id, new.starts_at, 1)
            on conflict ("session_id", "starts_at") do update set "booked" = "slot"."booked" + 1
            returning "booked" into n;
          select "slot_capacity" into cap from "certification_session" where "id" = new.session_id;
          if n > cap + (case when new.priority then 1 else 0 end) then
            raise exception 'slot % of session % is full (% booked, capacity %)', new.starts_at, new.session_id, n, cap
              using errcode = 'check_violation', constraint = 'slot_capacity';
          end if;
        end if;
        if tg_op = 'DELETE' then return old; end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "appointment_slot_count" after insert or update or delete on "appointment"
      for each row execute function "appointment_slot_count"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "appointment_slot_count" on "appointment";`);
    this.addSql(`drop function if exists "appointment_slot_count"();`);
    this.addSql(`drop table if exists "slot";`);
    this.addSql(`alter table "appointment" drop constraint if exists "appointment_incident_fk";`);
    this.addSql(`drop table if exists "provider_incident";`);
    this.addSql(`drop table if exists "appointment";`);
  }
}
