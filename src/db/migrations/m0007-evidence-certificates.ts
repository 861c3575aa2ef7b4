import { Migration } from '@mikro-orm/migrations';

/**
 * Stored objects, evidence, fraud review, legal holds and certificates (R-EVI, R-CER).
 *
 * Every stored object is encrypted with its own AES-256 key, kept in `object_key` and nowhere else:
 * deleting that row destroys the object everywhere a copy of its bytes may remain (crypto-shredding).
 * What money and evidence depend on is enforced here: one evidence object per kind and attempt, a
 * purged object never comes back, one open fraud case per attempt, one active hold per case, one
 * certificate per registration with a frozen holder name, revocation is final.
 *
 * Lock order, shared with the exam: registration → appointment → attempt → result → fraud case →
 * evidence → certificate.
 */
export class M0007EvidenceCertificates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "object_key" (
      "storage_key" text not null primary key,
      "data_key" bytea not null,
      "created_at" timestamptz not null default now(),
      constraint "object_key_aes256" check (octet_length("data_key") = 32)
    );`);

    this.addSql(`create table "evidence" (
      "id" uuid not null primary key,
      "attempt_id" uuid not null references "exam_attempt" ("id"),
      "registration_id" uuid not null references "registration" ("id"),
      "session_id" uuid not null references "certification_session" ("id"),
      "kind" text not null,
      "content_type" text not null,
      "size_bytes" bigint not null,
      "sha256" text not null,
      "captured_at" timestamptz not null,
      "retain_until" timestamptz not null,
      "received_at" timestamptz not null,
      "received_by" text not null,
      "status" text not null default 'RETAINED',
      "storage_key" text null,
      "purged_at" timestamptz null,
      "purge_job_run_id" uuid null references "job_run" ("id"),
      constraint "evidence_one_per_kind" unique ("attempt_id", "kind"),
      constraint "evidence_kind_known" check ("kind" in ('VIDEO', 'ID_DOCUMENT', 'FACE_PHOTO')),
      constraint "evidence_status_known" check ("status" in ('RETAINED', 'PURGED')),
      constraint "evidence_size_positive" check ("size_bytes" > 0),
      constraint "evidence_sha256_hex" check ("sha256" ~ '^[0-9a-f]{64}$'),
      constraint "evidence_retention_after_capture" check ("retain_until" > "captured_at"),
      constraint "evidence_purged" check ((("status" = 'PURGED') = ("purged_at" is not null)) and (("status" = 'PURGED') = ("storage_key" is null)))
    );`);
    // PURGE_EVIDENCE's work queue: retained objects by retention end (purged ones leave the index).
    this.addSql(`create index "evidence_to_purge" on "evidence" ("retain_until", "id") where "status" = 'RETAINED';`);
    this.addSql(`create index "evidence_registration" on "evidence" ("registration_id");`);
    // R-EVI-4: what was measured at ingestion never changes, and a purged object never comes back.
    this.addSql(`create function "evidence_frozen"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'evidence %: rows are never deleted (the purge keeps a tombstone)', old.id using errcode = 'check_violation', constraint = 'evidence_frozen';
        end if;
        if old.status = 'PURGED' and new.status <> 'PURGED' then
          raise exception 'evidence %: a purged object never comes back', old.id using errcode = 'check_violation', constraint = 'evidence_frozen';
        end if;
        if new.attempt_id <> old.attempt_id or new.kind <> old.kind or new.size_bytes <> old.size_bytes or new.sha256 <> old.sha256
            or new.captured_at <> old.captured_at or new.retain_until <> old.retain_until or new.received_at <> old.received_at
            or (old.storage_key is not null and new.storage_key is not null and new.storage_key <> old.storage_key) then
          raise exception 'evidence %: what was measured at ingestion never changes', old.id using errcode = 'check_violation', constraint = 'evidence_frozen';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "evidence_frozen" before update or delete on "evidence" for each row execute function "evidence_frozen"();`);

    // Proof of deletion (R-EVI-4): no personal data, only what the object was and when it was destroyed.
    this.addSql(`create table "evidence_tombstone" (
      "evidence_id" uuid not null primary key references "evidence" ("id"),
      "kind" text not null,
      "size_bytes" bigint not null,
      "sha256" text not null,
      "purged_at" timestamptz not null,
      "job_run_id" uuid null references "job_run" ("id"),
      "storage_was_missing" boolean not null default false
    );`);
    this.addSql(`create trigger "evidence_tombstone_append_only" before update or delete on "evidence_tombstone"
      for each row execute function "audit_event_append_only"();`);

    this.addSql(`create table "fraud_case" (
      "id" uuid not null primary key,
      "attempt_id" uuid not null references "exam_attempt" ("id"),
      "registration_id" uuid not null references "registration" ("id"),
      "session_id" uuid not null references "certification_session" ("id"),
      "status" text not null default 'OPEN',
      "source" text not null,
      "summary" text not null,
      "opened_by" text not null,
      "opened_at" timestamptz not null,
      "purge_deadline" timestamptz not null,
      "reviewer" text null,
      "review_started_at" timestamptz null,
      "decided_by" text null,
      "decided_at" timestamptz null,
      "decision_reason" text null,
      constraint "fraud_case_status_known" check ("status" in ('OPEN', 'UNDER_REVIEW', 'CLEARED', 'FRAUD_CONFIRMED')),
      constraint "fraud_case_source_known" check ("source" in ('PROCTOR_REPORT', 'CERTIFICATION_TEAM')),
      constraint "fraud_case_summary" check (length(btrim("summary")) > 0),
      constraint "fraud_case_reviewed" check (("status" = 'OPEN') = ("review_started_at" is null) and ("review_started_at" is null) = ("reviewer" is null)),
      constraint "fraud_case_decided" check ((("status" in ('CLEARED', 'FRAUD_CONFIRMED')) = ("decided_at" is not null))
        and ("decided_at" is null) = ("decided_by" is null) and ("decided_at" is null) = ("decision_reason" is null)
        and ("decision_reason" is null or length(btrim("decision_reason")) > 0))
    );`);
    // R-EVI-3: at most one case under way per attempt; the review queue is ordered by purge deadline (R-EVI-5).
    this.addSql(`create unique index "fraud_case_one_open_per_attempt" on "fraud_case" ("attempt_id") where "status" in ('OPEN', 'UNDER_REVIEW');`);
    this.addSql(`create index "fraud_case_open_queue" on "fraud_case" ("purge_deadline", "id") where "status" in ('OPEN', 'UNDER_REVIEW');`);
    this.addSql(`create index "fraud_case_registration" on "fraud_case" ("registration_id");`);
    this.addSql(`create index "fraud_case_opened" on "fraud_case" ("opened_at", "id");`);
    // A decision is final.
    this.addSql(`create function "fraud_case_decided_final"() returns trigger language plpgsql as $$
      begin
        if old.status in ('CLEARED', 'FRAUD_CONFIRMED') and (new.status <> old.status or new.decided_at <> old.decided_at
            or new.decision_reason <> old.decision_reason or new.decided_by <> old.decided_by) then
          raise exception 'fraud_case %: a decision is final', old.id using errcode = 'check_violation', constraint = 'fraud_case_decided_final';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "fraud_case_decided_final" before update on "fraud_case" for each row execute function "fraud_case_decided_final"();`);

    this.addSql(`create table "fraud_case_event" (
      "id" bigint generated always as identity primary key,
      "case_id" uuid not null references "fraud_case" ("id"),
      "at" timestamptz not null,
      "actor" text not null,
      "action" text not null,
      "from_status" text null,
      "to_status" text null,
      "reason" text null
    );`);
    this.addSql(`create index "fraud_case_event_case" on "fraud_case_event" ("case_id", "id");`);
    this.addSql(`create trigger "fraud_case_event_append_only" before update or delete on "fraud_case_event"
      for each row execute function "audit_event_append_only"();`);

    this.addSql(`create table "legal_hold" (
      "id" uuid not null primary key,
      "case_id" uuid not null references "fraud_case" ("id"),
      "attempt_id" uuid not null references "exam_attempt" ("id"),
      "placed_by" text not null,
      "placed_at" timestamptz not null,
      "reason" text not null,
      "released_by" text null,
      "released_at" timestamptz null,
      "release_reason" text null,
      constraint "legal_hold_reason" check (length(btrim("reason")) > 0),
      constraint "legal_hold_released" check (("released_at" is null) = ("released_by" is null) and ("released_at" is null) = ("release_reason" is null))
    );`);
    // R-EVI-4: one active hold per case; the purge skips attempts with an active hold.
    this.addSql(`create unique index "legal_hold_one_active_per_case" on "legal_hold" ("case_id") where "released_at" is null;`);
    this.addSql(`create index "legal_hold_active_attempt" on "legal_hold" ("attempt_id") where "released_at" is null;`);

    this.addSql(`create table "certificate" (
      "id" uuid not null primary key,
      "registration_id" uuid not null references "registration" ("id"),
      "result_id" uuid not null references "exam_result" ("id"),
      "session_id" uuid not null references "certification_session" ("id"),
      "holder_name" text not null,
      "course_title" text not null,
      "university" text not null,
      "issued_at" timestamptz not null,
      "issued_by" text not null,
      "verification_code" text not null,
      "storage_key" text not null,
      "sha256" text not null,
      "size_bytes" int not null,
      "status" text not null default 'VALID',
      "revoked_at" timestamptz null,
      "revoked_by" text null,
      "revocation_reason" text null,
      constraint "certificate_one_per_registration" unique ("registration_id"),
      constraint "certificate_one_per_result" unique ("result_id"),
      constraint "certificate_code_unique" unique ("verification_code"),
      constraint "certificate_status_known" check ("status" in ('VALID', 'REVOKED')),
      constraint "certificate_sha256_hex" check ("sha256" ~ '^[0-9a-f]{64}$'),
      constraint "certificate_holder_name" check (length(btrim("holder_name")) > 0),
      constraint "certificate_revoked" check ((("status" = 'REVOKED') = ("revoked_at" is not null))
        and ("revoked_at" is null) = ("revoked_by" is null) and ("revoked_at" is null) = ("revocation_reason" is null))
    );`);
    this.addSql(`create index "certificate_session_issued" on "certificate" ("session_id", "issued_at", "id");`);
    this.addSql(`create index "certificate_issued" on "certificate" ("issued_at", "id");`);
    // R-CER-2 / R-REG-2: what was issued never changes; revocation is final; certificates are never deleted.
    this.addSql(`create function "certificate_frozen"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'certificate %: certificates are never deleted (revoke instead)', old.id using errcode = 'check_violation', constraint = 'certificate_frozen';
        end if;
        if new.holder_name <> old.holder_name or new.course_title <> old.course_title or new.university <> old.university
            or new.issued_at <> old.issued_at or new.verification_code <> old.verification_code or new.storage_key <> old.storage_key
            or new.sha256 <> old.sha256 or new.size_bytes <> old.size_bytes or new.registration_id <> old.registration_id
            or new.result_id <> old.result_id then
          raise exception 'certificate %: an issued certificate never changes', old.id using errcode = 'check_violation', constraint = 'certificate_frozen';
        end if;
        if old.status = 'REVOKED' and (new.status <> 'REVOKED' or new.revoked_at <> old.revoked_at or new.revocation_reason <> old.revocation_reason) then
          raise exception 'certificate %: a revocation is final', old.id using errcode = 'check_violation', constraint = 'certificate_frozen';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "certificate_frozen" before update or delete on "certificate" for each row execute function "certificate_frozen"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "certificate";`);
    this.addSql(`drop function if exists "certificate_frozen"();`);
    this.addSql(`drop table if exists "legal_hold";`);
    this.addSql(`drop table if exists "fraud_case_event";`);
    this.addSql(`drop table if exists "fraud_case";`);
    this.addSql(`drop function if exists "fraud_case_decided_final"();`);
    this.addSql(`drop table if exists "evidence_tombstone";`);
    this.addSql(`drop table if exists "evidence";`);
    this.addSql(`drop function if exists "evidence_frozen"();`);
    this.addSql(`drop table if exists "object_key";`);
  }
}
