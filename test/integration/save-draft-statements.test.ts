import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examSession, plusMinutes, rightAnswers, startedAttempt } from '../helpers/exam-factories';
import { auditEvents } from '../helpers/inputs-common';
import { sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';
import { statementCounter } from '../helpers/statement-counter';

/**
 * Issue 10, write path: a draft save (R-EXA-3) costs one statement — the conditional update of the
 * attempt, which writes its audit event in the same statement (R-SEC-2), atomic without a transaction —
 * once the server knows the attempt's session and that session's questions (the first save of an
 * attempt reads them, in one statement). Statements are counted as in statement-count.test.ts: knex's
 * `query` event on the server's ORM, one request at a time. The request's viewer lookup (a read of the
 * learner, outside the service) is counted apart.
 */
let s: TestServer;
let sessionId: string;
let counter: ReturnType<typeof statementCounter>;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
  counter = statementCounter(s);
}, 120_000);

afterAll(async () => {
  await s?.close();
});

const SAVE = 'mutation($i: SaveAnswersInput!) { saveDraft(input: $i) { attempt { id } errors { code message field } } }';

async function save(attemptId: string, part: number, answers: number[][], token: string) {
  const { result: r, statements } = await counter.during(() =>
    s.gql<{ saveDraft: { attempt: { id: string } | null; errors: { code: string }[] } }>(SAVE, { i: { attemptId, part, answers } }, token),
  );
  expect(r.errors).toBeUndefined();
  return { payload: r.data!.saveDraft, statements };
}

const verb = (q: string) => q.trim().split(/[\s;]+/)[0].toLowerCase();

/** The statements of a save without the request's viewer lookup (at most one read of the learner). */
function body(all: string[]): string[] {
  const viewer = all.filter((q) => /^select .* from "learner" /.test(q));
  expect(viewer.length, all.join('\n')).toBeLessThanOrEqual(1);
  return all.filter((q) => !viewer.includes(q));
}

describe('saveDraft statements (issue 10, R-EXA-3)', () => {
  it('R-EXA-3: a draft save is one statement: the conditional update of the attempt with its audit event', async () => {
    const a = await startedAttempt(s, sessionId);
    const first = await save(a.attemptId, 1, rightAnswers(0), a.token);
    expect(first.payload.errors).toEqual([]);
    // The first save of an attempt reads its session and questions once, in one statement.
    expect(body(first.statements).map(verb), first.statements.join('\n')).toEqual(['select', 'with']);
    const second = await save(a.attemptId, 2, rightAnswers(1), a.token);
    expect(second.payload.errors).toEqual([]);
    const [update] = body(second.statements);
    expect(body(second.statements).map(verb), second.statements.join('\n')).toEqual(['with']);
    expect(update).toMatch(/update exam_attempt/);
    expect(update).toMatch(/insert into audit_event/);
    // Both saves are stored, each with its audit event.
    const [row] = await sql<{ parts: { status: string }[] }>(s, 'select parts from exam_attempt where id = ?', [a.attemptId]);
    expect(row.parts.map((p) => p.status)).toEqual(['DRAFT', 'DRAFT', 'NOT_ANSWERED']);
    expect(await auditEvents(s, { subjectId: a.attemptId, action: 'attempt.part.save' })).toHaveLength(2);
  });

  it('R-EXA-3: a final check (submitPart) costs the same one statement', async () => {
    const a = await startedAttempt(s, sessionId);
    expect((await save(a.attemptId, 1, rightAnswers(0), a.token)).payload.errors).toEqual([]);
    const { result: r, statements } = await counter.during(() =>
      s.gql<{ submitPart: { errors: unknown[] } }>('mutation($i: SaveAnswersInput!) { submitPart(input: $i) { attempt { id } errors { code } } }', { i: { attemptId: a.attemptId, part: 1, answers: rightAnswers(0) } }, a.token),
    );
    expect(r.data!.submitPart.errors).toEqual([]);
    expect(body(statements).map(verb), statements.join('\n')).toEqual(['with']);
    expect(await auditEvents(s, { subjectId: a.attemptId, action: 'attempt.part.submit' })).toHaveLength(1);
  });

  it('R-EXA-3: a bad answer is refused and writes nothing (no draft, no audit event)', async () => {
    const a = await startedAttempt(s, sessionId);
    const r = await save(a.attemptId, 1, rightAnswers(0).map((x, q) => (q === 4 ? [7] : x)), a.token);
    expect(r.payload.errors.map((e) => e.code)).toEqual(['INVALID_ANSWER']);
    expect(r.statements.filter((q) => /update exam_attempt/.test(q))).toEqual([]);
    const [row] = await sql<{ parts: { status: string }[] }>(s, 'select parts from exam_attempt where id = ?', [a.attemptId]);
    expect(row.parts.map((p) => p.status)).toEqual(['NOT_ANSWERED', 'NOT_ANSWERED', 'NOT_ANSWERED']);
    expect(await auditEvents(s, { subjectId: a.attemptId, action: 'attempt.part.save' })).toHaveLength(0);
  });

  it('R-SEC-1: a bad answer to another learner\'s attempt is still NOT_FOUND (the checks keep their order)', async () => {
    const a = await startedAttempt(s, sessionId);
    const other = await s.newLearner();
    const r = await save(a.attemptId, 1, [[9]], other.token);
    expect(r.payload.errors.map((e) => e.code)).toEqual(['NOT_FOUND']);
  });

  it('R-EXA-3: answers are checked against the content as stored, even if it was replaced behind the server (memo keyed by updated_at)', async () => {
    const a = await startedAttempt(s, sessionId);
    expect((await save(a.attemptId, 1, rightAnswers(0), a.token)).payload.errors).toEqual([]);
    // As a restored backup would: question 1 of part 1 now has two choices (frozen content never changes through the API).
    await sql(s, `update exam_content set parts = jsonb_set(parts, '{0,questions,0,choices}', '["A","B"]'), updated_at = updated_at + interval '1 second' where session_id = ?`, [sessionId]);
    try {
      const r = await save(a.attemptId, 1, rightAnswers(0).map((x, q) => (q === 0 ? [3] : x)), a.token);
      expect(r.payload.errors.map((e) => e.code)).toEqual(['INVALID_ANSWER']);
      expect((await save(a.attemptId, 1, rightAnswers(0).map((x, q) => (q === 0 ? [1] : x)), a.token)).payload.errors).toEqual([]);
    } finally {
      await sql(s, `update exam_content set parts = jsonb_set(parts, '{0,questions,0,choices}', '["Réponse A","Réponse B","Réponse C","Réponse D"]'), updated_at = updated_at - interval '1 second' where session_id = ?`, [sessionId]);
    }
  });

  it('R-EXA-4: a refused save (past the deadline) still records the timeout, and writes nothing else', async () => {
    const a = await startedAttempt(s, sessionId);
    await s.setClock(plusMinutes(a.startsAt, 31));
    const r = await save(a.attemptId, 1, rightAnswers(0), a.token);
    expect(r.payload.errors.map((e) => e.code)).toEqual(['ATTEMPT_ENDED']);
    const [row] = await sql<{ status: string; ended_by: string; parts: { status: string }[] }>(s, 'select status, ended_by, parts from exam_attempt where id = ?', [a.attemptId]);
    expect(row).toMatchObject({ status: 'SUBMITTED', ended_by: 'TIMEOUT' });
    expect(row.parts.map((p) => p.status)).toEqual(['NOT_ANSWERED', 'NOT_ANSWERED', 'NOT_ANSWERED']);
    expect(await auditEvents(s, { subjectId: a.attemptId, action: 'attempt.part.save' })).toHaveLength(0);
  });
});
