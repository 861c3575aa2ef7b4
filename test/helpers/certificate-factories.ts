import { expect } from 'vitest';
import { answer, answersWithScore, type Booked, finishAttempt, plusMinutes, registrationExam, rightAnswers, runJob, startedAttempt, type UserErr } from './exam-factories';
import { sql } from './scheduling-factories';
import { type TestServer } from './server';

/**
 * Certificate test data (R-CER): learners driven through the real exam flow (book, unlock, start,
 * submit three parts, finish) up to a graded result, through COMPUTE_RESULTS.
 */
export interface Examined extends Booked {
  attemptId: string;
  resultId: string;
}

/**
 * A learner who ended their attempt with `right` correct answers per part (10: 30/30, 0: 0/30),
 * and, unless `compute: false`, whose result COMPUTE_RESULTS graded and published. The domain clock
 * is left 5 minutes after the appointment start.
 */
export async function examinedLearner(s: TestServer, sessionId: string, opts: { right?: number; compute?: boolean } = {}): Promise<Omit<Examined, 'resultId'> & { resultId: string | null }> {
  const a = await startedAttempt(s, sessionId);
  const right = opts.right ?? 10;
  for (const p of [0, 1, 2]) {
    const answers = right === 10 ? rightAnswers(p) : answersWithScore(p, right);
    const r = await answer(s, 'submitPart', a.attemptId, p + 1, answers, a.token);
    expect(r.errors, JSON.stringify(r.errors)).toEqual([]);
  }
  await s.setClock(plusMinutes(a.startsAt, 5));
  expect((await finishAttempt(s, a.attemptId, a.token)).errors).toEqual([]);
  if (opts.compute === false) return { ...a, resultId: null };
  await runJob(s, 'COMPUTE_RESULTS');
  const exam = await registrationExam(s, a.registrationId);
  return { ...a, resultId: exam!.result!.id };
}

/** A learner with a PUBLISHED, passed result (30/30): what a certificate is issued for (R-CER-1). */
export async function passedLearner(s: TestServer, sessionId: string): Promise<Examined> {
  const e = await examinedLearner(s, sessionId);
  if (!e.resultId) throw new Error('no result after COMPUTE_RESULTS');
  const [row] = await sql<{ status: string; passed: boolean }>(s, 'select status, passed from exam_result where id = ?', [e.resultId]);
  expect(row).toEqual({ status: 'PUBLISHED', passed: true });
  return { ...e, resultId: e.resultId };
}

export const CERTIFICATE_FIELDS = `id holderName courseTitle university issuedAt verificationCode verificationUrl downloadUrl sha256 status revokedAt revocationReason registration { id }`;

export interface CertificateView {
  id: string;
  holderName: string;
  courseTitle: string;
  university: string;
  issuedAt: string;
  verificationCode: string;
  verificationUrl: string;
  downloadUrl: string;
  sha256: string;
  status: 'VALID' | 'REVOKED';
  revokedAt: string | null;
  revocationReason: string | null;
  registration: { id: string };
}

export interface CertificatePayloadView {
  certificate: CertificateView | null;
  errors: UserErr[];
}

/** issueCertificate as CERTIFICATION (or the token given). */
export async function issueCertificate(s: TestServer, registrationId: string, token?: string): Promise<CertificatePayloadView> {
  const r = await s.gql<{ issueCertificate: CertificatePayloadView }>(
    `mutation($id: ID!) { issueCertificate(registrationId: $id) { certificate { ${CERTIFICATE_FIELDS} } errors { code message field } } }`,
    { id: registrationId },
    token ?? (await s.tokenFor('CERTIFICATION')),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.issueCertificate;
}

/** A passed learner with a certificate issued through issueCertificate. */
export async function certifiedLearner(s: TestServer, sessionId: string): Promise<Examined & { certificate: CertificateView }> {
  const e = await passedLearner(s, sessionId);
  const r = await issueCertificate(s, e.registrationId);
  expect(r.errors, JSON.stringify(r.errors)).toEqual([]);
  return { ...e, certificate: r.certificate! };
}

export async function revokeCertificate(s: TestServer, certificateId: string, reason: string, token?: string): Promise<CertificatePayloadView> {
  const r = await s.gql<{ revokeCertificate: CertificatePayloadView }>(
    `mutation($i: RevokeCertificateInput!) { revokeCertificate(input: $i) { certificate { ${CERTIFICATE_FIELDS} } errors { code message field } } }`,
    { i: { certificateId, reason } },
    token ?? (await s.tokenFor('CERTIFICATION')),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.revokeCertificate;
}

/** Runs ISSUE_CERTIFICATES as ADMIN and returns the run. */
export async function runIssueCertificates(s: TestServer) {
  const r = await s.gql<{ runJob: { jobRun: { status: string; itemsProcessed: number; error: string | null } | null; errors: UserErr[] } }>(
    'mutation { runJob(job: ISSUE_CERTIFICATES) { jobRun { status itemsProcessed error } errors { code message field } } }',
    {},
    await s.tokenFor('ADMIN'),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  expect(r.data!.runJob.errors).toEqual([]);
  return r.data!.runJob.jobRun!;
}

/** Opens a fraud case on the attempt directly in the database (the fraud review issue owns the mutation). */
export async function openFraudCaseRow(s: TestServer, e: Examined): Promise<string> {
  const [row] = await sql<{ id: string }>(
    s,
    `insert into fraud_case (id, attempt_id, registration_id, session_id, status, source, summary, opened_by, opened_at, purge_deadline)
     select gen_random_uuid(), a.id, a.registration_id, a.session_id, 'OPEN', 'CERTIFICATION_TEAM', 'test case', 'test', now(), now() + interval '30 days'
     from exam_attempt a where a.id = ? returning id`,
    [e.attemptId],
  );
  return row.id;
}
