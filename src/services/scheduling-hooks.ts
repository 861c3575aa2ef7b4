import { type EntityManager } from '@mikro-orm/postgresql';
import { type ServiceContext } from '../context';
import { Appointment } from '../entities';
import { audit } from './audit.service';

/**
 * R-REF-8: a successful refund cancels the registration's future appointments. Owned by scheduling
 * (which keeps slot capacity consistent with it); called by refunds inside their transaction.
 */
export async function cancelFutureAppointments(em: EntityManager, ctx: ServiceContext, registrationId: string, reason: string): Promise<number> {
  const now = ctx.clock.now();
  const future = await em.find(Appointment, { registration: registrationId, status: 'BOOKED', startsAt: { $gt: now } });
  for (const a of future) {
    a.status = 'CANCELLED';
    a.cancelledAt = now;
    a.cancellationReason = reason;
    audit(em, ctx, 'appointment.cancel', { type: 'Appointment', id: a.id }, { reason });
  }
  return future.length;
}
