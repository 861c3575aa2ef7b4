import { type JobDefinition } from './job';

/**
 * R-CER-2, R-JOB-1: every 15 minutes (a passed learner waits a quarter of an hour at most, and a run
 * with nothing new costs one query), issues the certificates of newly published passed results
 * (CertificateService.issuePending, in batches; idempotent). Registrations whose name is not locked
 * are skipped, counted and logged.
 */
export const issueCertificatesJob: JobDefinition = {
  name: 'ISSUE_CERTIFICATES',
  schedule: '*/15 * * * *',
  async run(ctx) {
    const report = await ctx.services.certificates.issuePending(ctx, { signal: ctx.signal });
    ctx.log.info({ runId: ctx.runId, ...report }, 'ISSUE_CERTIFICATES done');
    return report.issued;
  },
};
