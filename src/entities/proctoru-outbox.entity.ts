import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Appointment } from './appointment.entity';

export type OutboxOp = 'ADD' | 'REMOVE';
export type OutboxStatus = 'PENDING' | 'SENT' | 'FAILED';

/**
 * A call to make at ProctorU, written in the transaction that changed the appointment (m0009). `seq`
 * (database identity, not mapped for writes) orders a registration's rows; the worker claims and
 * updates rows with SQL (services/proctoru-sync.service.ts).
 */
@Entity({ tableName: 'proctoru_outbox' })
export class ProctorUOutbox {
  [OptionalProps]?: 'status' | 'attempts';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Appointment, { fieldName: 'appointment_id' })
  appointment!: Appointment;

  @Property({ type: 'uuid' })
  registrationId!: string;

  @Property({ type: 'text' })
  op!: OutboxOp;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'text' })
  status: OutboxStatus = 'PENDING';

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'datetime' })
  nextAttemptAt!: Date;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null;

  /** The request (or job run) that wrote the row: the worker logs the call under it (m0013). */
  @Property({ type: 'text', nullable: true })
  requestId?: string | null;
}
