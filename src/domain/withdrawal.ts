import { DateTime } from 'luxon';

/**
 * R-REF-1, pure: French public holidays and the end of the legal withdrawal period.
 *
 * The period counts calendar days in the session's time zone: the day of payment is day 0, the period
 * ends at 23:59:59.999 local time of day 14, pushed to the end of the next working day while day 14
 * (or the day it moved to) is a Saturday, a Sunday or a French public holiday.
 */

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, "Meeus/Jones/Butcher"). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

export interface Holiday {
  /** YYYY-MM-DD */
  date: string;
  name: string;
}

/** The eleven French public holidays (metropolitan France) of a year, in date order. */
export function frenchPublicHolidays(year: number): Holiday[] {
  const e = easterSunday(year);
  const easter = DateTime.fromObject({ year, month: e.month, day: e.day }, { zone: 'UTC' });
  const fixed = (month: number, day: number) => DateTime.fromObject({ year, month, day }, { zone: 'UTC' });
  const list: [DateTime, string][] = [
    [fixed(1, 1), "Jour de l'an"],
    [easter.plus({ days: 1 }), 'Lundi de Pâques'],
    [fixed(5, 1), 'Fête du Travail'],
    [fixed(5, 8), 'Victoire 1945'],
    [easter.plus({ days: 39 }), 'Ascension'],
    [easter.plus({ days: 50 }), 'Lundi de Pentecôte'],
    [fixed(7, 14), 'Fête nationale'],
    [fixed(8, 15), 'Assomption'],
    [fixed(11, 1), 'Toussaint'],
    [fixed(11, 11), 'Armistice 1918'],
    [fixed(12, 25), 'Noël'],
  ];
  return list.map(([d, name]) => ({ date: d.toISODate()!, name })).sort((x, y) => (x.date < y.date ? -1 : 1));
}

const holidayCache = new Map<number, Set<string>>();

/** Whether a calendar day (its local date, whatever the zone of `day`) is a French public holiday. */
export function isFrenchPublicHoliday(day: DateTime): boolean {
  let set = holidayCache.get(day.year);
  if (!set) {
    set = new Set(frenchPublicHolidays(day.year).map((h) => h.date));
    holidayCache.set(day.year, set);
  }
  return set.has(day.toISODate()!);
}

/** Monday to Friday and not a public holiday. */
export function isWorkingDay(day: DateTime): boolean {
  return day.weekday <= 5 && !isFrenchPublicHoliday(day);
}

export const WITHDRAWAL_DAYS = 14;

/**
 * R-REF-1: the last instant of the withdrawal period of a payment made at `paidAt`, evaluated in
 * `zone` (the session's IANA time zone). Calendar arithmetic is done on local dates, so DST changes
 * inside the period change nothing but the UTC offset of the result.
 */
export function withdrawalDeadline(paidAt: Date, zone: string): Date {
  const day0 = DateTime.fromJSDate(paidAt, { zone }).startOf('day');
  if (!day0.isValid) throw new Error(`Invalid instant or time zone: ${zone}`);
  let last = day0.plus({ days: WITHDRAWAL_DAYS });
  while (!isWorkingDay(last)) last = last.plus({ days: 1 });
  return last.endOf('day').toJSDate();
}

/** Whether `now` is still inside the withdrawal period of a payment made at `paidAt`. */
export function withinWithdrawalPeriod(paidAt: Date, now: Date, zone: string): boolean {
  return now.getTime() <= withdrawalDeadline(paidAt, zone).getTime();
}
