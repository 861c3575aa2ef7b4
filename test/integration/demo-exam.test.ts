import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/clock';
import { type Config } from '../../src/config';
import { type Orm } from '../../src/db/orm';
import { examDemoStep } from '../../src/demo/demo-exam';
import { DEMO_STEPS, seedDemo } from '../../src/demo/seed-demo';
import { Appointment, ExamAttempt, ExamResult } from '../../src/entities';
import { openDemoDatabase } from '../helpers/demo-database';

let orm: Orm;
let config: Config;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, config, close } = await openDemoDatabase());
});

afterAll(() => close?.());

describe('exam demo', () => {
  it('R-EXA/R-RES demo: attempts in every status, published, pending and voided results; a second run adds nothing', { timeout: 180_000 }, async () => {
    const steps = DEMO_STEPS.slice(0, DEMO_STEPS.indexOf(examDemoStep) + 1);
    const first = await seedDemo(orm, { config, steps, clock: new TestClock(new Date('2017-02-01T00:00:00Z')) });
    expect(first.steps.at(-1)!.result.created).toBeGreaterThanOrEqual(8);

    const em = orm.em.fork();
    const attempts = await em.find(ExamAttempt, {});
    expect(new Set(attempts.map((a) => a.status))).toEqual(new Set(['READY', 'STARTED', 'SUBMITTED', 'VOIDED']));
    expect(new Set(attempts.filter((a) => a.status === 'SUBMITTED').map((a) => a.endedBy))).toEqual(new Set(['LEARNER', 'TIMEOUT']));
    const timedOut = attempts.find((a) => a.endedBy === 'TIMEOUT')!;
    expect(timedOut.submittedAt).toEqual(timedOut.deadline);
    const results = await em.find(ExamResult, {});
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['PUBLISHED', 'PENDING', 'VOIDED']));
    expect(results.filter((r) => r.status === 'PUBLISHED').map((r) => r.passed).sort()).toEqual([false, true, true, true]);
    expect(results.find((r) => r.attempt.id === timedOut.id)!.partScores).toEqual([10, 9, 0]);
    // The provider-fault learner: a voided attempt, then a priority appointment and a second attempt.
    const byRegistration = new Map<string, string[]>();
    for (const a of attempts) byRegistration.set(a.registration.id, [...(byRegistration.get(a.registration.id) ?? []), a.status]);
    expect([...byRegistration.values()].some((s) => s.length === 2 && s.includes('VOIDED') && s.includes('SUBMITTED'))).toBe(true);
    expect(await em.count(Appointment, { status: 'COMPLETED' })).toBeGreaterThanOrEqual(5);

    const second = await seedDemo(orm, { config, steps });
    expect(second.steps.at(-1)!.result).toMatchObject({ created: 0, updated: 0 });
    expect(await orm.em.fork().count(ExamAttempt, {})).toBe(attempts.length);
  });
});
