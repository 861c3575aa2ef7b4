import { LockMode } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { effectiveStatus, isActive } from '../domain/appointment';
import {
  endsBeforeDeadline,
  isCalendarStart,
  isInExamPeriod,
  localStart,
  meetsLeadTime,
  PRIORITY_LEAD_HOURS,
  priorityStarts,
  slotEnd,
  slotStarts,
} from '../domain/calendar';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { Appointment, CertificationSession, Learner, ProviderIncident, Registration } from '../entities';
import { audit } from './audit.service';
import { hasAnyAttempt } from './exam-hooks';
import { enqueueProviderSync } from './proctoru-sync.service';
import { RegistrationService } from './registration.service';
import { assertRoom, lockSlots, slotCounts } from './slot-capacity';

export interface SlotView {
  startsAt: Date;
  endsAt: Date;
  localStart: string;
  remainingCapacity: number;
}

export interface AvailableSlotsArgs {
  sessionId: string;
  from?: Date | null;
  to?: Date | null;
  timeZone?: string | null;
}

const f = (name: string) => ['input', name];

/** The booking rules a new start must meet: the normal ones (R-SCH-2) or a priority rebooking's (R-SCH-7). */
interface BookingRules {
  priority: boolean;
  leadHours: number;
}
const normalRules = (session: CertificationSession): BookingRules => ({ priority: false, leadHours: session.bookingLeadHours });
const PRIORITY_RULES: BookingRules = { priority: true, leadHours: PRIORITY_LEAD_HOURS };

/** R-SCH-6: paid (payment recorded, registration ACTIVE) or DUN exempt and ACTIVE (R-REG-4). */
export function isPaidOrExempt(r: Registration): boolean {
  return r.status === 'ACTIVE' && (Boolean(r.paidAt) || r.dunExempt);
}

/**
 * ATTEMPT_ALREADY_USED (R-SCH-7, R-EXA-1): the one place where "an exam attempt exists for this
 * registration" refuses a normal booking or reschedule. Exam attempts do not exist yet: the exam issue
 * fills this in (a priority rebooking after a confirmed provider fault never calls it).
 */
export async function assertNoAttemptUsed(em: EntityManager, registration: Registration, field: string[]): Promise<void> {
  // R-EXA-1, R-SCH-7: once an attempt exists (even one voided by a provider fault), only a priority
  // rebooking (which skips this check) can lead to another.
  if (await hasAnyAttempt(em, registration.id)) {
    throw new DomainError('ATTEMPT_ALREADY_USED', 'The one exam attempt has been used (R-EXA-1)', field);
  }
}

/** R-SCH-1..-7: the calendar offered, bookings, changes of time, cancellations, priority rebookings. */
export class AppointmentService {
  private readonly registrations = new RegistrationService();

  /** R-SCH-3, R-SCH-4: slots with room whose start is at least the lead time away, in [from, to]. */
  async availableSlots(ctx: ServiceContext, args: AvailableSlotsArgs): Promise<SlotView[]> {
    const session = v.isUuid(args.sessionId) ? await ctx.em.findOne(CertificationSession, { id: args.sessionId }) : null;
    if (!session) throw new DomainError('NOT_FOUND', 'No certification session with this id', ['sessionId']);
    const zone = args.timeZone ? v.timeZone(args.timeZone, ['timeZone']) : session.timeZone;
    if (args.from && args.to && args.from > args.to) v.fail(['to'], 'to is before from');
    const now = ctx.clock.now();
    const starts = slotStarts(session).filter(
      (s) => (!args.from || s >= args.from) && (!args.to || s <= args.to) && meetsLeadTime(s, now, session.bookingLeadHours),
    );
    if (starts.length === 0) return [];
    const booked = await slotCounts(ctx.em, session.id, starts[0], starts[starts.length - 1]);
    const slots: SlotView[] = [];
    for (const s of starts) {
      const remainingCapacity = session.slotCapacity - (booked.get(s.getTime()) ?? 0);
      if (remainingCapacity > 0) slots.push({ startsAt: s, endsAt: slotEnd(session, s), localStart: localStart(s, zone), remainingCapacity });
    }
    return slots;
  }

  async get(ctx: ServiceContext, id: string): Promise<Appointment | null> {
    if (!v.isUuid(id)) return null;
    const a = await ctx.em.findOne(Appointment, { id });
    if (!a || !(await this.visible(ctx, a))) return null;
    return a;
  }

  /** R-SCH-2, -3, -5, -6: books the registration's appointment. */
  async book(ctx: ServiceContext, input: { registrationId: string; startsAt: Date }): Promise<Appointment> {
    const registrationId = v.uuid(input.registrationId, f('registrationId'));
    return ctx.em.transactional(async (em) => {
      const now = ctx.clock.now();
      const reg = await this.registrations.load(em, ctx, registrationId, f('registrationId'), LockMode.PESSIMISTIC_WRITE);
      const session = await em.findOneOrFail(CertificationSession, { id: reg.session.id });
      await this.assertMayBook(em, reg, f('registrationId'), { checkProfile: true, checkAttempt: true });
      const rules = normalRules(session);
      this.assertOffered(session, input.startsAt, now, rules, f('startsAt'));
      await this.assertNoActive(em, ctx, reg, now);
      const booked = await lockSlots(em, session.id, [input.startsAt]);
      assertRoom(session, booked.get(input.startsAt.getTime()) ?? 0, false, f('startsAt'));
      const a = this.create(em, ctx, reg, session, input.startsAt, now, null);
      await enqueueProviderSync(em, ctx, a, 'ADD');
      audit(em, ctx, 'appointment.book', { type: 'Appointment', id: a.id }, { registrationId: reg.id, startsAt: input.startsAt.toISOString() });
      await em.flush();
      return a;
    });
  }

  /**
   * R-SCH-5: a change of time, until the lead time before the current start, to a start that meets it
   * too. History is kept: the old appointment becomes RESCHEDULED and names its replacement. A
   * priority appointment keeps the priority rules (and its incident) when moved.
   */
  async reschedule(ctx: ServiceContext, input: { appointmentId: string; startsAt: Date }): Promise<Appointment> {
    return ctx.em.transactional(async (em) => {
      const now = ctx.clock.now();
      const { a, reg } = await this.loadForChange(em, ctx, input.appointmentId, now);
      const session = await em.findOneOrFail(CertificationSession, { id: reg.session.id });
      await this.assertMayBook(em, reg, f('appointmentId'), { checkProfile: true, checkAttempt: !a.priority });
      const rules = a.priority ? PRIORITY_RULES : normalRules(session);
      if (!meetsLeadTime(a.startsAt, now, rules.leadHours)) {
        throw new DomainError('LEAD_TIME_TOO_SHORT', `The appointment can no longer be changed: less than ${rules.leadHours} h before it (R-SCH-5)`, f('appointmentId'));
      }
      if (a.startsAt.getTime() === input.startsAt.getTime()) v.fail(f('startsAt'), 'The appointment is already at this time');
      this.assertOffered(session, input.startsAt, now, rules, f('startsAt'));
      const booked = await lockSlots(em, session.id, [a.startsAt, input.startsAt]);
      assertRoom(session, booked.get(input.startsAt.getTime()) ?? 0, rules.priority, f('startsAt'));
      const replacement = this.create(em, ctx, reg, session, input.startsAt, now, a.priority ? (a.incidentId ?? null) : null);
      a.status = 'RESCHEDULED';
      a.replacedBy = replacement;
      await enqueueProviderSync(em, ctx, a, 'REMOVE');
      await enqueueProviderSync(em, ctx, replacement, 'ADD');
      audit(em, ctx, 'appointment.reschedule', { type: 'Appointment', id: a.id }, { replacedBy: replacement.id, from: a.startsAt.toISOString(), to: input.startsAt.toISOString() });
      await em.flush();
      return replacement;
    });
  }

  /** R-SCH-5: cancels an active appointment until the lead time before it (it still counts as booked for R-REF-2). */
  async cancel(ctx: ServiceContext, input: { appointmentId: string; reason?: string | null }): Promise<Appointment> {
    const reason = input.reason == null ? null : v.text(input.reason, f('reason'), { max: 1000, allowEmpty: true }) || null;
    return ctx.em.transactional(async (em) => {
      const now = ctx.clock.now();
      const { a, reg } = await this.loadForChange(em, ctx, input.appointmentId, now);
      if (reg.status === 'CANCELLED') throw new DomainError('REGISTRATION_CANCELLED', 'This registration is cancelled', f('appointmentId'));
      const session = await em.findOneOrFail(CertificationSession, { id: reg.session.id });
      const leadHours = a.priority ? PRIORITY_LEAD_HOURS : session.bookingLeadHours;
      if (!meetsLeadTime(a.startsAt, now, leadHours)) {
        throw new DomainError('LEAD_TIME_TOO_SHORT', `The appointment can no longer be cancelled: less than ${leadHours} h before it (R-SCH-5)`, f('appointmentId'));
      }
      a.status = 'CANCELLED';
      a.cancelledAt = now;
      a.cancellationReason = reason;
      await enqueueProviderSync(em, ctx, a, 'REMOVE');
      audit(em, ctx, 'appointment.cancel', { type: 'Appointment', id: a.id }, { reason });
      await em.flush();
      return a;
    });
  }

  /**
   * R-SCH-7: after a confirmed provider fault, support books a priority appointment: 1 h of notice,
   * capacity + 1, ending before the certificate deadline and inside the period; one per incident.
   */
  async bookPriority(ctx: ServiceContext, input: { registrationId: string; incidentId: string; startsAt: Date }): Promise<Appointment> {
    const registrationId = v.uuid(input.registrationId, f('registrationId'));
    const incidentId = v.uuid(input.incidentId, f('incidentId'));
    return ctx.em.transactional(async (em) => {
      const now = ctx.clock.now();
      const reg = await this.registrations.load(em, ctx, registrationId, f('registrationId'), LockMode.PESSIMISTIC_WRITE);
      const session = await em.findOneOrFail(CertificationSession, { id: reg.session.id });
      const incident = await em.findOne(ProviderIncident, { id: incidentId });
      if (!incident) throw new DomainError('NOT_FOUND', 'No provider incident with this id', f('incidentId'));
      if (reg.status === 'CANCELLED') throw new DomainError('REGISTRATION_CANCELLED', 'This registration is cancelled', f('registrationId'));
      if (incident.registration.id !== reg.id) throw new DomainError('INCIDENT_NOT_ELIGIBLE', 'This incident is about another registration', f('incidentId'));
      if (!incident.confirmedByProvider) throw new DomainError('INCIDENT_NOT_ELIGIBLE', 'The provider has not confirmed this incident (R-SCH-7)', f('incidentId'));
      if (await em.count(Appointment, { incidentId: incident.id })) {
        throw new DomainError('INCIDENT_NOT_ELIGIBLE', 'A priority appointment has already been booked for this incident (one per incident)', f('incidentId'));
      }
      await this.assertMayBook(em, reg, f('registrationId'), { checkProfile: false, checkAttempt: false });
      await this.assertNoActive(em, ctx, reg, now);
      if (priorityStarts(session, now).length === 0) {
        throw new DomainError('NO_TIME_LEFT_IN_PERIOD', 'No exam time is left in the period for a priority appointment (R-SCH-7)', f('startsAt'));
      }
      this.assertOffered(session, input.startsAt, now, PRIORITY_RULES, f('startsAt'));
      const booked = await lockSlots(em, session.id, [input.startsAt]);
      assertRoom(session, booked.get(input.startsAt.getTime()) ?? 0, true, f('startsAt'));
      const a = this.create(em, ctx, reg, session, input.startsAt, now, incident.id);
      await enqueueProviderSync(em, ctx, a, 'ADD');
      audit(em, ctx, 'appointment.book.priority', { type: 'Appointment', id: a.id }, { registrationId: reg.id, incidentId: incident.id, startsAt: input.startsAt.toISOString() });
      await em.flush();
      return a;
    });
  }

  // ---------------------------------------------------------------------------------------------

  private create(em: EntityManager, ctx: ServiceContext, reg: Registration, session: CertificationSession, startsAt: Date, now: Date, incidentId: string | null): Appointment {
    return em.create(Appointment, {
      registration: reg,
      sessionId: session.id,
      startsAt,
      endsAt: slotEnd(session, startsAt),
      status: 'BOOKED',
      priority: incidentId !== null,
      incidentId,
      bookedAt: now,
      bookedBy: actorOf(ctx.viewer),
    });
  }

  /** R-SCH-6 and the registration's state, in the order a learner fixes them. */
  private async assertMayBook(em: EntityManager, reg: Registration, field: string[], opts: { checkProfile: boolean; checkAttempt: boolean }): Promise<void> {
    if (reg.status === 'CANCELLED') throw new DomainError('REGISTRATION_CANCELLED', 'This registration is cancelled', field);
    if (!isPaidOrExempt(reg)) throw new DomainError('NOT_PAID', 'The registration is neither paid nor DUN exempt (R-SCH-6)', field);
    if (opts.checkProfile) {
      const learner = await em.findOneOrFail(Learner, { id: reg.learner.id });
      if (!learner.profileComplete) throw new DomainError('PROFILE_INCOMPLETE', 'The ProctorU profile (phone, address, city, time zone, country) is incomplete (R-REG-5)', field);
    }
    if (opts.checkAttempt) await assertNoAttemptUsed(em, reg, field);
  }

  /** R-SCH-1, -2, -7: the start is a calendar start of the period, far enough ahead (and, for priority, ends before the deadline). */
  private assertOffered(session: CertificationSession, startsAt: Date, now: Date, rules: BookingRules, field: string[]): void {
    if (!isInExamPeriod(session, startsAt)) {
      throw new DomainError('OUTSIDE_EXAM_PERIOD', `The exam period is ${session.examPeriodStart} to ${session.examPeriodEnd} (${session.timeZone})`, field);
    }
    if (!isCalendarStart(session, startsAt)) {
      throw new DomainError('SLOT_NOT_OFFERED', `${localStart(startsAt, session.timeZone)} is not a bookable start (R-SCH-1)`, field);
    }
    if (!meetsLeadTime(startsAt, now, rules.leadHours)) {
      throw new DomainError('LEAD_TIME_TOO_SHORT', `A booking must be made at least ${rules.leadHours} h before the start`, field);
    }
    if (rules.priority && !endsBeforeDeadline(session, startsAt)) {
      throw new DomainError('OUTSIDE_EXAM_PERIOD', 'A priority appointment must end before the certificate deadline (R-SCH-7)', field);
    }
  }

  /**
   * R-SCH-5: refuses a second active appointment. A BOOKED appointment whose time is over is stored as
   * MISSED here (the lazy half of the lifecycle, see domain/appointment.ts).
   */
  private async assertNoActive(em: EntityManager, ctx: ServiceContext, reg: Registration, now: Date): Promise<void> {
    for (const a of await em.find(Appointment, { registration: reg, status: 'BOOKED' })) {
      if (effectiveStatus(a, now) === 'MISSED') {
        a.status = 'MISSED';
        audit(em, ctx, 'appointment.missed', { type: 'Appointment', id: a.id }, { startsAt: a.startsAt.toISOString() });
      } else {
        throw new DomainError('ACTIVE_APPOINTMENT_EXISTS', `This registration already has an appointment at ${a.startsAt.toISOString()}; change or cancel it`, ['input', 'registrationId'], {
          appointment: a,
        });
      }
    }
  }

  /** Loads an appointment to change: its registration locked first (one change at a time), then the row. */
  private async loadForChange(em: EntityManager, ctx: ServiceContext, appointmentId: string, now: Date): Promise<{ a: Appointment; reg: Registration }> {
    const id = v.uuid(appointmentId, f('appointmentId'));
    const found = await em.findOne(Appointment, { id });
    if (!found) throw new DomainError('NOT_FOUND', 'No appointment with this id', f('appointmentId'));
    const reg = await this.registrations.load(em, ctx, found.registration.id, f('appointmentId'), LockMode.PESSIMISTIC_WRITE);
    const a = await em.findOneOrFail(Appointment, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!isActive(a, now)) {
      throw new DomainError('APPOINTMENT_NOT_ACTIVE', `This appointment is ${effectiveStatus(a, now)}, not an active booking`, f('appointmentId'));
    }
    return { a, reg };
  }

  private async visible(ctx: ServiceContext, a: Appointment): Promise<boolean> {
    if (ctx.viewer.kind !== 'LEARNER') return true;
    const reg = await ctx.em.findOne(Registration, { id: a.registration.id });
    return reg?.learner.id === ctx.viewer.learnerId;
  }
}
