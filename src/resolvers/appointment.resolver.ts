import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { effectiveStatus, historyOrder, isActive, plannedUntil } from '../domain/appointment';
import { localStart } from '../domain/calendar';
import * as v from '../domain/validate';
import { type Appointment, type Registration } from '../entities';
import {
  AppointmentPayload,
  AppointmentStatusEnum,
  AppointmentType,
  BookAppointmentInput,
  BookPriorityAppointmentInput,
  CancelAppointmentInput,
  RescheduleAppointmentInput,
  SlotType,
} from '../schema/appointment.type';
import { ProviderIncidentType } from '../schema/incident.type';
import { RegistrationType } from '../schema/registration.type';
import { DateTimeScalar } from '../schema/scalars';
import { mapMaybe } from './loaders';
import { payload } from './payload';

const READERS = ['LEARNER', 'SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'INTEGRATION'] as const;
/** R-SCH-5: the learner themself (the service checks it is their registration), support, the platform. */
const BOOKERS = ['LEARNER', 'SUPPORT', 'INTEGRATION'] as const;

@Resolver(() => AppointmentType)
export class AppointmentResolver {
  @Authorized(...READERS)
  @Query(() => [SlotType], { description: "Bookable slots of a session between from and to (defaults: the whole exam period), listed in timeZone (default: the session's)." })
  availableSlots(
    @Ctx() ctx: Context,
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('from', () => DateTimeScalar, { nullable: true }) from?: Date,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to?: Date,
    @Arg('timeZone', () => String, { nullable: true }) timeZone?: string,
  ) {
    return ctx.services.appointments.availableSlots(ctx, { sessionId, from, to, timeZone });
  }

  @Authorized(...READERS)
  @Query(() => AppointmentType, { nullable: true })
  appointment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.appointments.get(ctx, id);
  }

  @Authorized(...BOOKERS)
  @Mutation(() => AppointmentPayload)
  bookAppointment(@Arg('input', () => BookAppointmentInput) input: BookAppointmentInput, @Ctx() ctx: Context) {
    return payload('appointment', () => ctx.services.appointments.book(ctx, input));
  }

  @Authorized(...BOOKERS)
  @Mutation(() => AppointmentPayload)
  rescheduleAppointment(@Arg('input', () => RescheduleAppointmentInput) input: RescheduleAppointmentInput, @Ctx() ctx: Context) {
    return payload('appointment', () => ctx.services.appointments.reschedule(ctx, input));
  }

  @Authorized(...BOOKERS)
  @Mutation(() => AppointmentPayload)
  cancelAppointment(@Arg('input', () => CancelAppointmentInput) input: CancelAppointmentInput, @Ctx() ctx: Context) {
    return payload('appointment', () => ctx.services.appointments.cancel(ctx, input));
  }

  /** R-SCH-7: support books the priority second appointment after a confirmed provider fault. */
  @Authorized('SUPPORT')
  @Mutation(() => AppointmentPayload)
  bookPriorityAppointment(@Arg('input', () => BookPriorityAppointmentInput) input: BookPriorityAppointmentInput, @Ctx() ctx: Context) {
    return payload('appointment', () => ctx.services.appointments.bookPriority(ctx, input));
  }

  @FieldResolver(() => RegistrationType)
  registration(@Root() a: Appointment, @Ctx() ctx: Context) {
    return ctx.loaders.registration.load(a.registration.id);
  }

  @FieldResolver(() => DateTimeScalar, { description: 'startsAt + exam duration + one hour of checks (R-SCH-8).' })
  plannedUntil(@Root() a: Appointment) {
    return plannedUntil(a);
  }

  /** R-SCH-4: in the given zone, or the session's. */
  @FieldResolver(() => String)
  async localStart(@Root() a: Appointment, @Ctx() ctx: Context, @Arg('timeZone', () => String, { nullable: true }) timeZone?: string) {
    const zone = timeZone ? v.timeZone(timeZone, ['timeZone']) : (await ctx.loaders.session.load(a.sessionId))!.timeZone;
    return localStart(a.startsAt, zone);
  }

  /** MISSED is derived on read once the appointment's time is over (domain/appointment.ts). */
  @FieldResolver(() => AppointmentStatusEnum)
  status(@Root() a: Appointment, @Ctx() ctx: Context) {
    return effectiveStatus(a, ctx.clock.now());
  }

  @FieldResolver(() => AppointmentType, { nullable: true })
  replacedBy(@Root() a: Appointment, @Ctx() ctx: Context) {
    return a.replacedBy ? ctx.loaders.appointment.load(a.replacedBy.id) : null;
  }
}

/** Registration.appointments / activeAppointment / incidents, through per-request loaders. */
@Resolver(() => RegistrationType)
export class RegistrationSchedulingResolver {
  @FieldResolver(() => [AppointmentType], { description: 'All appointments ever booked, oldest first, cancelled and rescheduled ones included.' })
  appointments(@Root() r: Registration, @Ctx() ctx: Context) {
    return mapMaybe(ctx.loaders.appointmentsByRegistration.get(r.id), historyOrder);
  }

  @FieldResolver(() => AppointmentType, { nullable: true })
  activeAppointment(@Root() r: Registration, @Ctx() ctx: Context) {
    const now = ctx.clock.now();
    return mapMaybe(ctx.loaders.appointmentsByRegistration.get(r.id), (list) => list.find((a) => isActive(a, now)) ?? null);
  }

  @FieldResolver(() => [ProviderIncidentType])
  incidents(@Root() r: Registration, @Ctx() ctx: Context) {
    return ctx.loaders.incidentsByRegistration.load(r.id);
  }
}
