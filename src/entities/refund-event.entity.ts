import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { type RefundStatus } from './refund-request.entity';
import { RefundRequest } from './refund-request.entity';

/** One row per refund state change (R-REF-6 history). Append-only. */
@Entity({ tableName: 'refund_event' })
export class RefundEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => RefundRequest, { fieldName: 'refund_request_id' })
  refundRequest!: RefundRequest;

  @Property({ type: 'datetime' })
  at!: Date;

  @Property({ type: 'text', nullable: true })
  fromStatus?: RefundStatus | null;

  @Property({ type: 'text' })
  toStatus!: RefundStatus;

  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: 'text', nullable: true })
  comment?: string | null;

  @Property({ type: 'text', nullable: true })
  providerCode?: string | null;
}
