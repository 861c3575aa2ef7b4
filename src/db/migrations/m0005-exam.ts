import { Migration } from '@mikro-orm/migrations';

/**
 * Exam content, attempts and results (R-EXA, R-RES). The rules that must survive concurrency and bugs
 * are constraints here: one attempt per appointment and at most one not voided per registration
 * (R-EXA-6), a timed-out attempt ends at its deadline (R-EXA-4), one result per attempt, and a
 * published result never changes except to VOIDED (R-RES-1).
 *
 * Lock order, shared with scheduling and incidents: registration → appointment → attempt → result.
 * (A result reaches its registration through its attempt: a registration column with its own foreign
 * key would make every grading batch lock registration rows after attempt rows.)
 */
export class M0005Exam extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "exam_content" (
      "session_id" uuid not null primary key references "certification_session" ("id"),
      "parts" jsonb not null,
      "answer_key" jsonb not null,
      "proctor_password_hash" text not null,
      "updated_at" timestamptz not null,
      "updated_by" text not null,
      constraint "exam_content_three_parts" check (jsonb_array_length("parts") = 3 and jsonb_array_length("answer_key") = 3),
      constraint "exam_content_password_argon2id" check ("proctor_password_hash" like '$argon2id$%')
    );`);

    this.addSql(`create table "exam_attempt" (
      "id" uuid not null primary key,
      "registration_id" uuid not null references "registration" ("id"),
      "appointment_id" uuid not null references "appointment" ("id"),
      "session_id" uuid not null references "certification_session" ("id"),
      "status" text not null default 'READY',
      "ended_by" text null,
      "duration_minutes" int not null,
      "unlocked_at" timestamptz not null,
      "unlocked_by" text not null,
      "started_at" timestamptz null,
      "deadline" timestamptz null,
      "submitted_at" timestamptz null,
      "parts" jsonb not null,
      "voided_at" timestamptz null,
      "void_reason" text null,
      "graded_at" timestamptz null,
      constraint "exam_attempt_one_per_appointment" unique ("appointment_id"),
      constraint "exam_attempt_status_known" check ("status" in ('READY', 'STARTED', 'SUBMITTED', 'VOIDED')),
      constraint "exam_attempt_ended_by_known" check ("ended_by" is null or "ended_by" in ('LEARNER', 'TIMEOUT')),
      constraint "exam_attempt_duration_positive" check ("duration_minutes" > 0),
      constraint "exam_attempt_three_parts" check (jsonb_array_length("parts") = 3),
      constraint "exam_attempt_started" check (("started_at" is null) = ("deadline" is null) and ("status" <> 'READY' or "started_at" is null) and ("status" not in ('STARTED', 'SUBMITTED') or "started_at" is not null)),
      constraint "exam_attempt_deadline" check ("deadline" is null or "deadline" = "started_at" + make_interval(mins => "duration_minutes")),
      constraint "exam_attempt_ended" check (("submitted_at" is null) = ("ended_by" is null) and ("status" <> 'SUBMITTED' or "submitted_at" is not null)),
      constraint "exam_attempt_timeout_at_deadline" check ("ended_by" is distinct from 'TIMEOUT' or "submitted_at" = "deadline"),
      constraint "exam_attempt_voided" check (("status" = 'VOIDED') = ("voided_at" is not null)),
      constraint "exam_attempt_graded" check ("graded_at" is null or "status" in ('SUBMITTED', 'VOIDED'))
    );`);
    // R-EXA-6 (with the R-SCH-7 exception): a voided attempt leaves room for the priority one.
    this.addSql(`create unique index "exam_attempt_one_live_per_registration" on "exam_attempt" ("registration_id") where "status" <> 'VOIDED';`);
    this.addSql(`create index "exam_attempt_registration" on "exam_attempt" ("registration_id", "unlocked_at");`);
    // END_EXPIRED_ATTEMPTS and COMPUTE_RESULTS scan only what they need.
    this.addSql(`create index "exam_attempt_running_deadline" on "exam_attempt" ("deadline") where "status" = 'STARTED';`);
    // COMPUTE_RESULTS' work queue: ended attempts not graded yet (graded ones leave the index).
    this.addSql(`create index "exam_attempt_to_grade" on "exam_attempt" ("id") where "status" = 'SUBMITTED' and "graded_at" is null;`);

    // Wrong proctor passwords (R-EXA-2), at real-clock instants: 5 within 10 minutes lock the appointment.
    this.addSql(`create table "exam_unlock_failure" (
      "id" bigint generated always as identity primary key,
      "appointment_id" uuid not null references "appointment" ("id"),
      "failed_at" timestamptz not null,
      "actor" text not null
    );`);
    this.addSql(`create index "exam_unlock_failure_appointment" on "exam_unlock_failure" ("appointment_id", "failed_at");`);

    this.addSql(`create table "exam_result" (
      "id" uuid not null primary key,
      "attempt_id" uuid not null references "exam_attempt" ("id"),
      "part_scores" int[] not null,
      "total_score" int not null,
      "max_score" int not null,
      "percent" double precision not null,
      "passed" boolean not null,
      "status" text not null default 'PENDING',
      "computed_at" timestamptz not null,
      "published_at" timestamptz null,
      "voided_at" timestamptz null,
      "void_reason" text null,
      constraint "exam_result_one_per_attempt" unique ("attempt_id"),
      constraint "exam_result_status_known" check ("status" in ('PENDING', 'PUBLISHED', 'VOIDED')),
      constraint "exam_result_scores" check (cardinality("part_scores") = 3 and 0 <= all("part_scores") and 10 >= all("part_scores")
        and "total_score" = "part_scores"[1] + "part_scores"[2] + "part_scores"[3] and "max_score" = 30 and "percent" between 0 and 100),
      constraint "exam_result_published" check ("status" <> 'PUBLISHED' or "published_at" is not null),
      constraint "exam_result_voided" check (("status" = 'VOIDED') = ("voided_at" is not null))
    );`);
    this.addSql(`create index "exam_result_pending" on "exam_result" ("id") where "status" = 'PENDING';`);
    // R-RES-1: a published result changes only to VOIDED (a fraud decision); a voided one never changes.
    this.addSql(`create function "exam_result_frozen"() returns trigger language plpgsql as $$
      begin
        if old.status = 'VOIDED' then
          raise exception 'exam_result %: a voided result never changes', old.id using errcode = 'check_violation', constraint = 'exam_result_frozen';
        end if;
        if old.status = 'PUBLISHED' and (new.status <> 'VOIDED' or new.part_scores is distinct from old.part_scores or new.total_score <> old.total_score
            or new.percent <> old.percent or new.passed <> old.passed or new.published_at is distinct from old.published_at
            or new.computed_at <> old.computed_at or new.attempt_id <> old.attempt_id) then
          raise exception 'exam_result %: a published result only changes to VOIDED', old.id using errcode = 'check_violation', constraint = 'exam_result_frozen';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "exam_result_frozen" before update on "exam_result" for each row execute function "exam_result_frozen"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "exam_result";`);
    this.addSql(`drop function if exists "exam_result_frozen"();`);
    this.addSql(`drop table if exists "exam_unlock_failure";`);
    this.addSql(`drop table if exists "exam_attempt";`);
    this.addSql(`drop table if exists "exam_content";`);
  }
}
