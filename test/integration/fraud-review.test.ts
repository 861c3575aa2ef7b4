import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshPurgeDeadline } from '../../src/services/fraud-hooks';
import { certifiedLearner, examinedLearner } from '../helpers/certificate-factories';
import { examSession, registrationExam, runJob } from '../helpers/exam-factories';
import { bulkAttempts, decide, FRAUD_CASE_FIELDS, type FraudCaseView, openCase, openedCase, placeHold, releaseHold, startReview, storeEvidence } from '../helpers/fraud-factories';
import { auditEvents, expectNoWrites, topLevelCodes } from '../helpers/inputs-common';
import { sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

const DAY = 86_400_000;

async function resultRow(attemptId: string) {
  const [row] = await sql<{ status: string; published_at: Date | null; voided_at: Date | null; void_reason: string | null }>(
    s,
    'select status, published_at, voided_at, void_reason from exam_result where attempt_id = ?',
    [attemptId],
  );
  return row;
}

async function readCase(id: string, token?: string): Promise<FraudCaseView | null> {
  const r = await s.gql<{ fraudCase: FraudCaseView | null }>(`query($id: ID!) { fraudCase(id: $id) { ${FRAUD_CASE_FIELDS} } }`, { id }, token ?? (await s.tokenFor('CERTIFICATION')));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.fraudCase;
}

describe('fraud case transitions and their effect on results', () => {
  it('R-EVI-3, R-RES-2: an open case keeps the result PENDING; CLEARED publishes it at once; every step is in the history and the audit log', async () => {
    const e = await examinedLearner(s, sessionId, { compute: false });
    const opened = await openedCase(s, e.attemptId);
    expect(opened).toMatchObject({ status: 'OPEN', source: 'CERTIFICATION_TEAM', openedBy: 'staff:certification@test.local', reviewer: null, decidedAt: null });
    expect(opened.history.map((h) => [h.action, h.fromStatus, h.toStatus])).toEqual([['OPENED', null, 'OPEN']]);

    await runJob(s, 'COMPUTE_RESULTS');
    expect((await resultRow(e.attemptId)).status).toBe('PENDING');
    expect((await registrationExam(s, e.registrationId, e.token))!.result).toBeNull();
    await runJob(s, 'COMPUTE_RESULTS'); // the publication pass leaves it alone while the case is open
    expect((await resultRow(e.attemptId)).status).toBe('PENDING');

    const reviewing = await startReview(s, opened.id);
    expect(reviewing.errors).toEqual([]);
    expect(reviewing.fraudCase).toMatchObject({ status: 'UNDER_REVIEW', reviewer: 'staff:certification@test.local' });
    expect((await resultRow(e.attemptId)).status).toBe('PENDING');

    const cleared = await decide(s, opened.id, 'CLEARED', 'The second person is the proctor, as the log says');
    expect(cleared.errors).toEqual([]);
    expect(cleared.fraudCase).toMatchObject({ status: 'CLEARED', decidedBy: 'staff:certification@test.local', decisionReason: 'The second person is the proctor, as the log says' });
    expect(cleared.fraudCase!.decidedAt).toBe(s.clock.now().toISOString());
    expect(cleared.fraudCase!.history.map((h) => [h.action, h.fromStatus, h.toStatus])).toEqual([
      ['OPENED', null, 'OPEN'],
      ['UNDER_REVIEW', 'OPEN', 'UNDER_REVIEW'],
      ['CLEARED', 'UNDER_REVIEW', 'CLEARED'],
    ]);
    // Published by the decision itself, not by a later COMPUTE_RESULTS run.
    const row = await resultRow(e.attemptId);
    expect(row.status).toBe('PUBLISHED');
    expect(new Date(row.published_at!).toISOString()).toBe(s.clock.now().toISOString());
    expect((await registrationExam(s, e.registrationId, e.token))!.result).toMatchObject({ status: 'PUBLISHED' });

    const actions = (await auditEvents(s, { subjectId: opened.id })).map((a) => a.action).sort();
    expect(actions).toEqual(['fraud_case.cleared', 'fraud_case.opened', 'fraud_case.under_review']);
  });

  it('R-EVI-3, R-CER-4: FRAUD_CONFIRMED voids a published result and revokes the certificate', async () => {
    const c = await certifiedLearner(s, sessionId);
    const opened = await openedCase(s, c.attemptId);
    // A result published before the case opened stays published while it is reviewed (a published result never goes back).
    expect((await resultRow(c.attemptId)).status).toBe('PUBLISHED');
    await startReview(s, opened.id);
    const r = await decide(s, opened.id, 'FRAUD_CONFIRMED', 'Another person took parts 2 and 3');
    expect(r.errors).toEqual([]);
    expect(r.fraudCase!.status).toBe('FRAUD_CONFIRMED');
    const row = await resultRow(c.attemptId);
    expect(row.status).toBe('VOIDED');
    expect(row.void_reason).toBe('Fraud confirmed: Another person took parts 2 and 3');
    expect(new Date(row.voided_at!).toISOString()).toBe(s.clock.now().toISOString());
    const [cert] = await sql<{ status: string; revocation_reason: string }>(s, 'select status, revocation_reason from certificate where id = ?', [c.certificate.id]);
    expect(cert).toEqual({ status: 'REVOKED', revocation_reason: 'Fraud confirmed: Another person took parts 2 and 3' });
    const actions = (await auditEvents(s, { action: 'certificate.revoked' })).map((a) => a.subjectId);
    expect(actions).toContain(c.certificate.id);
  });

  it('R-EVI-3: fraud confirmed before grading: COMPUTE_RESULTS grades the attempt but never publishes it', async () => {
    const e = await examinedLearner(s, sessionId, { compute: false });
    const opened = await openedCase(s, e.attemptId);
    await startReview(s, opened.id);
    expect((await decide(s, opened.id, 'FRAUD_CONFIRMED', 'Notes on the desk')).errors).toEqual([]);
    await runJob(s, 'COMPUTE_RESULTS');
    await runJob(s, 'COMPUTE_RESULTS');
    expect((await resultRow(e.attemptId)).status).toBe('PENDING');
    expect((await registrationExam(s, e.registrationId, e.token))!.result).toBeNull();
  });

  it('R-EVI-3: refused transitions and bad input change nothing', async () => {
    const e = await examinedLearner(s, sessionId, { compute: false });
    const opened = await openedCase(s, e.attemptId);
    const check = async (call: () => Promise<{ errors: { code: string; field: string[] | null }[] }>, code: string, field: string[]) => {
      const r = await expectNoWrites(s, call);
      expect(r.errors.map((x) => [x.code, x.field])).toEqual([[code, field]]);
    };
    await check(() => openCase(s, e.attemptId), 'FRAUD_REVIEW_OPEN', ['input', 'attemptId']);
    await check(() => decide(s, opened.id, 'CLEARED'), 'INVALID_TRANSITION', ['input', 'caseId']);
    await check(() => openCase(s, '7d4f3c1e-0000-4000-8000-000000000000'), 'NOT_FOUND', ['input', 'attemptId']);
    await check(() => openCase(s, 'not-a-uuid'), 'NOT_FOUND', ['input', 'attemptId']);
    await check(() => openCase(s, e.attemptId, { summary: '   ' }), 'VALIDATION_FAILED', ['input', 'summary']);
    await check(() => startReview(s, '7d4f3c1e-0000-4000-8000-000000000000'), 'NOT_FOUND', ['caseId']);
    expect((await startReview(s, opened.id)).errors).toEqual([]);
    await check(() => startReview(s, opened.id), 'INVALID_TRANSITION', ['caseId']);
    await check(() => decide(s, opened.id, 'OPEN'), 'VALIDATION_FAILED', ['input', 'outcome']);
    await check(() => decide(s, opened.id, 'UNDER_REVIEW'), 'VALIDATION_FAILED', ['input', 'outcome']);
    await check(() => decide(s, opened.id, 'CLEARED', '  '), 'COMMENT_REQUIRED', ['input', 'reason']);
    expect((await decide(s, opened.id, 'CLEARED')).errors).toEqual([]);
    await check(() => decide(s, opened.id, 'FRAUD_CONFIRMED'), 'INVALID_TRANSITION', ['input', 'caseId']);
    expect((await readCase(opened.id))!.history).toHaveLength(3);
    // Decided: a new case may open on the same attempt.
    expect((await openCase(s, e.attemptId)).errors).toEqual([]);
   }, 90_000);

  it('R-EVI-3: a case needs a started, not voided attempt', async () => {
    const [ready, voided] = await bulkAttempts(s, sessionId, 2);
    await sql(s, `update exam_attempt set status = 'READY', ended_by = null, started_at = null, deadline = null, submitted_at = null where id = ?`, [ready]);
    await sql(s, `update exam_attempt set status = 'VOIDED', voided_at = now(), void_reason = 'provider fault' where id = ?`, [voided]);
    expect((await expectNoWrites(s, () => openCase(s, ready))).errors.map((x) => x.code)).toEqual(['ATTEMPT_NOT_STARTED']);
    expect((await expectNoWrites(s, () => openCase(s, voided))).errors.map((x) => x.code)).toEqual(['ATTEMPT_VOIDED']);
  });

  it('R-SEC-1, R-EVI-2: CERTIFICATION reviews, the platform opens proctor reports only, learners and support may not; support reads cases without their evidence', async () => {
    const [attemptId] = await bulkAttempts(s, sessionId, 1);
    for (const role of ['LEARNER', 'SUPPORT', 'PAYMENTS'] as const) {
      const r = await s.gql('mutation($i: OpenFraudCaseInput!) { openFraudCase(input: $i) { errors { code } } }', { i: { attemptId, source: 'CERTIFICATION_TEAM', summary: 'x' } }, await s.tokenFor(role));
      expect(topLevelCodes(r)).toEqual(['FORBIDDEN']);
    }
    const anonymous = await s.gql('query { fraudCases { totalCount } }');
    expect(topLevelCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    // SUPPORT reads everything but evidence media (SPEC roles): the cases, not their evidence.
    const support = await s.tokenFor('SUPPORT');
    const supportList = await s.gql<{ fraudCases: { totalCount: number } }>('query { fraudCases { totalCount } }', {}, support);
    expect(topLevelCodes(supportList)).toEqual([]);
    expect(typeof supportList.data?.fraudCases.totalCount).toBe('number');
    expect(topLevelCodes(await s.gql('query { fraudCases { edges { node { id evidence { id } } } } }', {}, support))).toEqual(expect.arrayContaining(['FORBIDDEN']));
    const integration = await s.tokenFor('INTEGRATION');
    const wrong = await expectNoWrites(s, () => openCase(s, attemptId, { token: integration }));
    expect(wrong.errors.map((x) => [x.code, x.field])).toEqual([['VALIDATION_FAILED', ['input', 'source']]]);
    const report = await openCase(s, attemptId, { token: integration, source: 'PROCTOR_REPORT', summary: 'Proctor report #4411: phone in view' });
    expect(report.errors).toEqual([]);
    expect(report.fraudCase).toMatchObject({ source: 'PROCTOR_REPORT', openedBy: 'service:platform' });
    const decideAsIntegration = await s.gql('mutation($id: ID!) { startFraudReview(caseId: $id) { errors { code } } }', { id: report.fraudCase!.id }, integration);
    expect(topLevelCodes(decideAsIntegration)).toEqual(['FORBIDDEN']);
  });
});

describe('purge deadline and the review queue (R-EVI-5)', () => {
  it('R-EVI-5: the deadline is the earliest retainUntil of the evidence, else the exam time + retention; the open queue is ordered by it', async () => {
    const [a1, a2, a3] = await bulkAttempts(s, sessionId, 3);
    const base = new Date('2017-04-13T14:00:00Z');
    await storeEvidence(s, a1, 'VIDEO', new Date(base.getTime() + 3 * DAY));
    await storeEvidence(s, a1, 'FACE_PHOTO', new Date(base.getTime() + 2 * DAY));
    await storeEvidence(s, a2, 'VIDEO', new Date(base.getTime() + 1 * DAY));
    const c1 = await openedCase(s, a1);
    const c2 = await openedCase(s, a2);
    const c3 = await openedCase(s, a3); // no evidence: unlockedAt (2017-03-02T13:55Z) + 42 days
    expect(c1.purgeDeadline).toBe(new Date(base.getTime() + 2 * DAY).toISOString());
    expect(c2.purgeDeadline).toBe(new Date(base.getTime() + 1 * DAY).toISOString());
    expect(c3.purgeDeadline).toBe('2017-04-13T13:55:00.000Z');

    const session2 = await examSession(s);
    const [other] = await bulkAttempts(s, session2, 1);
    await openedCase(s, other);
    const q = await s.gql<{ fraudCases: { totalCount: number; edges: { node: { id: string; purgeDeadline: string; status: string } }[] } }>(
      'query($f: FraudCaseFilter) { fraudCases(filter: $f, first: 200) { totalCount edges { node { id purgeDeadline status } } } }',
      { f: { open: true, sessionId } },
      await s.tokenFor('CERTIFICATION'),
    );
    expect(q.errors).toBeUndefined();
    const nodes = q.data!.fraudCases.edges.map((e) => e.node);
    expect(nodes.every((n) => ['OPEN', 'UNDER_REVIEW'].includes(n.status))).toBe(true);
    expect(nodes.map((n) => n.purgeDeadline)).toEqual([...nodes.map((n) => n.purgeDeadline)].sort());
    const mine = nodes.map((n) => n.id).filter((id) => [c1.id, c2.id, c3.id].includes(id));
    expect(mine).toEqual([c3.id, c2.id, c1.id]);

    // Evidence arriving after the case opened: the ingestion hook recomputes the deadline.
    await storeEvidence(s, a3, 'ID_DOCUMENT', new Date(base.getTime() + 5 * DAY));
    expect(await refreshPurgeDeadline(s.orm.em.fork(), a3)).toBe(1);
    expect((await readCase(c3.id))!.purgeDeadline).toBe(new Date(base.getTime() + 5 * DAY).toISOString());
  });

  it('Registration.fraudCases lists the cases of a registration', async () => {
    const e = await examinedLearner(s, sessionId, { compute: false });
    const c = await openedCase(s, e.attemptId);
    const r = await s.gql<{ registration: { fraudCases: { id: string; status: string; attempt: { id: string } }[] } }>(
      'query($id: ID!) { registration(id: $id) { fraudCases { id status attempt { id } } } }',
      { id: e.registrationId },
      await s.tokenFor('CERTIFICATION'),
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.registration.fraudCases).toEqual([{ id: c.id, status: 'OPEN', attempt: { id: e.attemptId } }]);
    const learner = await s.gql('query($id: ID!) { registration(id: $id) { fraudCases { id } } }', { id: e.registrationId }, e.token);
    expect(topLevelCodes(learner)).toEqual(['FORBIDDEN']);
  });
});

describe('legal holds (R-EVI-4)', () => {
  it('R-EVI-4: ADMIN places and releases a hold with a reason; both are in the history and the audit log', async () => {
    const [attemptId] = await bulkAttempts(s, sessionId, 1);
    const c = await openedCase(s, attemptId);
    const forbidden = await s.gql('mutation($i: LegalHoldInput!) { placeLegalHold(input: $i) { errors { code } } }', { i: { caseId: c.id, reason: 'x' } }, await s.tokenFor('CERTIFICATION'));
    expect(topLevelCodes(forbidden)).toEqual(['FORBIDDEN']);
    expect((await expectNoWrites(s, () => placeHold(s, c.id, ' '))).errors.map((x) => [x.code, x.field])).toEqual([['COMMENT_REQUIRED', ['input', 'reason']]]);
    expect((await expectNoWrites(s, () => releaseHold(s, c.id))).errors.map((x) => x.code)).toEqual(['NO_LEGAL_HOLD']);

    const placed = await placeHold(s, c.id, 'Court order 2017-114');
    expect(placed.errors).toEqual([]);
    expect(placed.fraudCase!.legalHold).toMatchObject({ placedBy: 'staff:admin@test.local', reason: 'Court order 2017-114', releasedAt: null });
    expect((await expectNoWrites(s, () => placeHold(s, c.id))).errors.map((x) => x.code)).toEqual(['LEGAL_HOLD_ACTIVE']);

    const released = await releaseHold(s, c.id, 'Proceedings closed');
    expect(released.errors).toEqual([]);
    expect(released.fraudCase!.legalHold).toMatchObject({ reason: 'Court order 2017-114', releasedBy: 'staff:admin@test.local', releaseReason: 'Proceedings closed' });
    expect(released.fraudCase!.legalHold!.releasedAt).not.toBeNull();
    expect(released.fraudCase!.history.map((h) => [h.action, h.reason])).toEqual([
      ['OPENED', 'A second person appears on the video at 12:40'],
      ['LEGAL_HOLD_PLACED', 'Court order 2017-114'],
      ['LEGAL_HOLD_RELEASED', 'Proceedings closed'],
    ]);
    const actions = (await auditEvents(s, { subjectId: c.id })).map((a) => a.action).sort();
    expect(actions).toEqual(['fraud_case.legal_hold_placed', 'fraud_case.legal_hold_released', 'fraud_case.opened']);
    // A new hold may be placed once the first is released (one active hold per case).
    expect((await placeHold(s, c.id, 'Appeal lodged')).errors).toEqual([]);
  });
});
