import { type EntityManager } from '@mikro-orm/postgresql';
import { systemViewer } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { audit } from './audit.service';

export interface EndedAttempt {
  id: string;
  appointment_id: string;
  deadline: Date;
  /** Whether its appointment went BOOKED → COMPLETED. */
  completed: boolean;
}

/**
 * R-EXA-4: ends STARTED attempts whose deadline has passed, as SUBMITTED by TIMEOUT with
 * `submittedAt = deadline` (not the moment it was noticed), and marks their appointments COMPLETED.
 * A conditional update: it takes the row locks, so a draft save racing it either lands before (the
 * timeout waits for it) or finds the attempt ended. Used lazily (`ids`: the attempt being read or
 * written) and by the END_EXPIRED_ATTEMPTS job (`limit`: a batch).
 */
export async function endExpiredAttempts(em: EntityManager, ctx: ServiceContext, opts: { ids?: string[]; limit?: number }): Promise<EndedAttempt[]> {
  const now = ctx.clock.now();
  // STARTED → SUBMITTED (the transition table); only a started attempt has a deadline.
  const due = opts.ids
    ? await em.execute<{ id: string; appointment_id: string }[]>(`select id, appointment_id from exam_attempt where id = any(?::uuid[]) and status = 'STARTED' and deadline <= ?`, [
        `{${opts.ids.join(',')}}`,
        now,
      ])
    : await em.execute<{ id: string; appointment_id: string }[]>(
        `select id, appointment_id from exam_attempt where status = 'STARTED' and deadline <= ? order by deadline, id limit ${Math.max(1, Math.trunc(opts.limit ?? 500))}`,
        [now],
      );
  if (due.length === 0) return [];
  // Lock order shared with scheduling and incidents: appointments, then attempts (a provider fault
  // confirmed at the same moment waits for this, or this for it; never both for each other).
  await em.execute(`select id from appointment where id = any(?::uuid[]) order by id for update`, [`{${due.map((d) => d.appointment_id).join(',')}}`]);
  const ended = await em.execute<EndedAttempt[]>(
    `with ended as (
       update exam_attempt a set status = 'SUBMITTED', ended_by = 'TIMEOUT', submitted_at = a.deadline
       where a.id = any(?::uuid[]) and a.status = 'STARTED' and a.deadline <= ?
       returning a.id, a.appointment_id, a.deadline
     ),
     completed as (
       update appointment set status = 'COMPLETED' where id in (select appointment_id from ended) and status = 'BOOKED' returning id
     )
     select e.id, e.appointment_id, e.deadline, c.id is not null as completed from ended e left join completed c on c.id = e.appointment_id`,
    [`{${due.map((d) => d.id).join(',')}}`, now],
  );
  for (const e of ended) {
    audit(em, ctx, 'attempt.timeout', { type: 'Attempt', id: e.id }, { submittedAt: new Date(e.deadline).toISOString(), appointmentId: e.appointment_id });
    if (e.completed) audit(em, ctx, 'appointment.complete', { type: 'Appointment', id: e.appointment_id }, { attemptId: e.id });
  }
  if (ended.length) await em.flush();
  return ended;
}

/** The appointment of a submitted attempt is COMPLETED (R-SCH lifecycle), unless a fault was recorded on it. */
export async function completeAppointment(em: EntityManager, ctx: ServiceContext, appointmentId: string, attemptId: string): Promise<void> {
  const rows = await em.execute<{ id: string }[]>(`update appointment set status = 'COMPLETED' where id = ? and status = 'BOOKED' returning id`, [appointmentId]);
  if (rows.length) audit(em, ctx, 'appointment.complete', { type: 'Appointment', id: appointmentId }, { attemptId });
}

/** Who a timeout noticed on a read or write is attributed to: the system, not the reader. */
export function timeoutContext(ctx: ServiceContext): ServiceContext {
  return { ...ctx, viewer: systemViewer('attempt-timeout') };
}
