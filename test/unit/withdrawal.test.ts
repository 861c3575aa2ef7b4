import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { easterSunday, frenchPublicHolidays, isFrenchPublicHoliday, withdrawalDeadline, withinWithdrawalPeriod } from '../../src/domain/withdrawal';

const PARIS = 'Europe/Paris';

describe('easterSunday (anonymous Gregorian algorithm)', () => {
  it.each([
    [1818, '03-22'], // earliest possible
    [1943, '04-25'], // latest possible
    [2000, '04-23'],
    [2008, '03-23'],
    [2011, '04-24'],
    [2017, '04-16'],
    [2018, '04-01'],
    [2019, '04-21'],
    [2024, '03-31'],
    [2025, '04-20'],
    [2038, '04-25'],
    [2285, '03-22'],
  ])('%i: %s', (year, md) => {
    const e = easterSunday(year);
    expect(`${String(e.month).padStart(2, '0')}-${String(e.day).padStart(2, '0')}`).toBe(md);
  });
});

describe('frenchPublicHolidays', () => {
  it('R-REF-1: the eleven holidays of 2017, movable ones from Easter (16 April)', () => {
    expect(frenchPublicHolidays(2017).map((h) => h.date)).toEqual([
      '2017-01-01', '2017-04-17', '2017-05-01', '2017-05-08', '2017-05-25', '2017-06-05',
      '2017-07-14', '2017-08-15', '2017-11-01', '2017-11-11', '2017-12-25',
    ]);
  });

  it('R-REF-1: 2024 (Easter 31 March): Easter Monday 1 April, Ascension 9 May, Whit Monday 20 May', () => {
    const dates = frenchPublicHolidays(2024).map((h) => h.date);
    expect(dates).toContain('2024-04-01');
    expect(dates).toContain('2024-05-09');
    expect(dates).toContain('2024-05-20');
    expect(dates).toHaveLength(11);
  });

  it('R-REF-1: a holiday is a local calendar day, whatever the UTC instant', () => {
    expect(isFrenchPublicHoliday(DateTime.fromISO('2017-07-14T00:10', { zone: PARIS }))).toBe(true);
    expect(isFrenchPublicHoliday(DateTime.fromISO('2017-07-13T23:50', { zone: PARIS }))).toBe(false);
  });
});

/** [case, payment instant (local, Europe/Paris), expected deadline as a UTC instant] */
const CASES: [string, string, string][] = [
  ['ordinary Wednesday day 14', '2017-02-15T10:00', '2017-03-01T22:59:59.999Z'],
  ['day 14 on a Sunday moves to Monday', '2017-02-19T10:00', '2017-03-06T22:59:59.999Z'],
  ['DST spring: payment 20 March (+01:00), day 14 on 3 April after the 26 March switch (+02:00)', '2017-03-20T10:00', '2017-04-03T21:59:59.999Z'],
  ['DST spring: payment on the switch day itself', '2017-03-26T03:30', '2017-04-10T21:59:59.999Z'],
  ['DST autumn: payment 20 October (+02:00), day 14 on 3 November after the 29 October switch (+01:00)', '2017-10-20T12:00', '2017-11-03T22:59:59.999Z'],
  ['day 14 on Easter Monday 2017-04-17 moves to Tuesday', '2017-04-03T09:00', '2017-04-18T21:59:59.999Z'],
  ['day 14 on 1 May (Monday) moves to 2 May', '2017-04-17T09:00', '2017-05-02T21:59:59.999Z'],
  ['day 14 on 8 May (Monday) moves to 9 May', '2017-04-24T09:00', '2017-05-09T21:59:59.999Z'],
  ['day 14 on Ascension (Thursday 25 May) moves to Friday', '2017-05-11T09:00', '2017-05-26T21:59:59.999Z'],
  ['day 14 on the Saturday before Whit Monday (5 June) moves to Tuesday 6 June', '2017-05-20T09:00', '2017-06-06T21:59:59.999Z'],
  ['day 14 on 14 July (Friday) moves over the weekend to Monday 17', '2017-06-30T09:00', '2017-07-17T21:59:59.999Z'],
  ['day 14 on 15 August (Tuesday) moves to Wednesday', '2017-08-01T09:00', '2017-08-16T21:59:59.999Z'],
  ['day 14 on 1 November (Wednesday) moves to Thursday', '2017-10-18T09:00', '2017-11-02T22:59:59.999Z'],
  ['day 14 on 11 November (Saturday) moves to Monday 13', '2017-10-28T12:00', '2017-11-13T22:59:59.999Z'],
  ['day 14 on 25 December (Monday) moves to Tuesday 26', '2017-12-11T09:00', '2017-12-26T22:59:59.999Z'],
  ['day 14 on 1 January (Monday) moves to Tuesday 2', '2017-12-18T09:00', '2018-01-02T22:59:59.999Z'],
  ['Christmas on a Friday: moves over the weekend to Monday 28', '2020-12-11T09:00', '2020-12-28T22:59:59.999Z'],
  ['payment at 23:30 local: that day is day 0', '2017-03-01T23:30', '2017-03-15T22:59:59.999Z'],
  ['payment at 00:30 local the next day (the same UTC day as the 23:30 one): day 0 is the next day', '2017-03-02T00:30', '2017-03-16T22:59:59.999Z'],
];

describe('withdrawalDeadline (R-REF-1)', () => {
  it.each(CASES)('R-REF-1: %s', (_name, localPayment, expected) => {
    const paidAt = DateTime.fromISO(localPayment, { zone: PARIS }).toJSDate();
    const deadline = withdrawalDeadline(paidAt, PARIS);
    expect(deadline.toISOString()).toBe(expected);
    const local = DateTime.fromJSDate(deadline, { zone: PARIS });
    expect(local.toFormat('HH:mm:ss.SSS')).toBe('23:59:59.999');
  });

  it('R-REF-1: the two midnight payments fall on the same UTC day but different local days', () => {
    const a = DateTime.fromISO('2017-03-01T23:30', { zone: PARIS }).toJSDate();
    const b = DateTime.fromISO('2017-03-02T00:30', { zone: PARIS }).toJSDate();
    expect(a.toISOString().slice(0, 10)).toBe(b.toISOString().slice(0, 10));
    expect(withdrawalDeadline(b, PARIS).getTime() - withdrawalDeadline(a, PARIS).getTime()).toBe(24 * 3600 * 1000);
  });

  it('R-REF-1: the day is counted in the session zone, not in UTC or the server zone', () => {
    // 2017-03-01T23:30Z is 2 March in Paris but 1 March in New York.
    const paidAt = new Date('2017-03-01T23:30:00Z');
    expect(withdrawalDeadline(paidAt, PARIS).toISOString()).toBe('2017-03-16T22:59:59.999Z');
    expect(withdrawalDeadline(paidAt, 'America/New_York').toISOString()).toBe('2017-03-16T03:59:59.999Z');
  });

  it('R-REF-1: the last millisecond is inside, the next one outside', () => {
    const paidAt = DateTime.fromISO('2017-02-15T10:00', { zone: PARIS }).toJSDate();
    expect(withinWithdrawalPeriod(paidAt, new Date('2017-03-01T22:59:59.999Z'), PARIS)).toBe(true);
    expect(withinWithdrawalPeriod(paidAt, new Date('2017-03-01T23:00:00.000Z'), PARIS)).toBe(false);
  });
});
