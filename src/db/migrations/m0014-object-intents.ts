import { Migration } from '@mikro-orm/migrations';

/**
 * Object intents (issue 11): a row committed before an object is uploaded and deleted in the
 * transaction that records its key (`object_key`), or after the object is destroyed. An intent left
 * behind means the writer died (or failed) between the upload and that commit: the object is an orphan
 * nobody can read. The sweep (`src/storage/object-intents.ts`) deletes such objects once the intent is
 * old enough, and only those: never "whatever the database does not know", so two databases sharing a
 * store (a restore drill on a copy) cannot delete each other's objects.
 */
export class M0014ObjectIntents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "object_intent" (
      "storage_key" text not null,
      "purpose" text not null,
      "created_at" timestamptz not null default now(),
      constraint "object_intent_pkey" primary key ("storage_key")
    );`);
    this.addSql(`create index "object_intent_created_at" on "object_intent" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "object_intent";`);
  }
}
