import { Migration } from '@mikro-orm/migrations';

/**
 * Certificates (issue 7): the verification rate limit and the issuing job's queue. The certificate
 * table itself, its constraints and its frozen trigger are m0007's.
 *
 * - `verification_rate_limit`: one counter per client address and minute (real clock) for GET
 *   /verify/:code and the GraphQL `verifyCertificate`, so the limit holds across server instances.
 *   UNLOGGED: counters lost in a crash only reset a one-minute window, and writes skip the WAL. Old
 *   windows are deleted as verification goes (see certificate-verification.ts).
 * - `exam_result_passed_published`: ISSUE_CERTIFICATES reads published passed results and anti-joins
 *   the certificates; the partial index keeps failed and pending results out of that scan.
 */
export class M0008Certificates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create unlogged table "verification_rate_limit" (
      "client_key" text not null,
      "window_start" timestamptz not null,
      "hits" int not null,
      constraint "verification_rate_limit_pkey" primary key ("client_key", "window_start")
    );`);
    this.addSql(`create index "verification_rate_limit_window" on "verification_rate_limit" ("window_start");`);
    this.addSql(`create index "exam_result_passed_published" on "exam_result" ("id") include ("attempt_id") where "status" = 'PUBLISHED' and "passed";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "exam_result_passed_published";`);
    this.addSql(`drop table if exists "verification_rate_limit";`);
  }
}
