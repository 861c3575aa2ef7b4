/**
 * R-EVI-3, the fraud case state machine as data. `transition()` (services/fraud-case-transition.ts) is
 * the only code that changes a case's status: it checks this table, writes the FraudCaseEvent row and
 * the audit event.
 *
 *   OPEN ──start review──▶ UNDER_REVIEW ─┬─▶ CLEARED          (the result may be published)
 *                                        └─▶ FRAUD_CONFIRMED  (the result is voided, any certificate revoked)
 */
export type FraudCaseStatus = 'OPEN' | 'UNDER_REVIEW' | 'CLEARED' | 'FRAUD_CONFIRMED';
export type FraudCaseOutcome = 'CLEARED' | 'FRAUD_CONFIRMED';

export const FRAUD_CASE_TRANSITIONS: Readonly<Record<FraudCaseStatus, readonly FraudCaseStatus[]>> = {
  OPEN: ['UNDER_REVIEW'],
  UNDER_REVIEW: ['CLEARED', 'FRAUD_CONFIRMED'],
  CLEARED: [],
  FRAUD_CONFIRMED: [],
};

export const FRAUD_CASE_STATUSES = Object.keys(FRAUD_CASE_TRANSITIONS) as FraudCaseStatus[];

export function canTransition(from: FraudCaseStatus, to: FraudCaseStatus): boolean {
  return FRAUD_CASE_TRANSITIONS[from].includes(to);
}

export function isFinal(status: FraudCaseStatus): boolean {
  return FRAUD_CASE_TRANSITIONS[status].length === 0;
}

/** Under way (not decided): the attempt's result stays PENDING (R-RES-2); at most one per attempt (database). */
export const OPEN_FRAUD_CASE_STATUSES: readonly FraudCaseStatus[] = FRAUD_CASE_STATUSES.filter((s) => !isFinal(s));
/** What a decision may be. */
export const FRAUD_CASE_OUTCOMES: readonly FraudCaseStatus[] = FRAUD_CASE_STATUSES.filter(isFinal);

export function isOutcome(status: FraudCaseStatus): status is FraudCaseOutcome {
  return FRAUD_CASE_OUTCOMES.includes(status);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * R-EVI-5: when the evidence of an attempt will be destroyed. The earliest `retainUntil` of its evidence
 * (the first object the purge will take); an attempt with no evidence yet uses the retention rule itself,
 * counted from the unlock (the exam time): `unlockedAt + retentionDays`.
 */
export function purgeDeadline(evidenceRetainUntil: readonly Date[], attemptUnlockedAt: Date, retentionDays: number): Date {
  if (evidenceRetainUntil.length > 0) return new Date(Math.min(...evidenceRetainUntil.map((d) => d.getTime())));
  return new Date(attemptUnlockedAt.getTime() + retentionDays * DAY_MS);
}

/** R-EVI-4: an object is due for destruction at its `retainUntil` exactly (one second before, it stays). */
export function isPastRetention(retainUntil: Date, now: Date): boolean {
  return retainUntil.getTime() <= now.getTime();
}
