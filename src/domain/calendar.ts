import { DateTime, IANAZone } from 'luxon';
import { type Weekday, WEEKDAYS } from './roles';

/**
 * The exam calendar of a session (R-SCH-1, -2, -4, -7), pure: instants in, instants out, every wall
 * clock read in the session's time zone with luxon.
 *
 * Daylight saving time, decided here once:
 * - a wall time that does not exist that day (spring forward, e.g. 02:30 in Paris on 26 March 2017)
 *   is skipped: no slot is offered at a time that no clock shows;
 * - a wall time that exists twice (fall back, e.g. 02:30 in Paris on 29 October 2017) is offered once,
 *   at its first occurrence (summer time, +02:00); the second occurrence is not a calendar start.
 * "The exam ends by the daily end" is counted in wall-clock minutes (start + duration ≤ dailyEnd);
 * `endsAt` is always the real instant startsAt + duration.
 */
export interface CalendarSession {
  examPeriodStart: string;
  examPeriodEnd: string;
  dailyStart: string;
  dailyEnd: string;
  excludedWeekdays: readonly Weekday[];
  timeZone: string;
  examDurationMinutes: number;
  slotStepMinutes: number;
  bookingLeadHours: number;
  certificateDeadline: Date;
}

/** R-SCH-7 (design): a priority rebooking needs one hour of notice instead of the booking lead time. */
export const PRIORITY_LEAD_HOURS = 1;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The first instant whose wall clock in `zone` reads `day` at `minutes` past midnight, or null when no
 * clock shows that time that day (a DST gap). An instant reads that wall time exactly when the zone's
 * offset at that instant is the one used to compute it; a day has at most two offsets (before and after
 * a change), and when both fit (a repeated hour) the earlier instant wins. luxon's own resolution picks
 * the later occurrence, hence this.
 */
export function wallTimeToInstant(day: DateTime, minutes: number, zone: string): Date | null {
  const z = IANAZone.create(zone);
  const wallAsUtc = Date.UTC(day.year, day.month - 1, day.day, Math.floor(minutes / 60), minutes % 60);
  const offsets = new Set([z.offset(wallAsUtc - 14 * HOUR), z.offset(wallAsUtc + 14 * HOUR)]);
  let best: number | null = null;
  for (const offset of offsets) {
    const utc = wallAsUtc - offset * MINUTE;
    if (z.offset(utc) === offset && (best === null || utc < best)) best = utc;
  }
  return best === null ? null : new Date(best);
}

/** The calendar days of the exam period (in the session's zone), excluded weekdays removed. */
function examDays(session: CalendarSession): DateTime[] {
  const zone = session.timeZone;
  const last = DateTime.fromISO(session.examPeriodEnd, { zone });
  const days: DateTime[] = [];
  for (let d = DateTime.fromISO(session.examPeriodStart, { zone }); d <= last; d = d.plus({ days: 1 })) {
    if (!session.excludedWeekdays.includes(WEEKDAYS[d.weekday - 1])) days.push(d);
  }
  return days;
}

/** The starts of one calendar day (`day` at local midnight in the session's zone), in order. */
function startsOfDay(session: CalendarSession, day: DateTime): Date[] {
  const end = minutesOf(session.dailyEnd);
  const starts: Date[] = [];
  for (let m = minutesOf(session.dailyStart); m + session.examDurationMinutes <= end; m += session.slotStepMinutes) {
    const instant = wallTimeToInstant(day, m, session.timeZone);
    if (instant) starts.push(instant);
  }
  return starts;
}

const memo = new Map<string, readonly Date[]>();
const MEMO_SIZE = 64;

/**
 * R-SCH-1: every bookable start of the session, in order (lead time and capacity not applied).
 * A pure function of the calendar fields, so it is memoised on them (a few sessions at a time):
 * availableSlots asks for the same calendar on every call. The result is shared: do not mutate it.
 */
export function slotStarts(session: CalendarSession): readonly Date[] {
  const key = [session.examPeriodStart, session.examPeriodEnd, session.dailyStart, session.dailyEnd, session.excludedWeekdays.join(','), session.timeZone, session.examDurationMinutes, session.slotStepMinutes].join('|');
  let starts = memo.get(key);
  if (!starts) {
    starts = Object.freeze(examDays(session).flatMap((day) => startsOfDay(session, day)));
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
    memo.set(key, starts);
  }
  return starts;
}

export function slotEnd(session: Pick<CalendarSession, 'examDurationMinutes'>, start: Date): Date {
  return new Date(start.getTime() + session.examDurationMinutes * MINUTE);
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone. */
export function localDay(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!;
}

export function isInExamPeriod(session: CalendarSession, instant: Date): boolean {
  const day = localDay(instant, session.timeZone);
  return day >= session.examPeriodStart && day <= session.examPeriodEnd;
}

const startSets = new WeakMap<readonly Date[], ReadonlySet<number>>();

/**
 * R-SCH-1: whether `instant` is exactly one of the calendar starts (e.g. not a Wednesday, not 15:10).
 * A lookup in the memoised calendar (`slotStarts`): no calendar arithmetic per booking.
 */
export function isCalendarStart(session: CalendarSession, instant: Date): boolean {
  const starts = slotStarts(session);
  let set = startSets.get(starts);
  if (!set) {
    set = new Set(starts.map((s) => s.getTime()));
    startSets.set(starts, set);
  }
  return set.has(instant.getTime());
}

/** R-SCH-2: at least `leadHours` between now and the start (exactly the lead time is enough). */
export function meetsLeadTime(start: Date, now: Date, leadHours: number): boolean {
  return start.getTime() - now.getTime() >= leadHours * HOUR;
}

/** R-SCH-7 (design): a priority appointment must end before the certificate deadline. */
export function endsBeforeDeadline(session: CalendarSession, start: Date): boolean {
  return slotEnd(session, start).getTime() < session.certificateDeadline.getTime();
}

/** R-SCH-7: the starts a priority rebooking may still take from `now` (lead 1 h, before the deadline). */
export function priorityStarts(session: CalendarSession, now: Date): Date[] {
  return slotStarts(session).filter((s) => meetsLeadTime(s, now, PRIORITY_LEAD_HOURS) && endsBeforeDeadline(session, s));
}

const offsets = new Map<string, number>();

/** The zone's UTC offset in minutes at an instant (Intl is slow: slot instants recur, so they are cached). */
function offsetAt(zone: string, ts: number): number {
  const key = `${zone}|${ts}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = IANAZone.create(zone).offset(ts);
    if (offsets.size >= 50_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** R-SCH-4: the start as wall-clock time with its offset in `zone`, e.g. 2017-03-02T16:00:00.000+01:00. */
export function localStart(instant: Date, zone: string): string {
  const ts = instant.getTime();
  const offset = offsetAt(zone, ts);
  const wall = new Date(ts + offset * MINUTE).toISOString().slice(0, 23);
  const abs = Math.abs(offset);
  return `${wall}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
