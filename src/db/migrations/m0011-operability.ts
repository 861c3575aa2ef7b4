import { Migration } from '@mikro-orm/migrations';

/**
 * Personal data requests (issue 13): a learner can be erased (GDPR art. 17: contact data pseudonymised,
 * what accounting and certificate verification need kept; README "Personal data requests"), and the
 * ProctorU profile (phone, address, city) is deleted a configurable time after the learner's last
 * session ends (PURGE_PROFILES). Both are recorded on the learner; an erasure is final.
 */
export class M0011Operability extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "learner" add column "erased_at" timestamptz null, add column "profile_purged_at" timestamptz null;`);
    this.addSql(`alter table "learner" add constraint "learner_erased_no_contact" check (
      "erased_at" is null or ("phone" is null and "address" is null and "city" is null and "profile_purged_at" is not null));`);
    // PURGE_PROFILES' work queue: learners who still hold profile data.
    this.addSql(`create index "learner_profile_held" on "learner" ("id") where "phone" is not null or "address" is not null or "city" is not null;`);
    // An erasure is final: the pseudonymised identity never changes again, whoever writes (application or raw SQL).
    this.addSql(`create function "learner_erasure_final"() returns trigger language plpgsql as $$
      begin
        if old."erased_at" is not null and (new."erased_at" is distinct from old."erased_at" or new."email" <> old."email"
            or new."username" <> old."username" or new."given_name" <> old."given_name" or new."family_name" <> old."family_name"
            or new."external_id" <> old."external_id" or new."phone" is not null or new."address" is not null or new."city" is not null) then
          raise exception 'learner %: an erasure is final', old."id" using errcode = 'check_violation', constraint = 'learner_erasure_final';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "learner_erasure_final" before update on "learner" for each row execute function "learner_erasure_final"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "learner_erasure_final" on "learner";`);
    this.addSql(`drop function if exists "learner_erasure_final"();`);
    this.addSql(`drop index if exists "learner_profile_held";`);
    this.addSql(`alter table "learner" drop constraint if exists "learner_erased_no_contact", drop column if exists "erased_at", drop column if exists "profile_purged_at";`);
  }
}
