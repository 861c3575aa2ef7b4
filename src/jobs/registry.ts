import { computeResultsJob } from './compute-results.job';
import { endExpiredAttemptsJob } from './end-expired-attempts.job';
import { issueCertificatesJob } from './issue-certificates.job';
import { type JobDefinition } from './job';
import { proctoruOutboxJob } from './proctoru-outbox.job';
import { purgeEvidenceJob } from './purge-evidence.job';
import { purgeProfilesJob } from './purge-profiles.job';

/**
 * The jobs of R-JOB-1, each registered by the issue that builds it: PURGE_EVIDENCE (evidence),
 * END_EXPIRED_ATTEMPTS and COMPUTE_RESULTS (exam), ISSUE_CERTIFICATES (certificates). A job not yet
 * registered answers `runJob` with JOB_NOT_AVAILABLE.
 */
export function defaultJobs(): JobDefinition[] {
  return [endExpiredAttemptsJob, computeResultsJob, issueCertificatesJob, purgeProfilesJob, purgeEvidenceJob, proctoruOutboxJob];
}
