import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { voidAttemptsForIncident } from '../../src/services/exam-hooks';
import { ResultService } from '../../src/services/result.service';
import {
  answer,
  answersWithScore,
  correctChoices,
  examSession,
  finishAttempt,
  plusMinutes,
  readAttempt,
  registrationExam,
  rightAnswers,
  runJob,
  serviceCtx,
  setContent,
  startedAttempt,
} from '../helpers/exam-factories';
import { auditEvents } from '../helpers/inputs-common';
import { createSession, sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

/** A started attempt whose parts are answered as given (null: left alone), then finished by the learner. */
async function finished(sid: string, parts: ({ op: 'saveDraft' | 'submitPart'; answers: number[][] } | null)[]) {
  const a = await startedAttempt(s, sid);
  for (const [i, p] of parts.entries()) {
    if (p) expect((await answer(s, p.op, a.attemptId, i + 1, p.answers, a.token)).errors).toEqual([]);
  }
  expect((await finishAttempt(s, a.attemptId, a.token)).errors).toEqual([]);
  return a;
}

const submit = (answers: number[][]) => ({ op: 'submitPart' as const, answers });
const draft = (answers: number[][]) => ({ op: 'saveDraft' as const, answers });

describe('END_EXPIRED_ATTEMPTS (R-EXA-4, R-JOB-1)', () => {
  it('R-EXA-4: the job ends expired attempts at their deadline (endedBy TIMEOUT), once', async () => {
    const a = await startedAttempt(s, sessionId);
    const b = await startedAttempt(s, sessionId);
    expect((await answer(s, 'submitPart', a.attemptId, 1, rightAnswers(0), a.token)).errors).toEqual([]);
    // a's deadline has passed, b's (a later slot) not yet.
    await s.setClock(plusMinutes(a.deadline, 3));
    expect(new Date(b.deadline).getTime()).toBeGreaterThan(new Date(plusMinutes(a.deadline, 3)).getTime());
    const run = await runJob(s, 'END_EXPIRED_ATTEMPTS');
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(run.itemsProcessed).toBeGreaterThanOrEqual(1);
    const [row] = await sql<{ status: string; ended_by: string; submitted_at: Date }>(s, 'select status, ended_by, submitted_at from exam_attempt where id = ?', [a.attemptId]);
    expect(row).toMatchObject({ status: 'SUBMITTED', ended_by: 'TIMEOUT' });
    expect(new Date(row.submitted_at).toISOString()).toBe(a.deadline);
    const [apt] = await sql<{ status: string }>(s, 'select status from appointment where id = ?', [a.appointmentId]);
    expect(apt.status).toBe('COMPLETED');
    const [other] = await sql<{ status: string }>(s, 'select status from exam_attempt where id = ?', [b.attemptId]);
    expect(other.status).toBe('STARTED');
    expect((await runJob(s, 'END_EXPIRED_ATTEMPTS')).itemsProcessed).toBe(0);
  });
});

describe('COMPUTE_RESULTS (R-RES-1, R-RES-2, R-EXA-4, R-EXA-5)', () => {
  it('R-EXA-4: a draft never finally checked scores 0; a question scores 1 only when the chosen set equals the correct set', async () => {
    const sid = await examSession(s);
    const p2 = rightAnswers(1).map((x, q) => (q === 0 ? [0] : q === 3 ? [0, 1, 2] : x)); // q0 subset, q3 superset: both wrong
    const a = await finished(sid, [submit(rightAnswers(0)), submit(p2), draft(rightAnswers(2))]);
    const run = await runJob(s, 'COMPUTE_RESULTS');
    expect(run.status).toBe('SUCCEEDED');
    const { result } = (await registrationExam(s, a.registrationId, a.token))!;
    expect(result).toMatchObject({ partScores: [10, 8, 0], totalScore: 18, maxScore: 30, percent: 60, passed: true, status: 'PUBLISHED', attempt: { id: a.attemptId } });
    expect(correctChoices(1, 0)).toEqual([0, 2]);
    const events = await auditEvents(s, { subjectId: result!.id });
    expect(events.map((e) => [e.action, e.actor])).toEqual([['result.compute', 'system:job:COMPUTE_RESULTS']]);
    expect(events[0].details).toMatchObject({ attemptId: a.attemptId, status: 'PUBLISHED', totalScore: 18, passed: true });
  });

  it('R-RES-1: passed means percent ≥ the session pass mark', async () => {
    const sid = await createSession(s, { passMarkPercent: 70 });
    expect((await setContent(s, sid)).errors).toEqual([]);
    const below = await finished(sid, [submit(answersWithScore(0, 10)), submit(answersWithScore(1, 10)), submit(answersWithScore(2, 0))]); // 20/30 = 66.67 %
    const at = await finished(sid, [submit(answersWithScore(0, 10)), submit(answersWithScore(1, 10)), submit(answersWithScore(2, 1))]); // 21/30 = 70 %
    await runJob(s, 'COMPUTE_RESULTS');
    expect((await registrationExam(s, below.registrationId))!.result).toMatchObject({ totalScore: 20, percent: 66.67, passed: false, partScores: [10, 10, 0] });
    expect((await registrationExam(s, at.registrationId))!.result).toMatchObject({ totalScore: 21, percent: 70, passed: true });
  });

  it('R-EXA-4: a timed-out attempt is graded on its finally-checked parts only', async () => {
    const a = await startedAttempt(s, sessionId);
    expect((await answer(s, 'submitPart', a.attemptId, 2, answersWithScore(1, 6), a.token)).errors).toEqual([]);
    expect((await answer(s, 'saveDraft', a.attemptId, 3, rightAnswers(2), a.token)).errors).toEqual([]);
    await s.setClock(plusMinutes(a.deadline, 1));
    await runJob(s, 'END_EXPIRED_ATTEMPTS');
    await runJob(s, 'COMPUTE_RESULTS');
    expect((await registrationExam(s, a.registrationId))!.result).toMatchObject({ partScores: [0, 6, 0], totalScore: 6, percent: 20, passed: false, status: 'PUBLISHED' });
  });

  it('R-RES-1: computing is idempotent: a second run changes nothing', async () => {
    const a = await finished(sessionId, [submit(rightAnswers(0)), null, null]);
    await runJob(s, 'COMPUTE_RESULTS');
    const before = await sql(s, 'select * from exam_result order by id');
    const audits = await sql(s, `select count(*)::int as n from audit_event where action like 'result.%'`);
    await s.setClock(plusMinutes(a.startsAt, 600));
    const again = await runJob(s, 'COMPUTE_RESULTS');
    expect(again.itemsProcessed).toBe(0);
    expect(await sql(s, 'select * from exam_result order by id')).toEqual(before);
    expect(await sql(s, `select count(*)::int as n from audit_event where action like 'result.%'`)).toEqual(audits);
  });

  it('R-RES-1: a published result never changes except to VOIDED (the database refuses)', async () => {
    const a = await finished(sessionId, [submit(rightAnswers(0)), submit(rightAnswers(1)), submit(rightAnswers(2))]);
    await runJob(s, 'COMPUTE_RESULTS');
    const [r] = await sql<{ id: string; status: string }>(s, 'select id, status from exam_result where attempt_id = ?', [a.attemptId]);
    expect(r.status).toBe('PUBLISHED');
    await expect(sql(s, `update exam_result set total_score = 0, part_scores = '{0,0,0}', passed = false where id = ?`, [r.id])).rejects.toThrow(/published result only changes to VOIDED/);
    await expect(sql(s, `update exam_result set status = 'PENDING', published_at = null where id = ?`, [r.id])).rejects.toThrow(/exam_result/);
    // And R-INC-2 does not void an attempt whose result is published.
    const ctx = serviceCtx(s);
    expect(await ctx.em.transactional((em) => voidAttemptsForIncident(em, ctx, a.appointmentId, 'too late'))).toBe(0);
    expect((await readAttempt(s, a.attemptId))!.status).toBe('SUBMITTED');
    // A fraud decision may still void it; then it never changes again.
    await sql(s, `update exam_result set status = 'VOIDED', voided_at = now(), void_reason = 'fraud confirmed' where id = ?`, [r.id]);
    await expect(sql(s, `update exam_result set void_reason = 'other' where id = ?`, [r.id])).rejects.toThrow(/voided result never changes/);
  });

  it('R-EXA-5, R-RES-2: a learner sees their result only once it is published; staff see it pending', async () => {
    const a = await finished(sessionId, [submit(rightAnswers(0)), submit(rightAnswers(1)), null]);
    expect((await registrationExam(s, a.registrationId, a.token))!.result).toBeNull();
    // The first pass of a run, alone (as when a fraud review holds the result): computed, not published.
    await new ResultService().computeAll(serviceCtx(s), { publish: false });
    expect((await registrationExam(s, a.registrationId))!.result).toMatchObject({ status: 'PENDING', publishedAt: null, totalScore: 20 });
    expect((await registrationExam(s, a.registrationId, a.token))!.result).toBeNull();
    await s.setClock(plusMinutes(a.startsAt, 300));
    await runJob(s, 'COMPUTE_RESULTS');
    expect((await registrationExam(s, a.registrationId, a.token))!.result).toMatchObject({ status: 'PUBLISHED', publishedAt: plusMinutes(a.startsAt, 300), totalScore: 20, passed: true });
  });

  it('R-INC-2: a provider fault voids an ended attempt whose result is not published yet, and the result with it', async () => {
    const a = await finished(sessionId, [submit(rightAnswers(0)), null, null]);
    await new ResultService().computeAll(serviceCtx(s), { publish: false });
    const ctx = serviceCtx(s);
    expect(await ctx.em.transactional((em) => voidAttemptsForIncident(em, ctx, a.appointmentId, 'software failure confirmed'))).toBe(1);
    const exam = (await registrationExam(s, a.registrationId))!;
    expect(exam.attempts.map((x) => x.status)).toEqual(['VOIDED']);
    expect(exam.result).toMatchObject({ status: 'VOIDED', publishedAt: null });
    expect((await registrationExam(s, a.registrationId, a.token))!.result).toBeNull();
    await runJob(s, 'COMPUTE_RESULTS');
    expect((await registrationExam(s, a.registrationId))!.result!.status).toBe('VOIDED');
  });

  it('R-RES-1: results load through DataLoaders: a page of registrations with attempts and results', async () => {
    const r = await s.gql<{ registrations: { edges: { node: { attempts: { id: string }[]; result: { totalScore: number } | null } }[] } }>(
      'query($f: RegistrationFilter) { registrations(filter: $f, first: 100) { edges { node { attempts { id status parts { title } } result { totalScore } } } } }',
      { f: { sessionId } },
      await s.tokenFor('SUPPORT'),
    );
    expect(r.errors).toBeUndefined();
    const nodes = r.data!.registrations.edges.map((e) => e.node);
    expect(nodes.filter((n) => n.attempts.length > 0).length).toBeGreaterThanOrEqual(5);
    expect(nodes.filter((n) => n.result).length).toBeGreaterThanOrEqual(3);
  });
});
