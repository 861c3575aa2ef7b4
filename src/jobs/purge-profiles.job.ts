import { actorOf } from '../auth/viewer';
import { type JobDefinition } from './job';

const BATCH = 500;

/**
 * Issue 13: deletes the ProctorU profile's personal data (phone, address, city; R-REG-5) of learners
 * whose last session ended PROFILE_RETENTION_DAYS ago (default 365). A session ends at its certificate
 * deadline, the last instant its learners can need ProctorU; a learner registered in no session is
 * counted from their last change. Time zone and country stay (not identifying; they place the slots).
 * Daily at 03:30 UTC, 500 learners per transaction, one audit event each; idempotent (purged profiles
 * leave the queue).
 */
export const purgeProfilesJob: JobDefinition = {
  name: 'PURGE_PROFILES',
  schedule: '30 3 * * *',
  async run(ctx) {
    let total = 0;
    const days = ctx.config.profileRetentionDays;
    for (;;) {
      if (ctx.signal.aborted) return total;
      const now = ctx.clock.now();
      const purged = await ctx.em.fork().transactional((em) =>
        em.execute<{ id: string }[]>(
          `with due as (
             select l.id, coalesce(max(s.certificate_deadline), l.updated_at) as last_end
             from learner l
             left join registration r on r.learner_id = l.id
             left join certification_session s on s.id = r.session_id
             where l.phone is not null or l.address is not null or l.city is not null
             group by l.id
             having coalesce(max(s.certificate_deadline), l.updated_at) + make_interval(days => ?) <= ?
             order by l.id
             limit ?
           ), purged as (
             update learner set phone = null, address = null, city = null, profile_purged_at = ?
             from due where learner.id = due.id returning learner.id, due.last_end
           )
           insert into audit_event (at, actor, action, subject_type, subject_id, details, request_id)
           select ?, ?, 'learner.profile.purge', 'Learner', id::text, jsonb_build_object('lastSessionEnd', last_end, 'retentionDays', ?::int), ? from purged
           returning subject_id as id`,
          [days, now, BATCH, now, now, actorOf(ctx.viewer), days, ctx.requestId],
        ),
      );
      total += purged.length;
      if (purged.length > 0) ctx.log.info({ learners: purged.length }, 'ProctorU profiles purged');
      if (purged.length < BATCH) return total;
    }
  },
};
