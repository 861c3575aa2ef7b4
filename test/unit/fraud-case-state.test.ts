import { describe, expect, it } from 'vitest';
import { canTransition, FRAUD_CASE_OUTCOMES, isOutcome, isPastRetention, OPEN_FRAUD_CASE_STATUSES, purgeDeadline } from '../../src/domain/fraud-case-state';

describe('fraud case state machine (R-EVI-3)', () => {
  it('R-EVI-3: OPEN → UNDER_REVIEW → CLEARED | FRAUD_CONFIRMED, and nothing else', () => {
    expect(canTransition('OPEN', 'UNDER_REVIEW')).toBe(true);
    expect(canTransition('UNDER_REVIEW', 'CLEARED')).toBe(true);
    expect(canTransition('UNDER_REVIEW', 'FRAUD_CONFIRMED')).toBe(true);
    expect(canTransition('OPEN', 'CLEARED')).toBe(false);
    expect(canTransition('OPEN', 'FRAUD_CONFIRMED')).toBe(false);
    expect(canTransition('CLEARED', 'FRAUD_CONFIRMED')).toBe(false);
    expect(canTransition('FRAUD_CONFIRMED', 'UNDER_REVIEW')).toBe(false);
    expect(OPEN_FRAUD_CASE_STATUSES).toEqual(['OPEN', 'UNDER_REVIEW']);
    expect(FRAUD_CASE_OUTCOMES).toEqual(['CLEARED', 'FRAUD_CONFIRMED']);
    expect(isOutcome('UNDER_REVIEW')).toBe(false);
  });
});

describe('retention (R-EVI-4, R-EVI-5)', () => {
  it('R-EVI-4: an object is due at its retainUntil exactly, not one second before', () => {
    const t = new Date('2017-04-13T14:00:00Z');
    expect(isPastRetention(t, new Date(t.getTime() - 1000))).toBe(false);
    expect(isPastRetention(t, t)).toBe(true);
  });

  it('R-EVI-5: the purge deadline is the earliest retainUntil, else the exam time + retention days', () => {
    const unlocked = new Date('2017-03-02T13:55:00Z');
    expect(purgeDeadline([new Date('2017-04-15T00:00:00Z'), new Date('2017-04-14T00:00:00Z')], unlocked, 42).toISOString()).toBe('2017-04-14T00:00:00.000Z');
    expect(purgeDeadline([], unlocked, 42).toISOString()).toBe('2017-04-13T13:55:00.000Z');
  });
});
