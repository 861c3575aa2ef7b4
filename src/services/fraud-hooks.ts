import { type EntityManager } from '@mikro-orm/postgresql';
import { OPEN_FRAUD_CASE_STATUSES } from '../domain/fraud-case-state';

/**
 * For evidence ingestion (R-EVI-5): call in the transaction that records an attempt's evidence. A case
 * opened before any evidence arrived has a provisional purge deadline (exam time + retention); once
 * evidence exists, an open case's deadline is the earliest `retainUntil` of it (domain/fraud-case-state
 * `purgeDeadline`). Answers how many cases changed.
 */
export async function refreshPurgeDeadline(em: EntityManager, attemptId: string): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(
    `update fraud_case c set purge_deadline = e.deadline
     from (select min(retain_until) as deadline from evidence where attempt_id = ?) e
     where c.attempt_id = ? and c.status = any(?::text[]) and e.deadline is not null and c.purge_deadline <> e.deadline
     returning c.id`,
    [attemptId, attemptId, `{${OPEN_FRAUD_CASE_STATUSES.join(',')}}`],
  );
  return rows.length;
}
