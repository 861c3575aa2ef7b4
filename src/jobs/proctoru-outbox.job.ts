import { type JobDefinition } from './job';

/**
 * Issue 12: every minute, sends the ProctorU calls that are due (a booking, a change of time, a
 * cancellation not yet at ProctorU, or one waiting for its back-off). The same worker is kicked right
 * after each commit that writes a call; this job is the safety net (ProctorU down, server restarted).
 */
export const proctoruOutboxJob: JobDefinition = {
  name: 'PROCTORU_OUTBOX',
  schedule: '* * * * *',
  run(ctx) {
    return ctx.services.proctoru.processDue(ctx.em, { signal: ctx.signal });
  },
};
