import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasAnyAttempt, hasUsedAttempt, voidAttemptsForIncident } from '../../src/services/exam-hooks';
import {
  answer,
  bookedLearner,
  examParts,
  examSession,
  finishAttempt,
  plusMinutes,
  PROCTOR_PASSWORD,
  readAttempt,
  registrationExam,
  rightAnswers,
  serviceCtx,
  SET_CONTENT,
  setContent,
  startAttempt,
  startedAttempt,
  unlock,
  unlockedAttempt,
} from '../helpers/exam-factories';
import { auditEvents, topLevelCodes } from '../helpers/inputs-common';
import { book, bookPriority, cancel, createSession, reportIncident, sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

const codes = (p: { errors: { code: string }[] }) => p.errors.map((e) => e.code);

describe('exam content (R-EXA-1, R-EXA-2)', () => {
  it('R-EXA-1: setExamContent (CERTIFICATION) stores 3 parts of 10 questions; hasExamContent turns true', async () => {
    const sid = await createSession(s);
    const before = await s.gql<{ certificationSession: { hasExamContent: boolean } }>('query($id: ID!) { certificationSession(id: $id) { hasExamContent } }', { id: sid }, await s.tokenFor('LEARNER'));
    expect(before.data!.certificationSession.hasExamContent).toBe(false);
    const r = await setContent(s, sid);
    expect(r.errors).toEqual([]);
    expect(r.session).toEqual({ id: sid, hasExamContent: true });
    const [row] = await sql<{ parts: { title: string; questions: unknown[] }[]; answer_key: number[][][] }>(s, 'select parts, answer_key from exam_content where session_id = ?', [sid]);
    expect(row.parts.map((p) => p.questions.length)).toEqual([10, 10, 10]);
    expect(row.answer_key[0][0]).toEqual([0, 2]);
    // The learner-facing column carries no correct answer.
    expect(JSON.stringify(row.parts)).not.toMatch(/correct/i);
  });

  it('R-EXA-2: the proctor password is stored as an argon2id hash, never in clear', async () => {
    const [row] = await sql<{ proctor_password_hash: string }>(s, 'select proctor_password_hash from exam_content where session_id = ?', [sessionId]);
    expect(row.proctor_password_hash).toMatch(/^\$argon2id\$/);
    expect(row.proctor_password_hash).not.toContain(PROCTOR_PASSWORD);
    const events = await auditEvents(s, { subjectId: sessionId, action: 'exam.content.set' });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(PROCTOR_PASSWORD);
  });

  it('R-EXA-1: EXAM_CONTENT_INVALID names the offending field; nothing is written', async () => {
    const sid = await createSession(s);
    const cases: [(parts: ReturnType<typeof examParts>) => unknown, string[]][] = [
      [(p) => p.slice(0, 2), ['input', 'parts']],
      [(p) => (p[1].questions.pop(), p), ['input', 'parts', '1', 'questions']],
      [(p) => ((p[2].questions[4].choices = ['Seule réponse']), p), ['input', 'parts', '2', 'questions', '4', 'choices']],
      [(p) => ((p[0].questions[7].correctChoices = [4]), p), ['input', 'parts', '0', 'questions', '7', 'correctChoices']],
      [(p) => ((p[0].questions[3].correctChoices = []), p), ['input', 'parts', '0', 'questions', '3', 'correctChoices']],
      [(p) => ((p[1].questions[0].correctChoices = [1, 1]), p), ['input', 'parts', '1', 'questions', '0', 'correctChoices']],
      [(p) => ((p[1].questions[9].prompt = '   '), p), ['input', 'parts', '1', 'questions', '9', 'prompt']],
      [(p) => ((p[2].title = ''), p), ['input', 'parts', '2', 'title']],
    ];
    for (const [mutate, field] of cases) {
      const r = await s.gql<{ setExamContent: { session: unknown; errors: { code: string; field: string[] }[] } }>(
        SET_CONTENT,
        { i: { sessionId: sid, parts: mutate(examParts()), proctorPassword: PROCTOR_PASSWORD } },
        await s.tokenFor('CERTIFICATION'),
      );
      expect(r.data!.setExamContent.errors.map((e) => [e.code, e.field])).toEqual([['EXAM_CONTENT_INVALID', field]]);
      expect(r.data!.setExamContent.session).toBeNull();
    }
    expect(await sql(s, 'select 1 from exam_content where session_id = ?', [sid])).toHaveLength(0);
  });

  it('R-SEC-1: only CERTIFICATION (and ADMIN) set the exam; others are FORBIDDEN', async () => {
    for (const role of ['SUPPORT', 'INTEGRATION', 'LEARNER', 'PAYMENTS'] as const) {
      const r = await s.gql(SET_CONTENT, { i: { sessionId, parts: examParts(), proctorPassword: PROCTOR_PASSWORD } }, await s.tokenFor(role));
      expect(topLevelCodes(r)).toEqual(['FORBIDDEN']);
    }
  });

  it('R-EXA-1: the content is frozen once any attempt exists for the session', async () => {
    const sid = await examSession(s);
    // Replacing before any attempt is fine: questions, answer key and password all change.
    const [before] = await sql<{ proctor_password_hash: string }>(s, 'select proctor_password_hash from exam_content where session_id = ?', [sid]);
    const changed = examParts();
    changed[0].questions[0].correctChoices = [3];
    changed[0].title = 'Nouvelle partie';
    expect((await setContent(s, sid, changed, 'another-proctor-password')).errors).toEqual([]);
    const [after] = await sql<{ proctor_password_hash: string; answer_key: number[][][]; parts: { title: string }[] }>(s, 'select * from exam_content where session_id = ?', [sid]);
    expect(after.answer_key[0][0]).toEqual([3]);
    expect(after.parts[0].title).toBe('Nouvelle partie');
    expect(after.proctor_password_hash).not.toBe(before.proctor_password_hash);
    expect((await setContent(s, sid)).errors).toEqual([]);
    await unlockedAttempt(s, sid);
    const r = await setContent(s, sid);
    expect(r.errors.map((e) => [e.code, e.field])).toEqual([['EXAM_CONTENT_INVALID', ['input', 'sessionId']]]);
  });
});

describe('unlockExam (R-EXA-2, R-EXA-6, R-SCH-7)', () => {
  it('R-EXA-2: the exam opens only from 15 min before the appointment to 30 min after its start (NOT_APPOINTMENT_TIME)', async () => {
    const b = await bookedLearner(s, sessionId);
    for (const at of [plusMinutes(b.startsAt, -16), plusMinutes(b.startsAt, 31), '2017-02-20T10:00:00Z']) {
      await s.setClock(at);
      const r = await unlock(s, b.appointmentId);
      expect(codes(r)).toEqual(['NOT_APPOINTMENT_TIME']);
      expect(r.attempt).toBeNull();
    }
    await s.setClock(plusMinutes(b.startsAt, -15));
    const ok = await unlock(s, b.appointmentId);
    expect(ok.errors).toEqual([]);
    expect(ok.attempt).toMatchObject({ status: 'READY', startedAt: null, deadline: null, remainingSeconds: 1800, registration: { id: b.registrationId }, appointment: { id: b.appointmentId, status: 'BOOKED' } });
    expect(ok.attempt!.parts.map((p) => [p.number, p.status, p.questions.length])).toEqual([
      [1, 'NOT_ANSWERED', 10],
      [2, 'NOT_ANSWERED', 10],
      [3, 'NOT_ANSWERED', 10],
    ]);
  });

  it('R-EXA-2: a wrong password is WRONG_PROCTOR_PASSWORD; 5 wrong in 10 minutes (real clock) lock the appointment for 10 minutes', async () => {
    const b = await bookedLearner(s, sessionId);
    await s.setClock(b.startsAt);
    for (let i = 0; i < 5; i++) {
      const r = await unlock(s, b.appointmentId, `wrong-${i}-password`);
      expect(codes(r)).toEqual(['WRONG_PROCTOR_PASSWORD']);
      expect(r.errors[0].field).toEqual(['input', 'proctorPassword']);
    }
    // Counted in PostgreSQL, committed although each call was refused.
    expect(await sql(s, 'select 1 from exam_unlock_failure where appointment_id = ?', [b.appointmentId])).toHaveLength(5);
    // Locked: even the right password is refused; moving the domain clock does not lift the lock.
    await s.setClock(plusMinutes(b.startsAt, 25));
    const locked = await unlock(s, b.appointmentId);
    expect(codes(locked)).toEqual(['WRONG_PROCTOR_PASSWORD']);
    expect(locked.errors[0].message).toMatch(/locked until/);
    expect(await sql(s, 'select 1 from exam_attempt where appointment_id = ?', [b.appointmentId])).toHaveLength(0);
    // Ten real minutes later (the failures aged in the database), the right password opens it.
    await sql(s, `update exam_unlock_failure set failed_at = failed_at - interval '10 minutes 1 second' where appointment_id = ?`, [b.appointmentId]);
    const ok = await unlock(s, b.appointmentId);
    expect(ok.errors).toEqual([]);
    expect(ok.attempt!.status).toBe('READY');
  });

  it('R-EXA-2: four wrong passwords do not lock; failures older than 10 minutes do not count', async () => {
    const b = await bookedLearner(s, sessionId);
    await s.setClock(b.startsAt);
    for (let i = 0; i < 4; i++) expect(codes(await unlock(s, b.appointmentId, 'nope-nope-nope'))).toEqual(['WRONG_PROCTOR_PASSWORD']);
    await sql(s, `update exam_unlock_failure set failed_at = failed_at - interval '11 minutes' where appointment_id = ?`, [b.appointmentId]);
    expect(codes(await unlock(s, b.appointmentId, 'nope-nope-nope'))).toEqual(['WRONG_PROCTOR_PASSWORD']);
    expect((await unlock(s, b.appointmentId)).errors).toEqual([]);
  });

  it('R-SEC-1: unlockExam is for INTEGRATION (the proctoring platform) only', async () => {
    const b = await bookedLearner(s, sessionId);
    await s.setClock(b.startsAt);
    for (const token of [b.token, await s.tokenFor('SUPPORT'), await s.tokenFor('CERTIFICATION')]) {
      const r = await s.gql('mutation($i: UnlockExamInput!) { unlockExam(input: $i) { attempt { id } errors { code } } }', { i: { appointmentId: b.appointmentId, proctorPassword: PROCTOR_PASSWORD } }, token);
      expect(topLevelCodes(r)).toEqual(['FORBIDDEN']);
    }
    expect(codes(await unlock(s, '00000000-0000-4000-8000-000000000000'))).toEqual(['NOT_FOUND']);
  });

  it('R-EXA-1: a second unlock of the registration is ATTEMPT_ALREADY_USED; a cancelled appointment is APPOINTMENT_NOT_ACTIVE', async () => {
    const u = await unlockedAttempt(s, sessionId);
    expect(codes(await unlock(s, u.appointmentId))).toEqual(['ATTEMPT_ALREADY_USED']);
    const b = await bookedLearner(s, sessionId);
    expect((await cancel(s, b.appointmentId, b.token)).errors).toEqual([]);
    await s.setClock(b.startsAt);
    expect(codes(await unlock(s, b.appointmentId))).toEqual(['APPOINTMENT_NOT_ACTIVE']);
  });

  it('R-EXA-1: an appointment of a session without exam content cannot be unlocked (EXAM_CONTENT_INVALID)', async () => {
    const sid = await createSession(s);
    const b = await bookedLearner(s, sid);
    await s.setClock(b.startsAt);
    const r = await unlock(s, b.appointmentId);
    expect(r.errors.map((e) => [e.code, e.field])).toEqual([['EXAM_CONTENT_INVALID', ['input', 'appointmentId']]]);
  });

  it('R-SCH-7: after a voided attempt, only a priority appointment opens a second attempt', async () => {
    const u = await unlockedAttempt(s, sessionId);
    expect(await hasUsedAttempt(s.orm.em.fork(), u.registrationId)).toBe(true);
    await s.setClock(plusMinutes(u.startsAt, 10));
    const incident = await reportIncident(s, { appointmentId: u.appointmentId, occurredAt: plusMinutes(u.startsAt, 5), confirmedByProvider: true, providerReference: 'PU-EXA-1' });
    expect(incident.errors).toEqual([]);
    // R-INC-2: the confirmed incident voided the attempt (the incident service calls voidAttemptsForIncident).
    expect(await hasUsedAttempt(s.orm.em.fork(), u.registrationId)).toBe(false);
    expect((await readAttempt(s, u.attemptId))!).toMatchObject({ status: 'VOIDED', appointment: { status: 'PROVIDER_FAULT' } });
    expect((await readAttempt(s, u.attemptId))!.voidReason).toBeTruthy();

    const priorityStart = plusMinutes(u.startsAt, 24 * 60 + 60);
    const p = await bookPriority(s, u.registrationId, incident.incident!.id, priorityStart);
    expect(p.errors).toEqual([]);
    await s.setClock(priorityStart);
    const second = await unlock(s, p.appointment!.id);
    expect(second.errors).toEqual([]);
    expect(second.attempt!.status).toBe('READY');
    const exam = await registrationExam(s, u.registrationId);
    expect(exam!.attempts.map((a) => a.status)).toEqual(['VOIDED', 'READY']);
  });

  it('R-SCH-7: after a voided attempt, a normal appointment is still ATTEMPT_ALREADY_USED (at booking and at unlock)', async () => {
    const u = await unlockedAttempt(s, sessionId);
    const ctx = serviceCtx(s);
    expect(await ctx.em.transactional((em) => voidAttemptsForIncident(em, ctx, u.appointmentId, 'fault'))).toBe(1);
    expect(await hasUsedAttempt(s.orm.em.fork(), u.registrationId)).toBe(false);
    expect(await hasAnyAttempt(s.orm.em.fork(), u.registrationId)).toBe(true);
    await sql(s, `update appointment set status = 'PROVIDER_FAULT' where id = ?`, [u.appointmentId]);
    await s.setClock('2017-02-20T10:00:00Z');
    const again = await book(s, u.registrationId, '2017-03-13T18:00:00Z', u.token);
    expect(codes(again)).toEqual(['ATTEMPT_ALREADY_USED']);
    // Even an appointment that bypassed booking (written directly) does not open a second attempt.
    const [normal] = await sql<{ id: string }>(
      s,
      `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
       select gen_random_uuid(), registration_id, session_id, '2017-03-13T18:00:00Z', '2017-03-13T18:30:00Z', 'BOOKED', now(), 'sql' from appointment where id = ? returning id`,
      [u.appointmentId],
    );
    await s.setClock('2017-03-13T18:00:00Z');
    expect(codes(await unlock(s, normal.id))).toEqual(['ATTEMPT_ALREADY_USED']);
  });
});

describe('the attempt (R-EXA-2..4)', () => {
  it('R-EXA-2: the countdown starts when the learner starts: deadline = start + 30 min; remainingSeconds follows the clock', async () => {
    const u = await unlockedAttempt(s, sessionId);
    await s.setClock(plusMinutes(u.startsAt, 2));
    const st = await startAttempt(s, u.attemptId, u.token);
    expect(st.errors).toEqual([]);
    expect(st.attempt).toMatchObject({ status: 'STARTED', startedAt: plusMinutes(u.startsAt, 2), deadline: plusMinutes(u.startsAt, 32), remainingSeconds: 1800 });
    // Starting again (a retried request) changes nothing.
    expect((await startAttempt(s, u.attemptId, u.token)).attempt!.deadline).toBe(plusMinutes(u.startsAt, 32));
    await s.setClock(plusMinutes(u.startsAt, 12));
    expect((await readAttempt(s, u.attemptId, u.token))!.remainingSeconds).toBe(1200);
  });

  it('R-EXA-3: before the start, answers and finish are ATTEMPT_NOT_STARTED', async () => {
    const u = await unlockedAttempt(s, sessionId);
    expect(codes(await answer(s, 'saveDraft', u.attemptId, 1, rightAnswers(0), u.token))).toEqual(['ATTEMPT_NOT_STARTED']);
    expect(codes(await answer(s, 'submitPart', u.attemptId, 1, rightAnswers(0), u.token))).toEqual(['ATTEMPT_NOT_STARTED']);
    expect(codes(await finishAttempt(s, u.attemptId, u.token))).toEqual(['ATTEMPT_NOT_STARTED']);
  });

  it('R-SEC-1: a learner reaches only their own attempt (another learner sees NOT_FOUND / null); staff cannot answer for them', async () => {
    const a = await startedAttempt(s, sessionId);
    const other = await s.newLearner();
    expect(await readAttempt(s, a.attemptId, other.token)).toBeNull();
    expect(codes(await startAttempt(s, a.attemptId, other.token))).toEqual(['NOT_FOUND']);
    expect(codes(await answer(s, 'saveDraft', a.attemptId, 1, rightAnswers(0), other.token))).toEqual(['NOT_FOUND']);
    expect(codes(await finishAttempt(s, a.attemptId, other.token))).toEqual(['NOT_FOUND']);
    const r = await s.gql('mutation($id: ID!) { finishAttempt(attemptId: $id) { errors { code } } }', { id: a.attemptId }, await s.tokenFor('SUPPORT'));
    expect(topLevelCodes(r)).toEqual(['FORBIDDEN']);
    expect((await readAttempt(s, a.attemptId, a.token))!.id).toBe(a.attemptId);
  });

  it('R-EXA-3: drafts save any number of times; a final check is final (PART_ALREADY_SUBMITTED)', async () => {
    const a = await startedAttempt(s, sessionId);
    const first = await answer(s, 'saveDraft', a.attemptId, 2, Array.from({ length: 10 }, () => [1]), a.token);
    expect(first.errors).toEqual([]);
    const second = await answer(s, 'saveDraft', a.attemptId, 2, Array.from({ length: 10 }, (_, q) => (q === 0 ? [3, 0] : [])), a.token);
    expect(second.attempt!.parts[1]).toMatchObject({ status: 'DRAFT', submittedAt: null });
    expect(second.attempt!.parts[1].answers![0]).toEqual([0, 3]); // stored as a set, sorted
    const sub = await answer(s, 'submitPart', a.attemptId, 2, rightAnswers(1), a.token);
    expect(sub.errors).toEqual([]);
    expect(sub.attempt!.parts[1]).toMatchObject({ status: 'SUBMITTED', answers: rightAnswers(1).map((x) => [...x].sort()), submittedAt: a.startsAt });
    expect(codes(await answer(s, 'saveDraft', a.attemptId, 2, rightAnswers(1), a.token))).toEqual(['PART_ALREADY_SUBMITTED']);
    expect(codes(await answer(s, 'submitPart', a.attemptId, 2, rightAnswers(1), a.token))).toEqual(['PART_ALREADY_SUBMITTED']);
    expect((await readAttempt(s, a.attemptId, a.token))!.parts.map((p) => p.status)).toEqual(['NOT_ANSWERED', 'SUBMITTED', 'NOT_ANSWERED']);
  });

  it('R-EXA-3: INVALID_ANSWER for a wrong number of lists, an index out of range, a choice twice, a part that does not exist', async () => {
    const a = await startedAttempt(s, sessionId);
    const bad: [number, number[][], string[]][] = [
      [1, rightAnswers(0).slice(0, 9), ['input', 'answers']],
      [1, rightAnswers(0).map((x, q) => (q === 5 ? [4] : x)), ['input', 'answers', '5']],
      [1, rightAnswers(0).map((x, q) => (q === 2 ? [-1] : x)), ['input', 'answers', '2']],
      [3, rightAnswers(2).map((x, q) => (q === 7 ? [1, 1] : x)), ['input', 'answers', '7']],
      [4, rightAnswers(0), ['input', 'part']],
      [0, rightAnswers(0), ['input', 'part']],
    ];
    for (const [part, answers, field] of bad) {
      for (const op of ['saveDraft', 'submitPart'] as const) {
        const r = await answer(s, op, a.attemptId, part, answers, a.token);
        expect(r.errors.map((e) => [e.code, e.field])).toEqual([['INVALID_ANSWER', field]]);
        expect(r.attempt).toBeNull();
      }
    }
    expect((await readAttempt(s, a.attemptId))!.parts.map((p) => p.status)).toEqual(['NOT_ANSWERED', 'NOT_ANSWERED', 'NOT_ANSWERED']);
  });

  it('R-EXA-3: finishAttempt ends the attempt (endedBy LEARNER) and locks it; the appointment becomes COMPLETED', async () => {
    const a = await startedAttempt(s, sessionId);
    await s.setClock(plusMinutes(a.startsAt, 20));
    const f = await finishAttempt(s, a.attemptId, a.token);
    expect(f.errors).toEqual([]);
    expect(f.attempt).toMatchObject({ status: 'SUBMITTED', endedBy: 'LEARNER', submittedAt: plusMinutes(a.startsAt, 20), remainingSeconds: 0, appointment: { status: 'COMPLETED' } });
    expect(codes(await answer(s, 'saveDraft', a.attemptId, 1, rightAnswers(0), a.token))).toEqual(['ATTEMPT_ENDED']);
    expect(codes(await answer(s, 'submitPart', a.attemptId, 1, rightAnswers(0), a.token))).toEqual(['ATTEMPT_ENDED']);
    expect(codes(await finishAttempt(s, a.attemptId, a.token))).toEqual(['ATTEMPT_ENDED']);
    expect(codes(await startAttempt(s, a.attemptId, a.token))).toEqual(['ATTEMPT_ENDED']);
    const actions = (await auditEvents(s, { subjectId: a.attemptId })).map((e) => e.action).reverse();
    expect(actions).toEqual(['attempt.unlock', 'attempt.start', 'attempt.finish']);
  });

  it('R-EXA-4: a timed-out attempt ends at its deadline, not when the timeout was noticed (lazily, on a write)', async () => {
    const a = await startedAttempt(s, sessionId);
    expect((await answer(s, 'submitPart', a.attemptId, 1, rightAnswers(0), a.token)).errors).toEqual([]);
    await s.setClock(plusMinutes(a.startsAt, 37));
    const late = await answer(s, 'saveDraft', a.attemptId, 2, rightAnswers(1), a.token);
    expect(codes(late)).toEqual(['ATTEMPT_ENDED']);
    // The refusal rolled back, the timeout did not: it is stored, at the deadline.
    const [row] = await sql<{ status: string; ended_by: string; submitted_at: Date; parts: { status: string }[] }>(s, 'select status, ended_by, submitted_at, parts from exam_attempt where id = ?', [a.attemptId]);
    expect(row).toMatchObject({ status: 'SUBMITTED', ended_by: 'TIMEOUT' });
    expect(new Date(row.submitted_at).toISOString()).toBe(a.deadline);
    expect(row.parts.map((p) => p.status)).toEqual(['SUBMITTED', 'NOT_ANSWERED', 'NOT_ANSWERED']);
    const seen = (await readAttempt(s, a.attemptId, a.token))!;
    expect(seen).toMatchObject({ status: 'SUBMITTED', endedBy: 'TIMEOUT', submittedAt: a.deadline, remainingSeconds: 0, appointment: { status: 'COMPLETED' } });
    const timeout = await auditEvents(s, { subjectId: a.attemptId, action: 'attempt.timeout' });
    expect(timeout.map((e) => e.actor)).toEqual(['system:attempt-timeout']);
    expect(await auditEvents(s, { subjectId: a.appointmentId, action: 'appointment.complete' })).toHaveLength(1);
  });

  it('R-EXA-4: a timed-out attempt ends at its deadline when it is merely read (attempt(id))', async () => {
    const a = await startedAttempt(s, sessionId);
    await s.setClock(plusMinutes(a.startsAt, 95));
    // Listed through the registration, it already reads as ended (nothing written yet)...
    const listed = (await registrationExam(s, a.registrationId, a.token))!.attempts[0];
    expect(listed).toMatchObject({ status: 'SUBMITTED', endedBy: 'TIMEOUT', submittedAt: a.deadline });
    // ...and reading it by id writes the timeout.
    expect((await readAttempt(s, a.attemptId, a.token))!).toMatchObject({ status: 'SUBMITTED', endedBy: 'TIMEOUT', submittedAt: a.deadline });
    const [row] = await sql<{ status: string; submitted_at: Date }>(s, 'select status, submitted_at from exam_attempt where id = ?', [a.attemptId]);
    expect(row.status).toBe('SUBMITTED');
    expect(new Date(row.submitted_at).toISOString()).toBe(a.deadline);
    expect(codes(await finishAttempt(s, a.attemptId, a.token))).toEqual(['ATTEMPT_ENDED']);
  });

  it('R-EXA-4: an answer at the deadline is too late; one second before, it counts', async () => {
    const a = await startedAttempt(s, sessionId);
    await s.setClock(new Date(new Date(a.deadline).getTime() - 1000));
    const justInTime = await answer(s, 'submitPart', a.attemptId, 3, rightAnswers(2), a.token);
    expect(justInTime.errors).toEqual([]);
    expect(justInTime.attempt!.remainingSeconds).toBe(1);
    await s.setClock(a.deadline);
    expect(codes(await answer(s, 'submitPart', a.attemptId, 1, rightAnswers(0), a.token))).toEqual(['ATTEMPT_ENDED']);
  });

  it('R-EXA-2: learners never see correct answers: the schema has no field for them', async () => {
    const a = await startedAttempt(s, sessionId);
    const r = await s.gql(`query($id: ID!) { attempt(id: $id) { parts { questions { correctChoices } } } }`, { id: a.attemptId }, a.token);
    expect(topLevelCodes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const seen = await readAttempt(s, a.attemptId, a.token);
    expect(JSON.stringify(seen)).not.toMatch(/correct/i);
    expect(seen!.parts[0].questions[0]).toEqual({ number: 1, prompt: 'Partie 1, question 1 : quelle affirmation est juste ?', choices: ['Réponse A', 'Réponse B', 'Réponse C', 'Réponse D'] });
  });
});

describe('hooks for scheduling and incidents (R-INC-2, R-SCH-7)', () => {
  it('R-INC-2: voidAttemptsForIncident voids a running attempt once (returns 1, then 0) and leaves other appointments alone', async () => {
    const a = await startedAttempt(s, sessionId);
    const other = await startedAttempt(s, sessionId);
    const ctx = serviceCtx(s);
    expect(await ctx.em.transactional((em) => voidAttemptsForIncident(em, ctx, a.appointmentId, 'disconnection confirmed'))).toBe(1);
    expect(await ctx.em.transactional((em) => voidAttemptsForIncident(em, ctx, a.appointmentId, 'again'))).toBe(0);
    expect((await readAttempt(s, a.attemptId))!).toMatchObject({ status: 'VOIDED', voidReason: 'disconnection confirmed' });
    expect((await readAttempt(s, other.attemptId))!.status).toBe('STARTED');
    expect(codes(await answer(s, 'saveDraft', a.attemptId, 1, rightAnswers(0), a.token))).toEqual(['ATTEMPT_ENDED']);
    expect(await auditEvents(s, { subjectId: a.attemptId, action: 'attempt.void' })).toHaveLength(1);
    expect(await ctx.em.transactional((em) => voidAttemptsForIncident(em, ctx, '00000000-0000-4000-8000-000000000000', 'none'))).toBe(0);
  });

  it('R-SCH-7: hasUsedAttempt is true once an attempt exists that is not voided', async () => {
    const b = await bookedLearner(s, sessionId);
    expect(await hasUsedAttempt(s.orm.em.fork(), b.registrationId)).toBe(false);
    await s.setClock(b.startsAt);
    expect((await unlock(s, b.appointmentId)).errors).toEqual([]);
    expect(await hasUsedAttempt(s.orm.em.fork(), b.registrationId)).toBe(true);
  });
});
