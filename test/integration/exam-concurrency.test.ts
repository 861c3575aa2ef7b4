import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../helpers/database';
import { voidAttemptsForIncident } from '../../src/services/exam-hooks';
import { answer, bookedLearner, examSession, finishAttempt, plusMinutes, readAttempt, rightAnswers, runJob, serviceCtx, startedAttempt, unlock } from '../helpers/exam-factories';
import { sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

describe('one attempt, under concurrency (R-EXA-6)', () => {
  it('R-EXA-6: 10 concurrent unlocks of one appointment create one attempt; the others are ATTEMPT_ALREADY_USED', async () => {
    const b = await bookedLearner(s, sessionId);
    await s.setClock(b.startsAt);
    const token = await s.tokenFor('INTEGRATION');
    const results = await Promise.all(Array.from({ length: 10 }, () => unlock(s, b.appointmentId, undefined, token)));
    const ok = results.filter((r) => r.errors.length === 0);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.errors.length).map((r) => r.errors[0].code)).toEqual(Array(9).fill('ATTEMPT_ALREADY_USED'));
    expect(await sql(s, 'select id from exam_attempt where registration_id = ?', [b.registrationId])).toEqual([{ id: ok[0].attempt!.id }]);
  });

  it('R-EXA-6: the database itself refuses a second live attempt for a registration and a second attempt for an appointment', async () => {
    const b = await bookedLearner(s, sessionId);
    await s.setClock(b.startsAt);
    expect((await unlock(s, b.appointmentId)).errors).toEqual([]);
    const insert = (appointmentId: string) =>
      sql(
        s,
        `insert into exam_attempt (id, registration_id, appointment_id, session_id, status, duration_minutes, unlocked_at, unlocked_by, parts)
         select gen_random_uuid(), registration_id, ?, session_id, 'READY', 30, now(), 'sql', parts from exam_attempt where appointment_id = ?`,
        [appointmentId, b.appointmentId],
      );
    await expect(insert(b.appointmentId)).rejects.toThrow(/exam_attempt_one_per_appointment/);
    const [other] = await sql<{ id: string }>(
      s,
      `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
       select gen_random_uuid(), registration_id, session_id, starts_at + interval '1 day', ends_at + interval '1 day', 'CANCELLED', now(), 'sql' from appointment where id = ? returning id`,
      [b.appointmentId],
    );
    await expect(insert(other.id)).rejects.toThrow(/exam_attempt_one_live_per_registration/);
  });
});

describe('drafts racing the timeout (R-EXA-3, R-EXA-4)', () => {
  it('R-EXA-4: a draft save racing the timeout never lands after it: it waits for the row, then finds the attempt ended', async () => {
    const a = await startedAttempt(s, sessionId);
    // The timeout's transaction (as END_EXPIRED_ATTEMPTS writes it) holds the attempt row...
    const job = await sqlClient(s.dbUrl);
    try {
      await job.query('begin');
      await job.query(`update exam_attempt set status = 'SUBMITTED', ended_by = 'TIMEOUT', submitted_at = deadline where id = $1 and status = 'STARTED'`, [a.attemptId]);
      // ...while the learner's save, checked against a clock still before the deadline, reaches the database.
      const save = answer(s, 'saveDraft', a.attemptId, 1, rightAnswers(0), a.token);
      // Commit only once the save is blocked on the row lock (its conditional update waits for us).
      for (let i = 0; ; i++) {
        // pg_locks, not pg_stat_activity: the latter is a snapshot frozen for the rest of our transaction.
        const { rows } = await job.query(`select count(*)::int as n from pg_locks where not granted and locktype = 'transactionid' and pid <> pg_backend_pid()`);
        if (rows[0].n === 1) break;
        if (i > 100) throw new Error('the save never waited for the timeout');
        await new Promise((r) => setTimeout(r, 50));
      }
      await job.query('commit');
      const r = await save;
      expect(r.errors.map((e) => e.code)).toEqual(['ATTEMPT_ENDED']);
    } finally {
      await job.end();
    }
    const [row] = await sql<{ status: string; parts: { status: string; answers: unknown }[] }>(s, 'select status, parts from exam_attempt where id = ?', [a.attemptId]);
    expect(row.status).toBe('SUBMITTED');
    expect(row.parts[0]).toMatchObject({ status: 'NOT_ANSWERED', answers: null });
  });

  it('R-EXA-3: concurrent drafts and a final check of one part: after the final check no draft lands', async () => {
    const a = await startedAttempt(s, sessionId);
    const drafts = Array.from({ length: 8 }, (_, i) => Array.from({ length: 10 }, () => [i % 4]));
    const calls = [...drafts.slice(0, 4).map((d) => answer(s, 'saveDraft', a.attemptId, 2, d, a.token)), answer(s, 'submitPart', a.attemptId, 2, rightAnswers(1), a.token), ...drafts.slice(4).map((d) => answer(s, 'saveDraft', a.attemptId, 2, d, a.token))];
    const results = await Promise.all(calls);
    expect(results[4].errors).toEqual([]);
    for (const r of results) expect(r.errors.map((e) => e.code)).toEqual(r.errors.length ? ['PART_ALREADY_SUBMITTED'] : []);
    const part = (await readAttempt(s, a.attemptId))!.parts[1];
    expect(part.status).toBe('SUBMITTED');
    expect(part.answers).toEqual(rightAnswers(1).map((x) => [...x].sort()));
  });

  it('R-EXA-4: saves and the END_EXPIRED_ATTEMPTS job at the deadline: every save is refused, the attempt ends at its deadline', async () => {
    const a = await startedAttempt(s, sessionId);
    await s.setClock(a.deadline);
    const admin = await s.tokenFor('ADMIN');
    const [job, ...saves] = await Promise.all([
      s.gql<{ runJob: { jobRun: { status: string } } }>('mutation { runJob(job: END_EXPIRED_ATTEMPTS) { jobRun { status } errors { code } } }', {}, admin),
      ...Array.from({ length: 5 }, () => answer(s, 'saveDraft', a.attemptId, 1, rightAnswers(0), a.token)),
    ]);
    expect(job.data!.runJob.jobRun.status).toBe('SUCCEEDED');
    for (const r of saves) expect(r.errors.map((e) => e.code)).toEqual(['ATTEMPT_ENDED']);
    const [row] = await sql<{ status: string; ended_by: string; submitted_at: Date; parts: { status: string }[] }>(s, 'select status, ended_by, submitted_at, parts from exam_attempt where id = ?', [a.attemptId]);
    expect(row).toMatchObject({ status: 'SUBMITTED', ended_by: 'TIMEOUT' });
    expect(new Date(row.submitted_at).toISOString()).toBe(a.deadline);
    expect(row.parts[0].status).toBe('NOT_ANSWERED');
  });
});

describe('a provider fault confirmed while the attempt ends (R-INC-2)', () => {
  /** The incident service's confirmation: registration, then appointment locked, then the exam hook. */
  function confirmFault(appointmentId: string, registrationId: string) {
    const ctx = serviceCtx(s, 'incident');
    return ctx.em.transactional(async (em) => {
      await em.execute('select id from registration where id = ? for update', [registrationId]);
      await em.execute('select id from appointment where id = ? for update', [appointmentId]);
      await new Promise((r) => setTimeout(r, 50));
      return voidAttemptsForIncident(em, ctx, appointmentId, 'provider fault');
    });
  }

  it('R-INC-2: the learner finishing and the fault confirmed at once: no deadlock, the attempt ends VOIDED', async () => {
    const a = await startedAttempt(s, sessionId);
    const [voided, finished] = await Promise.all([confirmFault(a.appointmentId, a.registrationId), finishAttempt(s, a.attemptId, a.token)]);
    expect(voided).toBe(1);
    expect(finished.errors.map((e) => e.code)).toEqual(finished.errors.length ? ['ATTEMPT_ENDED'] : []);
    expect((await readAttempt(s, a.attemptId))!.status).toBe('VOIDED');
  });

  it('R-INC-2: the timeout job and the fault confirmed at once: no deadlock, the attempt ends VOIDED', async () => {
    const a = await startedAttempt(s, sessionId);
    await s.setClock(plusMinutes(a.deadline, 1));
    const [voided, run] = await Promise.all([confirmFault(a.appointmentId, a.registrationId), runJob(s, 'END_EXPIRED_ATTEMPTS')]);
    expect(run.status).toBe('SUCCEEDED');
    expect(voided).toBe(1);
    expect((await readAttempt(s, a.attemptId))!.status).toBe('VOIDED');
  });
});
