import { type EntityManager } from '@mikro-orm/postgresql';

/**
 * R-RES-2: the attempts (of those given) with a fraud review open: their results stay PENDING.
 * The one place COMPUTE_RESULTS asks; there are no fraud cases yet, so nothing is under review.
 * The fraud issue replaces the body with one query, e.g.
 *   select attempt_id from fraud_case where attempt_id = any(?) and status in ('OPEN', 'UNDER_REVIEW')
 */
export async function attemptsUnderOpenFraudReview(_em: EntityManager, _attemptIds: readonly string[]): Promise<Set<string>> {
  return new Set();
}
