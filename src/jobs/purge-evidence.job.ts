import { purgeExpiredEvidence } from '../services/evidence-purge';
import { type JobDefinition } from './job';

/** R-EVI-4, R-JOB-1: every hour, destroys the evidence past its retention and not on legal hold (see evidence-purge.ts). */
export const purgeEvidenceJob: JobDefinition = {
  name: 'PURGE_EVIDENCE',
  schedule: '7 * * * *',
  async run(ctx) {
    const report = await purgeExpiredEvidence(ctx, ctx.services.objects, { runId: ctx.runId, signal: ctx.signal });
    if (report.missing > 0) ctx.log.warn({ missing: report.missing }, 'some evidence objects were already missing from storage');
    return report.purged;
  },
};
