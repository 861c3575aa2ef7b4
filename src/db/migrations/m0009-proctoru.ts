import { Migration } from '@mikro-orm/migrations';

/**
 * ProctorU integration (issue 12).
 * - `appointment.provider_sync` (PENDING | SYNCED | FAILED; null for appointments made before the
 *   integration), `provider_reservation_no` (ProctorU's number), `provider_error` (last failure).
 * - `proctoru_outbox`: the calls to make, written in the transaction that books, moves or cancels the
 *   appointment and sent by a worker at least once. `seq` orders them: per registration the worker
 *   only sends the oldest unsent row, so a reschedule's REMOVE always precedes its ADD.
 * - `provider_event`: every ProctorU event received, by its id (primary key): a duplicate is ignored.
 */
export class M0009ProctorU extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "appointment"
      add column "provider_sync" text null,
      add column "provider_reservation_no" text null,
      add column "provider_error" text null,
      add constraint "appointment_provider_sync_known" check ("provider_sync" is null or "provider_sync" in ('PENDING', 'SYNCED', 'FAILED'));`);
    this.addSql(`create index "appointment_provider_failed" on "appointment" ("booked_at" desc, "id" desc) where "provider_sync" = 'FAILED';`);
    this.addSql(`create table "proctoru_outbox" (
      "id" uuid not null primary key,
      "seq" bigint generated always as identity,
      "appointment_id" uuid not null references "appointment" ("id"),
      "registration_id" uuid not null references "registration" ("id"),
      "op" text not null,
      "payload" jsonb not null,
      "status" text not null default 'PENDING',
      "attempts" int not null default 0,
      "next_attempt_at" timestamptz not null,
      "last_error" text null,
      "created_at" timestamptz not null,
      "sent_at" timestamptz null,
      constraint "proctoru_outbox_op_known" check ("op" in ('ADD', 'REMOVE')),
      constraint "proctoru_outbox_status_known" check ("status" in ('PENDING', 'SENT', 'FAILED')),
      constraint "proctoru_outbox_attempts_nonnegative" check ("attempts" >= 0),
      constraint "proctoru_outbox_sent_at" check (("status" = 'SENT') = ("sent_at" is not null))
    );`);
    this.addSql(`create unique index "proctoru_outbox_seq" on "proctoru_outbox" ("seq");`);
    this.addSql(`create index "proctoru_outbox_due" on "proctoru_outbox" ("next_attempt_at", "seq") where "status" = 'PENDING';`);
    this.addSql(`create index "proctoru_outbox_registration" on "proctoru_outbox" ("registration_id", "seq") where "status" = 'PENDING';`);
    this.addSql(`create index "proctoru_outbox_appointment" on "proctoru_outbox" ("appointment_id", "seq");`);
    this.addSql(`create table "provider_event" (
      "event_id" text not null primary key,
      "type" text not null,
      "appointment_id" uuid null,
      "received_at" timestamptz not null,
      constraint "provider_event_id_length" check (length("event_id") between 1 and 128)
    );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "provider_event";`);
    this.addSql(`drop table if exists "proctoru_outbox";`);
    this.addSql(`drop index if exists "appointment_provider_failed";`);
    this.addSql(`alter table "appointment" drop constraint if exists "appointment_provider_sync_known",
      drop column if exists "provider_sync", drop column if exists "provider_reservation_no", drop column if exists "provider_error";`);
  }
}
