import { Migration } from '@mikro-orm/migrations';

/**
 * Operability (issue 13): a ProctorU outbox row remembers the request id of the request (or job run)
 * that wrote it, so the worker's log lines about that call, sent later and elsewhere, carry the same id
 * as the booking that caused it. Null for rows written before this migration.
 */
export class M0013OutboxRequestId extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "proctoru_outbox" add column "request_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "proctoru_outbox" drop column if exists "request_id";`);
  }
}
