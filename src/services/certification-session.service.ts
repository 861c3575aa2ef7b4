import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { type Weekday, WEEKDAYS } from '../domain/roles';
import * as v from '../domain/validate';
import { CertificationSession } from '../entities';
import { type PageArgs, paginate } from '../schema/connection';
import { audit } from './audit.service';

export interface CreateSessionInput {
  courseTitle: string;
  courseCode: string;
  university: string;
  courseStartDate: string;
  priceCents: number;
  currency: string;
  examPeriodStart: string;
  examPeriodEnd: string;
  dailyStart: string;
  dailyEnd: string;
  excludedWeekdays: Weekday[];
  timeZone: string;
  examDurationMinutes: number;
  slotStepMinutes: number;
  bookingLeadHours: number;
  slotCapacity: number;
  certificateDeadline: Date;
  evidenceRetentionDays: number;
  passMarkPercent: number;
}

const f = (name: string) => ['input', name];

/** R-SES-1: the certification session (the offer). */
export class CertificationSessionService {
  async create(ctx: ServiceContext, input: CreateSessionInput): Promise<CertificationSession> {
    const data = {
      courseTitle: v.text(input.courseTitle, f('courseTitle')),
      courseCode: v.text(input.courseCode, f('courseCode'), { max: 64 }),
      university: v.text(input.university, f('university')),
      courseStartDate: v.isoDate(input.courseStartDate, f('courseStartDate')),
      priceCents: v.intRange(input.priceCents, f('priceCents'), 1, 100_000_000),
      currency: input.currency.trim().toUpperCase(),
      examPeriodStart: v.isoDate(input.examPeriodStart, f('examPeriodStart')),
      examPeriodEnd: v.isoDate(input.examPeriodEnd, f('examPeriodEnd')),
      dailyStart: input.dailyStart,
      dailyEnd: input.dailyEnd,
      excludedWeekdays: [...new Set(input.excludedWeekdays)].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b)),
      timeZone: v.timeZone(input.timeZone, f('timeZone')),
      examDurationMinutes: v.intRange(input.examDurationMinutes, f('examDurationMinutes'), 1, 24 * 60),
      slotStepMinutes: v.intRange(input.slotStepMinutes, f('slotStepMinutes'), 1, 24 * 60),
      bookingLeadHours: v.intRange(input.bookingLeadHours, f('bookingLeadHours'), 0, 24 * 365),
      slotCapacity: v.intRange(input.slotCapacity, f('slotCapacity'), 1, 10_000),
      certificateDeadline: input.certificateDeadline,
      evidenceRetentionDays: v.intRange(input.evidenceRetentionDays, f('evidenceRetentionDays'), 1, 3650),
      passMarkPercent: v.intRange(input.passMarkPercent, f('passMarkPercent'), 0, 100),
    };
    if (!/^[A-Z]{3}$/.test(data.currency)) v.fail(f('currency'), 'currency must be an ISO 4217 code, e.g. EUR');
    if (data.examPeriodStart > data.examPeriodEnd) v.fail(f('examPeriodEnd'), 'the exam period ends before it starts');
    if (data.courseStartDate > data.examPeriodEnd) v.fail(f('courseStartDate'), 'the course starts after the exam period ends');
    const start = v.hhmm(data.dailyStart, f('dailyStart'));
    const end = v.hhmm(data.dailyEnd, f('dailyEnd'));
    if (start >= end) v.fail(f('dailyEnd'), 'the daily exam hours end before they start');
    if (start + data.examDurationMinutes > end) v.fail(f('examDurationMinutes'), 'the exam does not fit in the daily exam hours');
    if (data.excludedWeekdays.length === WEEKDAYS.length) v.fail(f('excludedWeekdays'), 'every weekday is excluded');
    return ctx.em.transactional(async (em) => {
      const session = em.create(CertificationSession, { ...data, createdAt: ctx.clock.now(), createdBy: actorOf(ctx.viewer) });
      audit(em, ctx, 'session.create', { type: 'CertificationSession', id: session.id }, { courseCode: data.courseCode, examPeriodStart: data.examPeriodStart, examPeriodEnd: data.examPeriodEnd });
      return session;
    });
  }

  list(ctx: ServiceContext, page: PageArgs) {
    return paginate(ctx.em, CertificationSession, {}, [{ examPeriodStart: 'desc' }, { id: 'asc' }], page);
  }

  async get(ctx: ServiceContext, id: string): Promise<CertificationSession | null> {
    if (!v.isUuid(id)) return null;
    return ctx.em.findOne(CertificationSession, { id });
  }

  async require(ctx: ServiceContext, id: string, field: string[]): Promise<CertificationSession> {
    const session = v.isUuid(id) ? await ctx.em.findOne(CertificationSession, { id }) : null;
    if (!session) throw new DomainError('NOT_FOUND', 'No certification session with this id', field);
    return session;
  }
}
