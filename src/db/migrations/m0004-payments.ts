import { Migration } from '@mikro-orm/migrations';

/**
 * Equipment checks, payments, refunds and idempotency keys (R-TEC, R-PAY, R-REF). Money invariants are
 * database constraints: one payment per registration, NUMTRANS unique, refunded ≤ paid, at most one
 * open and at most one successful refund per payment, a NUMQUESTION used once.
 */
export class M0004Payments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "equipment_check" (
      "id" uuid not null primary key,
      "learner_id" uuid not null references "learner" ("id"),
      "checked_at" timestamptz not null,
      "recorded_by" text not null,
      "operating_system" text not null,
      "os_version" text not null,
      "webcam_width" int not null,
      "webcam_height" int not null,
      "has_microphone" boolean not null,
      "has_speakers" boolean not null,
      "download_kbps" int not null,
      "upload_kbps" int not null,
      "port1935_open" boolean not null,
      "public_place" boolean not null,
      "compatible" boolean not null,
      "failed_requirements" text[] not null,
      "screenshot" bytea null,
      "screenshot_content_type" text null,
      "screenshot_sha256" text null,
      constraint "equipment_check_os_known" check ("operating_system" in ('WINDOWS', 'MACOS', 'LINUX', 'OTHER')),
      constraint "equipment_check_compatible" check ("compatible" = (cardinality("failed_requirements") = 0)),
      constraint "equipment_check_screenshot" check (("screenshot" is null) = ("screenshot_sha256" is null))
    );`);
    this.addSql(`create index "equipment_check_learner" on "equipment_check" ("learner_id", "checked_at");`);

    this.addSql(`create table "payment" (
      "id" uuid not null primary key,
      "registration_id" uuid not null references "registration" ("id"),
      "amount_cents" int not null,
      "currency" text not null,
      "card_brand" text not null,
      "card_expiry" text not null,
      "e_carte_bleue" boolean not null default false,
      "num_appel" text not null,
      "num_trans" text not null,
      "authorization_number" text not null,
      "paid_at" timestamptz not null,
      "status" text not null default 'PAID',
      "refunded_cents" int not null default 0,
      "source" text not null,
      "recorded_at" timestamptz not null,
      "recorded_by" text not null,
      constraint "payment_one_per_registration" unique ("registration_id"),
      constraint "payment_num_trans_unique" unique ("num_trans"),
      constraint "payment_amount_positive" check ("amount_cents" > 0),
      constraint "payment_refunded_within_paid" check ("refunded_cents" between 0 and "amount_cents"),
      constraint "payment_status_known" check ("status" in ('PAID', 'REFUNDED')),
      constraint "payment_refunded_status" check (("status" = 'REFUNDED') = ("refunded_cents" > 0)),
      constraint "payment_brand_known" check ("card_brand" in ('VISA', 'MASTERCARD', 'AMEX', 'CB', 'OTHER')),
      constraint "payment_card_expiry_mmyy" check ("card_expiry" ~ '^(0[1-9]|1[0-2])[0-9]{2}$'),
      constraint "payment_source_known" check ("source" in ('API', 'IPN'))
    );`);
    this.addSql(`create index "payment_paid_at" on "payment" ("paid_at", "id");`);

    this.addSql(`create table "refund_request" (
      "id" uuid not null primary key,
      "registration_id" uuid not null references "registration" ("id"),
      "payment_id" uuid not null references "payment" ("id"),
      "reason" text not null,
      "status" text not null default 'SUBMITTED',
      "amount_cents" int not null,
      "payment_ticket" text not null,
      "incident_id" uuid null references "provider_incident" ("id"),
      "learner_first_name" text not null,
      "learner_last_name" text not null,
      "username" text not null,
      "email" text not null,
      "comment" text null,
      "requested_by" text not null,
      "requested_at" timestamptz not null,
      "decided_by" text null,
      "decided_at" timestamptz null,
      "decision_comment" text null,
      "provider_request_number" text null,
      "provider_reference" text null,
      "provider_response_code" text null,
      "settlement_method" text null,
      "settlement_reference" text null,
      "completed_at" timestamptz null,
      "updated_at" timestamptz not null,
      constraint "refund_reason_known" check ("reason" in ('WITHDRAWAL', 'PROVIDER_TECHNICAL_PROBLEM')),
      constraint "refund_status_known" check ("status" in ('SUBMITTED', 'APPROVED', 'REJECTED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'SETTLED_MANUALLY')),
      constraint "refund_amount_positive" check ("amount_cents" > 0),
      constraint "refund_four_eyes" check ("decided_by" is null or "decided_by" <> "requested_by"),
      constraint "refund_settlement_known" check ("settlement_method" is null or "settlement_method" in ('BANK_TRANSFER', 'PAYBOX_BACK_OFFICE')),
      constraint "refund_settled_has_reference" check ("status" <> 'SETTLED_MANUALLY' or ("settlement_method" is not null and "settlement_reference" is not null)),
      constraint "refund_succeeded_has_reference" check ("status" <> 'SUCCEEDED' or "provider_reference" is not null),
      constraint "refund_processing_has_number" check ("status" not in ('PROCESSING', 'SUCCEEDED') or "provider_request_number" is not null or "settlement_method" is not null)
    );`);
    // R-REF-7: at most one refund per payment reaches SUCCEEDED or SETTLED_MANUALLY.
    this.addSql(`create unique index "refund_one_success_per_payment" on "refund_request" ("payment_id") where "status" in ('SUCCEEDED', 'SETTLED_MANUALLY');`);
    // REFUND_IN_PROGRESS: at most one open request per payment.
    this.addSql(`create unique index "refund_one_open_per_payment" on "refund_request" ("payment_id") where "status" in ('SUBMITTED', 'APPROVED', 'PROCESSING', 'FAILED');`);
    // A Paybox NUMQUESTION is used once.
    this.addSql(`create unique index "refund_provider_request_number" on "refund_request" ("provider_request_number") where "provider_request_number" is not null;`);
    this.addSql(`create index "refund_status_requested" on "refund_request" ("status", "requested_at", "id");`);
    this.addSql(`create index "refund_requested" on "refund_request" ("requested_at", "id");`);
    this.addSql(`create index "refund_registration" on "refund_request" ("registration_id");`);
    this.addSql(`create sequence "paybox_numquestion_seq" minvalue 1 maxvalue 2147483647 start 1;`);

    this.addSql(`create table "refund_event" (
      "id" bigint generated always as identity primary key,
      "refund_request_id" uuid not null references "refund_request" ("id"),
      "at" timestamptz not null,
      "from_status" text null,
      "to_status" text not null,
      "actor" text not null,
      "comment" text null,
      "provider_code" text null
    );`);
    this.addSql(`create index "refund_event_request" on "refund_event" ("refund_request_id", "id");`);
    this.addSql(`create trigger "refund_event_no_update_delete" before update or delete on "refund_event"
      for each row execute function "audit_event_append_only"();`);

    this.addSql(`create table "idempotency_record" (
      "scope" text not null,
      "key" text not null,
      "request_hash" text not null,
      "outcome" jsonb not null,
      "actor" text not null,
      "created_at" timestamptz not null,
      constraint "idempotency_record_pkey" primary key ("scope", "key"),
      constraint "idempotency_key_length" check (length("key") between 1 and 200)
    );`);
  }

  override async down(): Promise<void> {
    for (const t of ['idempotency_record', 'refund_event', 'refund_request', 'payment', 'equipment_check']) this.addSql(`drop table if exists "${t}";`);
    this.addSql(`drop sequence if exists "paybox_numquestion_seq";`);
  }
}
