import { describe, expect, it } from 'vitest';
import { type Clock, createClock, SystemClock, TestClock } from '../../src/clock';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('SystemClock', () => {
  it('reads wall time for both the domain and the real clock', () => {
    const clock = new SystemClock();
    const before = Date.now();
    const now = clock.now().getTime();
    const real = clock.realNow().getTime();
    const after = Date.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(after);
    expect(real).toBeGreaterThanOrEqual(before);
    expect(real).toBeLessThanOrEqual(after);
  });

  it('cannot be set', () => {
    const clock: Clock = new SystemClock();
    expect(clock.settable).toBe(false);
    expect(() => clock.set(new Date('2017-03-02T14:00:00Z'))).toThrow(/TEST_CLOCK/);
  });
});

describe('TestClock', () => {
  it('behaves as the system clock until set', () => {
    const clock = new TestClock();
    expect(clock.settable).toBe(true);
    const before = Date.now();
    const now = clock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('once set, the domain clock is frozen at that instant (it does not tick)', async () => {
    const clock = new TestClock();
    const instant = new Date('2017-03-02T14:00:00.000Z');
    clock.set(instant);
    expect(clock.now().toISOString()).toBe('2017-03-02T14:00:00.000Z');
    await tick();
    expect(clock.now().toISOString()).toBe('2017-03-02T14:00:00.000Z');
  });

  it('moves forwards and backwards', () => {
    const clock = new TestClock();
    clock.set(new Date('2017-03-02T14:00:00Z'));
    clock.set(new Date('2017-04-15T08:30:00Z'));
    expect(clock.now().toISOString()).toBe('2017-04-15T08:30:00.000Z');
    clock.set(new Date('2016-12-31T23:59:59Z'));
    expect(clock.now().toISOString()).toBe('2016-12-31T23:59:59.000Z');
  });

  it('realNow is wall time whatever the domain clock says', () => {
    const clock = new TestClock();
    clock.set(new Date('2017-03-02T14:00:00Z'));
    const before = Date.now();
    const real = clock.realNow().getTime();
    expect(real).toBeGreaterThanOrEqual(before);
    expect(real).toBeLessThanOrEqual(Date.now());
    clock.set(new Date('2099-01-01T00:00:00Z'));
    expect(Math.abs(clock.realNow().getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('starts frozen when built with an initial instant', () => {
    const clock = new TestClock(new Date('2020-05-05T05:05:05Z'));
    expect(clock.now().toISOString()).toBe('2020-05-05T05:05:05.000Z');
  });

  it('refuses an invalid date and keeps its instant', () => {
    const clock = new TestClock();
    clock.set(new Date('2017-03-02T14:00:00Z'));
    expect(() => clock.set(new Date('not a date'))).toThrow();
    expect(clock.now().toISOString()).toBe('2017-03-02T14:00:00.000Z');
  });

  it('is not changed by mutating a Date given to or returned by it', () => {
    const instant = new Date('2017-03-02T14:00:00Z');
    const clock = new TestClock();
    clock.set(instant);
    instant.setUTCFullYear(2030);
    clock.now().setUTCFullYear(2040);
    expect(clock.now().toISOString()).toBe('2017-03-02T14:00:00.000Z');
  });
});

describe('createClock', () => {
  it('gives a settable TestClock with TEST_CLOCK on, a SystemClock otherwise', () => {
    expect(createClock(true)).toBeInstanceOf(TestClock);
    expect(createClock(true).settable).toBe(true);
    expect(createClock(false)).toBeInstanceOf(SystemClock);
    expect(createClock(false).settable).toBe(false);
  });
});
