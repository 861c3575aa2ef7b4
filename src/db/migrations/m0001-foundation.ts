import { Migration } from '@mikro-orm/migrations';

/**
 * Foundation: staff users, API tokens, learners (with the ProctorU profile), certification sessions,
 * the append-only audit log and job runs. Invariants that evidence depends on live here, not only in code.
 */
export class M0001Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create extension if not exists pg_trgm;`);

    this.addSql(`create table "staff_user" (
      "id" uuid not null primary key,
      "email" text not null,
      "display_name" text not null,
      "password_hash" text not null,
      "roles" text[] not null,
      "created_at" timestamptz not null,
      "disabled_at" timestamptz null,
      constraint "staff_user_email_unique" unique ("email"),
      constraint "staff_user_email_lower" check ("email" = lower("email")),
      constraint "staff_user_roles_known" check ("roles" <@ array['SUPPORT','PAYMENTS','CERTIFICATION','ADMIN','INTEGRATION']::text[] and cardinality("roles") > 0)
    );`);

    this.addSql(`create table "api_token" (
      "id" uuid not null primary key,
      "name" text not null,
      "token_hash" text not null,
      "roles" text[] not null,
      "created_by" text not null,
      "created_at" timestamptz not null,
      "revoked_at" timestamptz null,
      constraint "api_token_token_hash_unique" unique ("token_hash"),
      constraint "api_token_hash_is_sha256" check ("token_hash" ~ '^[0-9a-f]{64}$'),
      constraint "api_token_roles_known" check ("roles" <@ array['SUPPORT','PAYMENTS','CERTIFICATION','ADMIN','INTEGRATION']::text[] and cardinality("roles") > 0)
    );`);

    this.addSql(`create table "learner" (
      "id" uuid not null primary key,
      "external_id" text not null,
      "email" text not null,
      "username" text not null,
      "given_name" text not null,
      "family_name" text not null,
      "phone" text null,
      "address" text null,
      "city" text null,
      "time_zone" text null,
      "country" text null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "learner_external_id_unique" unique ("external_id"),
      constraint "learner_country_iso" check ("country" is null or "country" ~ '^[A-Z]{2}$')
    );`);
    // R-SUP-1: support finds a learner by e-mail, user name, name or external id (substring search).
    this.addSql(`create index "learner_search_trgm" on "learner" using gin (
      (lower("email") || ' ' || lower("username") || ' ' || lower("given_name") || ' ' || lower("family_name") || ' ' || lower("external_id")) gin_trgm_ops);`);
    this.addSql(`create index "learner_email_lower" on "learner" (lower("email"));`);

    this.addSql(`create table "certification_session" (
      "id" uuid not null primary key,
      "course_title" text not null,
      "course_code" text not null,
      "university" text not null,
      "course_start_date" date not null,
      "price_cents" int not null,
      "currency" text not null,
      "exam_period_start" date not null,
      "exam_period_end" date not null,
      "daily_start" text not null,
      "daily_end" text not null,
      "excluded_weekdays" text[] not null,
      "time_zone" text not null,
      "exam_duration_minutes" int not null,
      "slot_step_minutes" int not null,
      "booking_lead_hours" int not null,
      "slot_capacity" int not null,
      "certificate_deadline" timestamptz not null,
      "evidence_retention_days" int not null,
      "pass_mark_percent" int not null,
      "created_at" timestamptz not null,
      "created_by" text not null,
      constraint "session_price_positive" check ("price_cents" > 0),
      constraint "session_currency_iso" check ("currency" ~ '^[A-Z]{3}$'),
      constraint "session_period_ordered" check ("exam_period_start" <= "exam_period_end"),
      constraint "session_daily_hours" check ("daily_start" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and "daily_end" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and "daily_start" < "daily_end"),
      constraint "session_weekdays_known" check ("excluded_weekdays" <@ array['MONDAY','TUESDAY','WEDNESDAY','THURSDAY','FRIDAY','SATURDAY','SUNDAY']::text[]),
      constraint "session_durations_positive" check ("exam_duration_minutes" > 0 and "slot_step_minutes" > 0 and "booking_lead_hours" >= 0 and "slot_capacity" > 0 and "evidence_retention_days" > 0),
      constraint "session_pass_mark_range" check ("pass_mark_percent" between 0 and 100)
    );`);

    this.addSql(`create table "audit_event" (
      "id" bigint generated always as identity primary key,
      "at" timestamptz not null,
      "recorded_at" timestamptz not null default now(),
      "actor" text not null,
      "action" text not null,
      "subject_type" text not null,
      "subject_id" text not null,
      "details" jsonb null,
      "request_id" text null
    );`);
    this.addSql(`create index "audit_event_subject" on "audit_event" ("subject_id", "id");`);
    this.addSql(`create index "audit_event_at" on "audit_event" ("at", "id");`);
    this.addSql(`create index "audit_event_action" on "audit_event" ("action", "id");`);
    this.addSql(`create index "audit_event_actor" on "audit_event" ("actor", "id");`);
    // R-SEC-2: the audit log is append-only, whatever the client (the application or raw SQL).
    this.addSql(`create function "audit_event_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_event is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(`create trigger "audit_event_no_update_delete" before update or delete on "audit_event"
      for each row execute function "audit_event_append_only"();`);
    this.addSql(`create trigger "audit_event_no_truncate" before truncate on "audit_event"
      for each statement execute function "audit_event_append_only"();`);

    this.addSql(`create table "job_run" (
      "id" uuid not null primary key,
      "job" text not null,
      "trigger" text not null,
      "tick" timestamptz null,
      "status" text not null default 'RUNNING',
      "started_at" timestamptz not null,
      "finished_at" timestamptz null,
      "items_processed" int not null default 0,
      "error" text null,
      "instance" text not null,
      "requested_by" text null,
      constraint "job_run_trigger_known" check ("trigger" in ('SCHEDULE', 'MANUAL')),
      constraint "job_run_status_known" check ("status" in ('RUNNING', 'SUCCEEDED', 'FAILED')),
      constraint "job_run_tick_for_schedule" check (("trigger" = 'SCHEDULE') = ("tick" is not null)),
      constraint "job_run_items_nonnegative" check ("items_processed" >= 0)
    );`);
    // R-JOB-1: one run per (job, schedule tick), however many server instances run the schedule.
    this.addSql(`create unique index "job_run_one_per_tick" on "job_run" ("job", "tick") where "tick" is not null;`);
    this.addSql(`create index "job_run_job_started" on "job_run" ("job", "started_at" desc);`);
    this.addSql(`create index "job_run_started" on "job_run" ("started_at" desc, "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "job_run";`);
    this.addSql(`drop table if exists "audit_event";`);
    this.addSql(`drop function if exists "audit_event_append_only"();`);
    this.addSql(`drop table if exists "certification_session";`);
    this.addSql(`drop table if exists "learner";`);
    this.addSql(`drop table if exists "api_token";`);
    this.addSql(`drop table if exists "staff_user";`);
  }
}
