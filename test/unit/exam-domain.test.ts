import { describe, expect, it } from 'vitest';
import { ATTEMPT_TRANSITIONS, canTransition, effectiveAttempt, fromStatuses, isUnlockTime, mayOpenAttempt, remainingSeconds } from '../../src/domain/attempt-state';
import { validateAnswers, validateExamContent } from '../../src/domain/exam-content';
import { grade } from '../../src/domain/grading';

const key = [0, 1, 2].map((p) => Array.from({ length: 10 }, (_, q) => (q % 3 === 0 ? [0, 2] : [(p + q) % 4])));
const submitted = (answers: number[][]) => ({ status: 'SUBMITTED' as const, answers });

describe('attempt transition table (R-EXA-2..4)', () => {
  it('READY → STARTED → SUBMITTED, any of them → VOIDED, nothing out of VOIDED', () => {
    expect(ATTEMPT_TRANSITIONS).toEqual({ READY: ['STARTED', 'VOIDED'], STARTED: ['SUBMITTED', 'VOIDED'], SUBMITTED: ['VOIDED'], VOIDED: [] });
    expect(canTransition('READY', 'SUBMITTED')).toBe(false);
    expect(canTransition('SUBMITTED', 'STARTED')).toBe(false);
    expect(fromStatuses('VOIDED')).toEqual(['READY', 'STARTED', 'SUBMITTED']);
  });

  it('R-EXA-4: past its deadline a STARTED attempt reads SUBMITTED by TIMEOUT at the deadline; remainingSeconds counts down', () => {
    const deadline = new Date('2017-03-06T14:33:00Z');
    const a = { status: 'STARTED' as const, deadline, durationMinutes: 30 };
    expect(remainingSeconds(a, new Date('2017-03-06T14:13:00.400Z'))).toBe(1200);
    expect(effectiveAttempt(a, new Date('2017-03-06T14:32:59Z')).status).toBe('STARTED');
    expect(effectiveAttempt(a, new Date('2017-03-06T15:40:00Z'))).toMatchObject({ status: 'SUBMITTED', endedBy: 'TIMEOUT', submittedAt: deadline });
    expect(remainingSeconds(a, deadline)).toBe(0);
    expect(remainingSeconds({ status: 'READY', durationMinutes: 30 }, deadline)).toBe(1800);
  });

  it('R-EXA-2: the unlock window is [start − 15 min, start + 30 min]', () => {
    const start = new Date('2017-03-06T14:00:00Z');
    expect(isUnlockTime(start, new Date('2017-03-06T13:45:00Z'))).toBe(true);
    expect(isUnlockTime(start, new Date('2017-03-06T13:44:59Z'))).toBe(false);
    expect(isUnlockTime(start, new Date('2017-03-06T14:30:00Z'))).toBe(true);
    expect(isUnlockTime(start, new Date('2017-03-06T14:30:01Z'))).toBe(false);
  });
});

describe('grading (R-RES-1, R-EXA-4)', () => {
  it('a question scores 1 only for exactly the correct set; drafts and untouched parts score 0', () => {
    const p0 = key[0].map((c, q) => (q === 0 ? [2, 0] : q === 3 ? [0] : q === 6 ? [0, 2, 3] : c)); // order ignored; subset and superset wrong
    const g = grade([submitted(p0), { status: 'DRAFT', answers: key[1] }, { status: 'NOT_ANSWERED', answers: null }], key, 60);
    expect(g).toEqual({ partScores: [8, 0, 0], totalScore: 8, maxScore: 30, percent: 26.67, passed: false });
  });

  it('pass when percent ≥ pass mark, exactly at the boundary', () => {
    const parts = (n: number) => [0, 1, 2].map((p) => submitted(key[p].map((c, q) => (q < n ? c : [9]))));
    expect(grade(parts(6), key, 60)).toMatchObject({ totalScore: 18, percent: 60, passed: true });
    expect(grade(parts(6), key, 61)).toMatchObject({ passed: false });
    expect(grade(parts(10), key, 100)).toMatchObject({ totalScore: 30, percent: 100, passed: true });
    expect(grade(parts(0), key, 0)).toMatchObject({ totalScore: 0, passed: true });
  });
});

describe('exam content and answers (R-EXA-1, R-EXA-3)', () => {
  const parts = () => [0, 1, 2].map((p) => ({ title: `P${p}`, questions: key[p].map((c, q) => ({ prompt: `Q${q}`, choices: ['a', 'b', 'c', 'd'], correctChoices: [...c].reverse() })) }));

  it('splits the learner view from the answer key (sorted)', () => {
    const { parts: view, answerKey } = validateExamContent(parts());
    expect(JSON.stringify(view)).not.toMatch(/correct/);
    expect(answerKey).toEqual(key);
  });

  it('EXAM_CONTENT_INVALID with the path of the first fault', () => {
    const p = parts();
    p[1].questions[2].choices = ['a', 'a'];
    expect(() => validateExamContent(p)).toThrow(expect.objectContaining({ code: 'EXAM_CONTENT_INVALID', field: ['input', 'parts', '1', 'questions', '2', 'choices'] }));
  });

  it('INVALID_ANSWER: answers are sorted sets within the choices', () => {
    const { parts: view } = validateExamContent(parts());
    expect(validateAnswers(view[0], Array.from({ length: 10 }, () => [3, 1]))[0]).toEqual([1, 3]);
    expect(() => validateAnswers(view[0], [[0]])).toThrow(expect.objectContaining({ code: 'INVALID_ANSWER', field: ['input', 'answers'] }));
    expect(() => validateAnswers(view[0], Array.from({ length: 10 }, (_, q) => (q === 4 ? [1.5] : [])))).toThrow(expect.objectContaining({ field: ['input', 'answers', '4'] }));
  });
});

describe('one attempt (R-EXA-1, R-SCH-7)', () => {
  const normal = { id: 'a2', priority: false };
  const priority = { id: 'a2', priority: true };
  it('R-EXA-1: the first attempt opens on any appointment; a second never does after a live or submitted one', () => {
    expect(mayOpenAttempt([], normal)).toBe(true);
    expect(mayOpenAttempt([{ appointmentId: 'a1', status: 'SUBMITTED' }], priority)).toBe(false);
    expect(mayOpenAttempt([{ appointmentId: 'a1', status: 'STARTED' }], priority)).toBe(false);
  });
  it('R-SCH-7: after a voided attempt, only the priority appointment (without an attempt of its own) opens a second one', () => {
    const voided = [{ appointmentId: 'a1', status: 'VOIDED' as const }];
    expect(mayOpenAttempt(voided, normal)).toBe(false);
    expect(mayOpenAttempt(voided, priority)).toBe(true);
    expect(mayOpenAttempt([...voided, { appointmentId: 'a2', status: 'VOIDED' as const }], priority)).toBe(false);
  });
});
