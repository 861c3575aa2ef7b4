import { endExpiredAttempts } from '../services/attempt-end';
import { type JobDefinition } from './job';

const BATCH = 500;

/**
 * R-EXA-4, R-JOB-1: every minute, ends the attempts whose 30 minutes have run out (SUBMITTED by
 * TIMEOUT at their deadline), 500 per transaction. Idempotent: an ended attempt no longer matches.
 */
export const endExpiredAttemptsJob: JobDefinition = {
  name: 'END_EXPIRED_ATTEMPTS',
  schedule: '* * * * *',
  async run(ctx) {
    let total = 0;
    for (;;) {
      if (ctx.signal.aborted) return total;
      const ended = await ctx.em.fork().transactional((em) => endExpiredAttempts(em, ctx, { limit: BATCH }));
      total += ended.length;
      if (ended.length < BATCH) return total;
    }
  },
};
