import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the finance reports and `financeSummary` (issue 8), sized for 1 000 000 payments.
 *
 * Already there (m0004): `payment_paid_at` ("paid_at", "id") gives the payments export its order
 * (`order by paid_at, id`) straight from the index, so the cursor streams without a sort;
 * `refund_requested` ("requested_at", "id") does the same for the refunds export, and
 * `refund_status_requested` ("status", "requested_at", "id") counts the pending refunds of a period.
 *
 * Added here:
 * - `payment_paid_at_totals` ("paid_at") include ("amount_cents", "card_brand", "registration_id"):
 *   the summary (count and sum by brand) and the reconciliation (count and sum by Paris day) read a
 *   period of payments by an index-only scan, without visiting a million heap rows; the registration
 *   id is there for the optional `sessionId` join.
 * - `refund_completed_totals` ("completed_at") include ("amount_cents", "registration_id") where the
 *   status is SUCCEEDED or SETTLED_MANUALLY: refunds count on the day the money left (R-REF), and only
 *   completed ones count: a small partial index answers the summary and the reconciliation.
 * - `refund_completed_at` ("completed_at", "id") where completed: the second arm of the refunds export
 *   (`requested_at` in the period or `completed_at` in the period), combined with `refund_requested`
 *   by a bitmap OR instead of a full scan.
 * - `registration_session_id` ("session_id", "id"): with `sessionId`, the exports and the summary
 *   find the session's registrations without touching the heap (a session has thousands).
 */
export class M0006FinanceIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "payment_paid_at_totals" on "payment" ("paid_at") include ("amount_cents", "card_brand", "registration_id");`);
    this.addSql(`create index "refund_completed_totals" on "refund_request" ("completed_at") include ("amount_cents", "registration_id") where "status" in ('SUCCEEDED', 'SETTLED_MANUALLY');`);
    this.addSql(`create index "refund_completed_at" on "refund_request" ("completed_at", "id") where "completed_at" is not null;`);
    this.addSql(`create index "registration_session_id" on "registration" ("session_id", "id");`);
  }

  override async down(): Promise<void> {
    for (const i of ['registration_session_id', 'refund_completed_at', 'refund_completed_totals', 'payment_paid_at_totals']) this.addSql(`drop index if exists "${i}";`);
  }
}
