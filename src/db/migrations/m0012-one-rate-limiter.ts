import { Migration } from '@mikro-orm/migrations';

/**
 * One rate limiter (issue 11): certificate verification (R-CER-3) now counts in `rate_limit_event`
 * (m0010, scope 'verify:address', a sliding 60-second window) like login and unlockExam, so the fixed
 * one-minute `verification_rate_limit` counters of m0008 go. Its rows are throw-away counters: nothing
 * is carried over (at worst a client gets one fresh minute at the upgrade).
 */
export class M0012OneRateLimiter extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop table if exists "verification_rate_limit";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create unlogged table "verification_rate_limit" (
      "client_key" text not null,
      "window_start" timestamptz not null,
      "hits" int not null,
      constraint "verification_rate_limit_pkey" primary key ("client_key", "window_start")
    );`);
    this.addSql(`create index "verification_rate_limit_window" on "verification_rate_limit" ("window_start");`);
  }
}
