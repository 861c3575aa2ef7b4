import { describe, expect, it } from 'vitest';
import { effectiveStatus, plannedUntil } from '../../src/domain/appointment';
import {
  type CalendarSession,
  endsBeforeDeadline,
  isCalendarStart,
  isInExamPeriod,
  localStart,
  meetsLeadTime,
  priorityStarts,
  slotStarts,
} from '../../src/domain/calendar';

const SEED: CalendarSession = {
  examPeriodStart: '2017-03-01',
  examPeriodEnd: '2017-03-14',
  dailyStart: '15:00',
  dailyEnd: '21:00',
  excludedWeekdays: ['WEDNESDAY'],
  timeZone: 'Europe/Paris',
  examDurationMinutes: 30,
  slotStepMinutes: 15,
  bookingLeadHours: 72,
  certificateDeadline: new Date('2017-03-14T23:30:00Z'),
};

const iso = (d: Date) => d.toISOString();

describe('calendar: the seed session (R-SCH-1)', () => {
  const starts = slotStarts(SEED);

  it('R-SCH-1: 12 days × 23 starts = 276 slots, the first at 2017-03-02T14:00:00Z, the last 20:30 Paris on 14 March', () => {
    expect(starts).toHaveLength(276);
    expect(iso(starts[0])).toBe('2017-03-02T14:00:00.000Z');
    expect(iso(starts[22])).toBe('2017-03-02T19:30:00.000Z');
    expect(iso(starts[23])).toBe('2017-03-03T14:00:00.000Z');
    expect(iso(starts.at(-1)!)).toBe('2017-03-14T19:30:00.000Z');
    expect(new Set(starts.map(iso)).size).toBe(276);
  });

  it('R-SCH-1: no Wednesday is offered and every start is 15:00 to 20:30 Paris by 15 minutes', () => {
    for (const s of starts) {
      const local = localStart(s, 'Europe/Paris');
      expect(local.slice(11, 16) >= '15:00' && local.slice(11, 16) <= '20:30').toBe(true);
      expect(['00', '15', '30', '45']).toContain(local.slice(14, 16));
    }
    expect(starts.some((s) => s.toISOString().startsWith('2017-03-01') || s.toISOString().startsWith('2017-03-08'))).toBe(false);
  });

  it('R-SCH-1: isCalendarStart refuses a Wednesday, 15:10, 20:45 and a day outside the period', () => {
    expect(isCalendarStart(SEED, new Date('2017-03-02T14:00:00Z'))).toBe(true);
    expect(isCalendarStart(SEED, new Date('2017-03-02T19:30:00Z'))).toBe(true);
    expect(isCalendarStart(SEED, new Date('2017-03-08T15:00:00Z'))).toBe(false); // Wednesday
    expect(isCalendarStart(SEED, new Date('2017-03-02T14:10:00Z'))).toBe(false); // 15:10
    expect(isCalendarStart(SEED, new Date('2017-03-02T19:45:00Z'))).toBe(false); // 20:45 would end 21:15
    expect(isCalendarStart(SEED, new Date('2017-03-15T14:00:00Z'))).toBe(false);
    expect(isInExamPeriod(SEED, new Date('2017-03-15T14:00:00Z'))).toBe(false);
    expect(isInExamPeriod(SEED, new Date('2017-03-14T22:59:59Z'))).toBe(true); // 23:59:59 Paris
    expect(isInExamPeriod(SEED, new Date('2017-03-14T23:00:00Z'))).toBe(false); // 00:00 on the 15th in Paris
  });
});

describe('calendar: time zones (R-SCH-4)', () => {
  it('R-SCH-4: localStart in the session zone is 2017-03-02T16:00:00.000+01:00', () => {
    expect(localStart(new Date('2017-03-02T15:00:00Z'), 'Europe/Paris')).toBe('2017-03-02T16:00:00.000+01:00');
  });

  it('R-SCH-4: the 16:00 Paris slot is 10:00-05:00 in New York on 10 March and 11:00-04:00 on 13 March (US DST on 12 March)', () => {
    const starts = slotStarts(SEED).map(iso);
    expect(starts).toContain('2017-03-10T15:00:00.000Z');
    expect(starts).toContain('2017-03-13T15:00:00.000Z');
    expect(localStart(new Date('2017-03-10T15:00:00Z'), 'America/New_York')).toBe('2017-03-10T10:00:00.000-05:00');
    expect(localStart(new Date('2017-03-13T15:00:00Z'), 'America/New_York')).toBe('2017-03-13T11:00:00.000-04:00');
    expect(localStart(new Date('2017-03-13T15:00:00Z'), 'Europe/Paris')).toBe('2017-03-13T16:00:00.000+01:00');
  });

  it('R-SCH-1: a session across the European DST change (26 March 2017) keeps 16:00 Paris, at 15:00Z before and 14:00Z after', () => {
    const s = { ...SEED, examPeriodStart: '2017-03-24', examPeriodEnd: '2017-03-28', excludedWeekdays: [] };
    const starts = slotStarts(s);
    expect(starts).toHaveLength(5 * 23);
    const at16 = starts.filter((d) => localStart(d, 'Europe/Paris').slice(11, 16) === '16:00').map(iso);
    expect(at16).toEqual([
      '2017-03-24T15:00:00.000Z',
      '2017-03-25T15:00:00.000Z',
      '2017-03-26T14:00:00.000Z',
      '2017-03-27T14:00:00.000Z',
      '2017-03-28T14:00:00.000Z',
    ]);
  });
});

describe('calendar: wall times that do not exist or exist twice (DST)', () => {
  const night = { ...SEED, dailyStart: '01:00', dailyEnd: '04:00', excludedWeekdays: [] };

  it('R-SCH-1: on 26 March 2017 (Paris springs forward at 02:00) the nonexistent 02:00–02:45 starts are skipped', () => {
    const s = { ...night, examPeriodStart: '2017-03-26', examPeriodEnd: '2017-03-26' };
    const local = slotStarts(s).map((d) => localStart(d, 'Europe/Paris'));
    expect(local).toEqual([
      '2017-03-26T01:00:00.000+01:00',
      '2017-03-26T01:15:00.000+01:00',
      '2017-03-26T01:30:00.000+01:00',
      '2017-03-26T01:45:00.000+01:00',
      '2017-03-26T03:00:00.000+02:00',
      '2017-03-26T03:15:00.000+02:00',
      '2017-03-26T03:30:00.000+02:00',
    ]);
    expect(iso(slotStarts(s)[4])).toBe('2017-03-26T01:00:00.000Z');
  });

  it('R-SCH-1: on 29 October 2017 (Paris falls back at 03:00) a repeated 02:xx start is offered once, at its first occurrence', () => {
    const s = { ...night, examPeriodStart: '2017-10-29', examPeriodEnd: '2017-10-29' };
    const starts = slotStarts(s);
    expect(starts.map((d) => localStart(d, 'Europe/Paris'))).toEqual([
      '2017-10-29T01:00:00.000+02:00',
      '2017-10-29T01:15:00.000+02:00',
      '2017-10-29T01:30:00.000+02:00',
      '2017-10-29T01:45:00.000+02:00',
      '2017-10-29T02:00:00.000+02:00',
      '2017-10-29T02:15:00.000+02:00',
      '2017-10-29T02:30:00.000+02:00',
      '2017-10-29T02:45:00.000+02:00',
      '2017-10-29T03:00:00.000+01:00',
      '2017-10-29T03:15:00.000+01:00',
      '2017-10-29T03:30:00.000+01:00',
    ]);
    expect(iso(starts[6])).toBe('2017-10-29T00:30:00.000Z');
    // The second 02:30 (+01:00) is the same wall time but not a calendar start.
    expect(isCalendarStart(s, new Date('2017-10-29T00:30:00Z'))).toBe(true);
    expect(isCalendarStart(s, new Date('2017-10-29T01:30:00Z'))).toBe(false);
  });
});

describe('calendar: other sessions', () => {
  it('R-SCH-1: a session with an excluded weekend offers Monday to Friday only', () => {
    const s = { ...SEED, examPeriodStart: '2017-03-06', examPeriodEnd: '2017-03-19', excludedWeekdays: ['SATURDAY', 'SUNDAY'] as const };
    const starts = slotStarts({ ...s, excludedWeekdays: [...s.excludedWeekdays] });
    expect(starts).toHaveLength(10 * 23);
    const days = new Set(starts.map((d) => localStart(d, 'Europe/Paris').slice(0, 10)));
    for (const weekend of ['2017-03-11', '2017-03-12', '2017-03-18', '2017-03-19']) expect(days.has(weekend)).toBe(false);
    expect(isCalendarStart({ ...s, excludedWeekdays: [...s.excludedWeekdays] }, new Date('2017-03-11T14:00:00Z'))).toBe(false);
  });

  it('R-SCH-1: a 45-minute exam has fewer starts per day (22, the last at 20:15)', () => {
    const s = { ...SEED, examDurationMinutes: 45 };
    const starts = slotStarts(s);
    expect(starts).toHaveLength(12 * 22);
    expect(localStart(starts[21], 'Europe/Paris')).toBe('2017-03-02T20:15:00.000+01:00');
    expect(isCalendarStart(s, new Date('2017-03-02T19:30:00Z'))).toBe(false); // 20:30 would end 21:15
  });
});

describe('calendar: lead times and deadline', () => {
  it('R-SCH-2: exactly 72 h ahead is enough, one second less is not', () => {
    const start = new Date('2017-03-06T14:00:00Z');
    expect(meetsLeadTime(start, new Date('2017-03-03T14:00:00Z'), 72)).toBe(true);
    expect(meetsLeadTime(start, new Date('2017-03-03T14:00:01Z'), 72)).toBe(false);
  });

  it('R-SCH-7: priority starts need 1 h of notice and must end before the certificate deadline', () => {
    const now = new Date('2017-03-14T17:30:00Z'); // 18:30 Paris on the last day
    const starts = priorityStarts(SEED, now).map(iso);
    expect(starts[0]).toBe('2017-03-14T18:30:00.000Z'); // 19:30 Paris, exactly 1 h later
    expect(starts.at(-1)).toBe('2017-03-14T19:30:00.000Z');
    expect(priorityStarts(SEED, new Date('2017-03-14T18:30:00Z')).map(iso)).toEqual(['2017-03-14T19:30:00.000Z']); // the last start, 1 h ahead
    expect(priorityStarts(SEED, new Date('2017-03-14T18:30:01Z'))).toEqual([]); // no time left in the period
    expect(priorityStarts({ ...SEED, certificateDeadline: new Date('2017-03-14T19:00:00Z') }, now)).toEqual([]);
    expect(endsBeforeDeadline(SEED, new Date('2017-03-14T19:30:00Z'))).toBe(true);
    expect(endsBeforeDeadline({ ...SEED, certificateDeadline: new Date('2017-03-14T20:00:00Z') }, new Date('2017-03-14T19:30:00Z'))).toBe(false);
  });
});

describe('appointment lifecycle (R-SCH-8)', () => {
  it('R-SCH-8: plannedUntil is start + duration + 1 h; a BOOKED appointment reads MISSED once it is over', () => {
    const a = { status: 'BOOKED' as const, startsAt: new Date('2017-03-02T14:00:00Z'), endsAt: new Date('2017-03-02T14:30:00Z') };
    expect(plannedUntil(a).toISOString()).toBe('2017-03-02T15:30:00.000Z');
    expect(effectiveStatus(a, new Date('2017-03-02T15:29:59Z'))).toBe('BOOKED');
    expect(effectiveStatus(a, new Date('2017-03-02T15:30:00Z'))).toBe('MISSED');
    expect(effectiveStatus({ ...a, status: 'CANCELLED' }, new Date('2017-03-03T00:00:00Z'))).toBe('CANCELLED');
  });
});
