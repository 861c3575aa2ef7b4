import { Migration } from '@mikro-orm/migrations';

/** Registrations (R-REG): one per learner and session; the locked name cannot change, even in raw SQL (R-REG-2). */
export class M0002Registration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "registration" (
      "id" uuid not null primary key,
      "session_id" uuid not null references "certification_session" ("id"),
      "learner_id" uuid not null references "learner" ("id"),
      "status" text not null default 'IN_PROGRESS',
      "dun_exempt" boolean not null default false,
      "requirements_acknowledged_at" timestamptz null,
      "terms_version" text null,
      "terms_accepted_at" timestamptz null,
      "locked_given_name" text null,
      "locked_family_name" text null,
      "name_locked_at" timestamptz null,
      "paid_at" timestamptz null,
      "cancelled_at" timestamptz null,
      "cancellation_reason" text null,
      "created_at" timestamptz not null,
      "created_by" text not null,
      constraint "registration_one_per_learner_session" unique ("learner_id", "session_id"),
      constraint "registration_status_known" check ("status" in ('IN_PROGRESS', 'ACTIVE', 'CANCELLED')),
      constraint "registration_terms_together" check (("terms_version" is null) = ("terms_accepted_at" is null)),
      constraint "registration_lock_together" check (("name_locked_at" is null) = ("locked_given_name" is null) and ("name_locked_at" is null) = ("locked_family_name" is null)),
      constraint "registration_steps_in_order" check (
        ("terms_accepted_at" is null or "requirements_acknowledged_at" is not null)
        and ("name_locked_at" is null or "terms_accepted_at" is not null)
        and ("paid_at" is null or ("name_locked_at" is not null and not "dun_exempt"))),
      constraint "registration_active_when_done" check ("status" <> 'ACTIVE' or ("name_locked_at" is not null and ("dun_exempt" or "paid_at" is not null))),
      constraint "registration_cancelled_at" check (("status" = 'CANCELLED') = ("cancelled_at" is not null))
    );`);
    this.addSql(`create index "registration_session" on "registration" ("session_id", "created_at", "id");`);
    this.addSql(`create index "registration_learner" on "registration" ("learner_id");`);
    this.addSql(`create index "registration_created" on "registration" ("created_at", "id");`);
    // R-REG-2: once locked, the name is frozen for every role and every client, raw SQL included.
    this.addSql(`create function "registration_name_lock"() returns trigger language plpgsql as $$
      begin
        if old."name_locked_at" is not null and (
             new."locked_given_name" is distinct from old."locked_given_name"
          or new."locked_family_name" is distinct from old."locked_family_name"
          or new."name_locked_at" is distinct from old."name_locked_at") then
          raise exception 'the name of registration % is locked (R-REG-2)', old."id" using errcode = 'check_violation';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "registration_name_lock" before update on "registration"
      for each row execute function "registration_name_lock"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "registration";`);
    this.addSql(`drop function if exists "registration_name_lock"();`);
  }
}
