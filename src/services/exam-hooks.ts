import { type EntityManager } from '@mikro-orm/postgresql';
import { type ServiceContext } from '../context';
import { fromStatuses } from '../domain/attempt-state';
import { audit } from './audit.service';

/**
 * Links from the exam to scheduling and incidents (the lead wires them in):
 *
 * - `voidAttemptsForIncident` (R-INC-2): in the transaction confirming a provider fault, voids the
 *   appointment's attempt when it is running (READY, STARTED) or ended without a published result; an
 *   unpublished result is voided with it. A published result is final (R-RES-1): nothing changes.
 *   Returns how many attempts were voided (0 or 1).
 * - `hasUsedAttempt` (R-SCH-7, R-EXA-1): whether the registration has an attempt that is not voided,
 *   i.e. a normal booking must answer ATTEMPT_ALREADY_USED.
 */
export async function voidAttemptsForIncident(em: EntityManager, ctx: ServiceContext, appointmentId: string, reason: string): Promise<number> {
  const now = ctx.clock.now();
  // Lock first (a COMPUTE_RESULTS batch holding the row finishes before), then look at its result with
  // a fresh statement, which sees what that batch committed.
  const candidates = await em.execute<{ id: string; status: string }[]>(
    `select id, status from exam_attempt where appointment_id = ? and status = any(?::text[]) for update`,
    [appointmentId, `{${fromStatuses('VOIDED').join(',')}}`],
  );
  let count = 0;
  for (const a of candidates) {
    // Locked too: a publication pass holding it commits first, and this then reads PUBLISHED.
    const result = await em.execute<{ status: string }[]>(`select status from exam_result where attempt_id = ? for update`, [a.id]);
    if (result.some((r) => r.status !== 'PENDING')) continue; // published (or already voided): final (R-RES-1)
    await em.execute(`update exam_attempt set status = 'VOIDED', voided_at = ?, void_reason = ? where id = ?`, [now, reason, a.id]);
    const results = await em.execute<{ id: string }[]>(
      `update exam_result set status = 'VOIDED', voided_at = ?, void_reason = ? where attempt_id = ? and status = 'PENDING' returning id`,
      [now, reason, a.id],
    );
    audit(em, ctx, 'attempt.void', { type: 'Attempt', id: a.id }, { appointmentId, previousStatus: a.status, reason, resultsVoided: results.map((r) => r.id) });
    count++;
  }
  if (count) await em.flush();
  return count;
}

export async function hasUsedAttempt(em: EntityManager, registrationId: string): Promise<boolean> {
  const rows = await em.execute<{ used: boolean }[]>(`select exists (select 1 from exam_attempt where registration_id = ? and status <> 'VOIDED') as used`, [registrationId]);
  return Boolean(rows[0]?.used);
}

/** Whether the registration has any attempt at all, voided ones included (a normal booking is then refused: R-SCH-7). */
export async function hasAnyAttempt(em: EntityManager, registrationId: string): Promise<boolean> {
  const rows = await em.execute<{ any: boolean }[]>(`select exists (select 1 from exam_attempt where registration_id = ?) as any`, [registrationId]);
  return Boolean(rows[0]?.any);
}
