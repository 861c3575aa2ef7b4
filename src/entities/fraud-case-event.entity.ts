import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One step in a fraud case's history (append-only): opening, review, decision, legal hold placed or released. */
@Entity({ tableName: 'fraud_case_event' })
export class FraudCaseEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  caseId!: string;

  @Property({ type: 'datetime' })
  at!: Date;

  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text', nullable: true })
  fromStatus?: string | null;

  @Property({ type: 'text', nullable: true })
  toStatus?: string | null;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;
}
