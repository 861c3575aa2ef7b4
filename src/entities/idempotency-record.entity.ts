import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Idempotency keys of money mutations (R-REF-7, recordPayment): the same key with the same input gives
 * the first result; with another input, IDEMPOTENCY_KEY_REUSED. Primary key (scope, key).
 */
@Entity({ tableName: 'idempotency_record' })
export class IdempotencyRecord {
  /** The operation, e.g. `recordPayment`, `executeRefund`. */
  @PrimaryKey({ type: 'text' })
  scope!: string;

  @PrimaryKey({ type: 'text' })
  key!: string;

  /** SHA-256 of the canonical input. */
  @Property({ type: 'text' })
  requestHash!: string;

  /** What the first call produced (e.g. `{ type: 'Payment', id }` or a UserError). */
  @Property({ type: 'json' })
  outcome!: Record<string, unknown>;

  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
