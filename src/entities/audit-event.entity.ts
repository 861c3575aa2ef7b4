import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** R-SEC-2: one row per state change or view of personal data/evidence. Append-only (trigger). */
@Entity({ tableName: 'audit_event' })
export class AuditEvent {
  /** bigint identity: gives a total order for the log; read as a string. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Domain instant of the event (the clock). */
  @Property({ type: 'datetime' })
  at!: Date;

  /** Wall-clock instant the row was written (database time). */
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  recordedAt?: Date;

  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text' })
  subjectType!: string;

  @Property({ type: 'text' })
  subjectId!: string;

  @Property({ type: 'json', nullable: true })
  details?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  requestId?: string | null;
}
