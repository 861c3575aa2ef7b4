import { Migration } from '@mikro-orm/migrations';

/**
 * Hardening (issue 11): `rate_limit_event`, the shared store of the brute-force limits (login per
 * e-mail and per client address, wrong proctor passwords per client address; see
 * src/services/rate-limit.ts). One row per counted event, keyed by a scope ('login:email', …) and
 * the SHA-256 of the key (e-mails and addresses are not kept in clear). Living in PostgreSQL, a limit
 * holds across server instances. At most `max` rows per key stay within a window (a refused attempt
 * is not recorded), and old rows are purged as limits are checked.
 */
export class M0010Hardening extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "rate_limit_event" (
      "id" bigint generated always as identity primary key,
      "scope" text not null,
      "key_hash" text not null,
      "at" timestamptz not null,
      constraint "rate_limit_event_scope" check (length("scope") between 1 and 64),
      constraint "rate_limit_event_key_hash" check ("key_hash" ~ '^[0-9a-f]{64}$')
    );`);
    this.addSql(`create index "rate_limit_event_key" on "rate_limit_event" ("scope", "key_hash", "at");`);
    this.addSql(`create index "rate_limit_event_at" on "rate_limit_event" ("at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_event";`);
  }
}
