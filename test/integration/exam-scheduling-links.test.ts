import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, examSession, finishAttempt, plusMinutes, readAttempt, rightAnswers, startedAttempt, unlock } from '../helpers/exam-factories';
import { book, bookPriority, confirmIncident, reportIncident } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

/** Where the exam meets scheduling and incidents: one attempt, and the provider-fault exception. */
let s: TestServer;
let sessionId: string;
beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

describe('exam × scheduling', () => {
  it('R-EXA-1: once the attempt is used, a new booking is ATTEMPT_ALREADY_USED and the finished appointment is COMPLETED', async () => {
    const a = await startedAttempt(s, sessionId);
    expect((await answer(s, 'submitPart', a.attemptId, 1, rightAnswers(0), a.token)).errors).toEqual([]);
    const done = await finishAttempt(s, a.attemptId, a.token);
    expect(done.errors).toEqual([]);
    expect(done.attempt!.appointment.status).toBe('COMPLETED');

    // A later slot, far enough ahead: only the used attempt stands in the way.
    await s.setClock('2017-03-02T20:00:00Z');
    const again = await book(s, a.registrationId, '2017-03-13T15:00:00.000Z', a.token);
    expect(again.errors.map((e) => e.code)).toEqual(['ATTEMPT_ALREADY_USED']);
    expect(again.appointment).toBeNull();
  });

  it('R-INC-2, R-SCH-7: a confirmed provider fault voids the running attempt, sets PROVIDER_FAULT, and the priority appointment opens a second attempt', async () => {
    const a = await startedAttempt(s, sessionId);
    const faultAt = plusMinutes(a.startsAt, 10);
    await s.setClock(faultAt);
    const reported = await reportIncident(s, { appointmentId: a.appointmentId, occurredAt: faultAt });
    expect(reported.errors).toEqual([]);
    // Not confirmed yet: the attempt still runs.
    expect((await readAttempt(s, a.attemptId))!.status).toBe('STARTED');

    const confirmed = await confirmIncident(s, reported.incident!.id);
    expect(confirmed.errors).toEqual([]);
    expect(confirmed.incident!.appointment.status).toBe('PROVIDER_FAULT');
    const voided = (await readAttempt(s, a.attemptId))!;
    expect(voided.status).toBe('VOIDED');
    expect(voided.voidReason).toMatch(/provider fault/i);

    // A normal booking is still refused (the exception is the priority rebooking only)...
    const normal = await book(s, a.registrationId, '2017-03-13T16:00:00.000Z', a.token);
    expect(normal.errors.map((e) => e.code)).toEqual(['ATTEMPT_ALREADY_USED']);

    // ...while the priority appointment an hour later or more is accepted, and the proctor can unlock a new attempt there.
    const priorityStart = new Date(new Date(a.startsAt).getTime() + 2 * 3600_000).toISOString();
    const priority = await bookPriority(s, a.registrationId, reported.incident!.id, priorityStart);
    expect(priority.errors).toEqual([]);
    expect(priority.appointment!.priority).toBe(true);

    await s.setClock(priorityStart);
    const second = await unlock(s, priority.appointment!.id);
    expect(second.errors).toEqual([]);
    expect(second.attempt!.id).not.toBe(a.attemptId);
    expect(second.attempt!.status).toBe('READY');
  });
});
