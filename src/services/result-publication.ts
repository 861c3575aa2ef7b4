import { type EntityManager } from '@mikro-orm/postgresql';
import { type ServiceContext } from '../context';
import { OPEN_FRAUD_CASE_STATUSES } from '../domain/fraud-case-state';
import { audit } from './audit.service';

/** Cases that keep a result from being published: under way, or decided as fraud. */
const WITHHOLDING = `{${[...OPEN_FRAUD_CASE_STATUSES, 'FRAUD_CONFIRMED'].join(',')}}`;

/**
 * R-RES-2: the attempts (of those given) whose result must not be published: a fraud review is open
 * (OPEN or UNDER_REVIEW), so their results stay PENDING; or fraud was confirmed (R-EVI-3) before the
 * attempt was graded, so its result, computed later, is never published either. The one place
 * COMPUTE_RESULTS asks.
 */
export async function attemptsUnderOpenFraudReview(em: EntityManager, attemptIds: readonly string[]): Promise<Set<string>> {
  if (attemptIds.length === 0) return new Set();
  const rows = await em.execute<{ attempt_id: string }[]>(`select distinct attempt_id from fraud_case where attempt_id = any(?::uuid[]) and status = any(?::text[])`, [
    `{${attemptIds.join(',')}}`,
    WITHHOLDING,
  ]);
  return new Set(rows.map((r) => r.attempt_id));
}

/**
 * R-RES-2, a case CLEARED: publishes the attempt's PENDING result now, in the caller's transaction (as
 * COMPUTE_RESULTS' publication pass would on its next run), unless another review is open on it. Answers
 * the published result id, or null (no result yet: COMPUTE_RESULTS will publish it when it grades).
 */
export async function publishPendingResult(em: EntityManager, ctx: Pick<ServiceContext, 'viewer' | 'clock' | 'requestId'>, attemptId: string): Promise<string | null> {
  if ((await attemptsUnderOpenFraudReview(em, [attemptId])).size > 0) return null;
  const rows = await em.execute<{ id: string }[]>(
    `update exam_result set status = 'PUBLISHED', published_at = ? where attempt_id = ? and status = 'PENDING' returning id`,
    [ctx.clock.now(), attemptId],
  );
  if (rows.length === 0) return null;
  audit(em, ctx, 'result.publish', { type: 'Result', id: rows[0].id }, { attemptId, after: 'fraud review cleared' });
  return rows[0].id;
}

/**
 * R-EVI-3, FRAUD_CONFIRMED: voids the attempt's result, pending or published (a trigger lets a published
 * result change to VOIDED and nothing else), in the caller's transaction. Answers the voided result id,
 * or null when there is no result (yet) or it is voided already.
 */
export async function voidResultForFraud(em: EntityManager, ctx: Pick<ServiceContext, 'viewer' | 'clock' | 'requestId'>, attemptId: string, reason: string): Promise<string | null> {
  const rows = await em.execute<{ id: string }[]>(
    `update exam_result set status = 'VOIDED', voided_at = ?, void_reason = ? where attempt_id = ? and status <> 'VOIDED' returning id`,
    [ctx.clock.now(), reason, attemptId],
  );
  if (rows.length === 0) return null;
  audit(em, ctx, 'result.void', { type: 'Result', id: rows[0].id }, { attemptId, reason });
  return rows[0].id;
}
