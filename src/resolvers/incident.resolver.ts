import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type ProviderIncident } from '../entities';
import { AppointmentType } from '../schema/appointment.type';
import { ConfirmProviderIncidentInput, ProviderIncidentConnection, ProviderIncidentPayload, ProviderIncidentType, ReportProviderIncidentInput } from '../schema/incident.type';
import { RegistrationType } from '../schema/registration.type';
import { priorityRebookingAvailable } from '../services/incident.service';
import { payload } from './payload';

const READERS = ['LEARNER', 'SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'INTEGRATION'] as const;
/** R-INC-1: ProctorU (integration) or support after a phone call. */
const REPORTERS = ['SUPPORT', 'INTEGRATION'] as const;

@Resolver(() => ProviderIncidentType)
export class IncidentResolver {
  /** Staff see all; a learner sees only their own registrations' incidents. Newest first. */
  @Authorized(...READERS)
  @Query(() => ProviderIncidentConnection)
  providerIncidents(
    @Ctx() ctx: Context,
    @Arg('registrationId', () => ID, { nullable: true }) registrationId?: string,
    @Arg('confirmed', () => Boolean, { nullable: true }) confirmed?: boolean,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.incidents.list(ctx, { registrationId, confirmed }, { first, after });
  }

  @Authorized(...REPORTERS)
  @Mutation(() => ProviderIncidentPayload)
  reportProviderIncident(@Arg('input', () => ReportProviderIncidentInput) input: ReportProviderIncidentInput, @Ctx() ctx: Context) {
    return payload('incident', () => ctx.services.incidents.report(ctx, input));
  }

  @Authorized(...REPORTERS)
  @Mutation(() => ProviderIncidentPayload)
  confirmProviderIncident(@Arg('input', () => ConfirmProviderIncidentInput) input: ConfirmProviderIncidentInput, @Ctx() ctx: Context) {
    return payload('incident', () => ctx.services.incidents.confirm(ctx, input));
  }

  @FieldResolver(() => RegistrationType)
  registration(@Root() i: ProviderIncident, @Ctx() ctx: Context) {
    return ctx.loaders.registration.load(i.registration.id);
  }

  @FieldResolver(() => AppointmentType)
  appointment(@Root() i: ProviderIncident, @Ctx() ctx: Context) {
    return ctx.loaders.appointment.load(i.appointment.id);
  }

  @FieldResolver(() => Boolean, { description: 'Whether a priority appointment can still be booked for it (R-SCH-7).' })
  async priorityRebookingAvailable(@Root() i: ProviderIncident, @Ctx() ctx: Context) {
    const registration = await ctx.loaders.registration.load(i.registration.id);
    if (!registration) return false;
    const [session, appointments] = await Promise.all([ctx.loaders.session.load(registration.session.id), ctx.loaders.appointmentsByRegistration.load(registration.id)]);
    if (!session) return false;
    return priorityRebookingAvailable(i, { registration, session, appointments, now: ctx.clock.now() });
  }
}
