import { type EntityManager } from '@mikro-orm/postgresql';
import { type ServiceContext } from '../context';
import { Appointment } from '../entities';
import { audit } from './audit.service';
import { enqueueProviderSync } from './proctoru-sync.service';

/**
 * R-REF-8: a successful refund cancels the registration's future appointments. Owned by scheduling;
 * called by refunds inside their transaction. Slot capacity stays consistent by construction: the
 * `appointment_slot_count` trigger (migration m0003) decrements the slot's counter when a BOOKED
 * appointment becomes CANCELLED, so the freed place can be booked again at once (see slot-capacity.ts).
 */
export async function cancelFutureAppointments(em: EntityManager, ctx: ServiceContext, registrationId: string, reason: string): Promise<number> {
  const now = ctx.clock.now();
  const future = await em.find(Appointment, { registration: registrationId, status: 'BOOKED', startsAt: { $gt: now } });
  for (const a of future) {
    a.status = 'CANCELLED';
    a.cancelledAt = now;
    a.cancellationReason = reason;
    await enqueueProviderSync(em, ctx, a, 'REMOVE');
    audit(em, ctx, 'appointment.cancel', { type: 'Appointment', id: a.id }, { reason });
  }
  return future.length;
}
