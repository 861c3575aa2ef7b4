import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { type Context } from '../context';
import { AppointmentPayload } from '../schema/appointment.type';
import { AppointmentConnection } from '../schema/proctoru.type';
import { payload } from './payload';

/** ProctorU reservations that failed to sync (issue 12): SUPPORT sees them and retries one. ADMIN may too (auth-checker). */
@Resolver()
export class ProctorUResolver {
  @Authorized('SUPPORT')
  @Query(() => AppointmentConnection, { description: 'Appointments whose last ProctorU call failed, newest booking first.' })
  providerSyncFailures(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.proctoru.failures(ctx, { first, after });
  }

  @Authorized('SUPPORT')
  @Mutation(() => AppointmentPayload, { description: "Sends the appointment's unsent ProctorU calls now (its providerSync must be FAILED)." })
  retryProviderSync(@Arg('appointmentId', () => ID) appointmentId: string, @Ctx() ctx: Context) {
    return payload('appointment', () => ctx.services.proctoru.retry(ctx, appointmentId));
  }
}
