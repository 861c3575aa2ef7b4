/**
 * R-REF-6, the refund state machine as data. `transition()` (services/refund-transition.ts) is the only
 * code that changes a refund's status: it checks this table, writes the RefundEvent row and the audit
 * event.
 *
 *   SUBMITTED ─┬─> APPROVED ─┬─> PROCESSING ─┬─> SUCCEEDED
 *              │             │        ^      └─> FAILED ─┬─> PROCESSING (retry)
 *              └─> REJECTED  └─> SETTLED_MANUALLY <──────┘
 */
export type RefundStatus = 'SUBMITTED' | 'APPROVED' | 'REJECTED' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'SETTLED_MANUALLY';
export type RefundReason = 'WITHDRAWAL' | 'PROVIDER_TECHNICAL_PROBLEM';

export const REFUND_TRANSITIONS: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  SUBMITTED: ['APPROVED', 'REJECTED'],
  APPROVED: ['PROCESSING', 'SETTLED_MANUALLY'],
  PROCESSING: ['SUCCEEDED', 'FAILED'],
  FAILED: ['PROCESSING', 'SETTLED_MANUALLY'],
  REJECTED: [],
  SUCCEEDED: [],
  SETTLED_MANUALLY: [],
};

export const REFUND_STATUSES = Object.keys(REFUND_TRANSITIONS) as RefundStatus[];

export function canTransition(from: RefundStatus, to: RefundStatus): boolean {
  return REFUND_TRANSITIONS[from].includes(to);
}

/** No transition leaves a final state. */
export function isFinal(status: RefundStatus): boolean {
  return REFUND_TRANSITIONS[status].length === 0;
}

/** Not final: what `needsAction` lists (the database allows one such request per payment). */
export const OPEN_REFUND_STATUSES: readonly RefundStatus[] = REFUND_STATUSES.filter((s) => !isFinal(s));
/** The money went back to the learner. */
export const REFUNDED_STATUSES: readonly RefundStatus[] = ['SUCCEEDED', 'SETTLED_MANUALLY'];
