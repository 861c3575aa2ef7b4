import { sweepObjectIntents } from '../storage/object-intents';
import { type JobDefinition } from './job';

/**
 * R-CER-2, R-JOB-1: every 15 minutes (a passed learner waits a quarter of an hour at most, and a run
 * with nothing new costs one query), issues the certificates of newly published passed results
 * (CertificateService.issuePending, in batches; idempotent). Registrations whose name is not locked
 * are skipped, counted and logged. First, the object intent sweep (object-intents.ts): the objects of
 * writers that died before recording them (a killed run's stored PDFs, an interrupted evidence upload)
 * are deleted once their intents are old enough; safe on several instances at once.
 */
export const issueCertificatesJob: JobDefinition = {
  name: 'ISSUE_CERTIFICATES',
  schedule: '*/15 * * * *',
  async run(ctx) {
    const swept = await sweepObjectIntents(ctx.em.fork(), ctx.services.objects, ctx.clock.now());
    if (swept.intents || swept.failed) ctx.log.info({ runId: ctx.runId, ...swept }, 'object intents swept: orphaned objects deleted');
    const report = await ctx.services.certificates.issuePending(ctx, { signal: ctx.signal });
    ctx.log.info({ runId: ctx.runId, ...report }, 'ISSUE_CERTIFICATES done');
    return report.issued;
  },
};
