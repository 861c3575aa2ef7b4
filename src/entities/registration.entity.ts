import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { type RegistrationStatus } from '../domain/registration';
import { CertificationSession } from './certification-session.entity';
import { Learner } from './learner.entity';

/**
 * A learner's registration to a certification session (R-REG). One per learner and session
 * (R-REG-6, unique). The locked name is a copy, frozen by a trigger once locked (R-REG-2).
 */
@Entity({ tableName: 'registration' })
@Unique({ name: 'registration_one_per_learner_session', properties: ['learner', 'session'] })
export class Registration {
  [OptionalProps]?: 'status' | 'dunExempt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => CertificationSession, { fieldName: 'session_id' })
  @Index({ name: 'registration_session' })
  session!: CertificationSession;

  @ManyToOne(() => Learner, { fieldName: 'learner_id' })
  learner!: Learner;

  @Property({ type: 'text' })
  status: RegistrationStatus = 'IN_PROGRESS';

  @Property({ type: 'boolean' })
  dunExempt = false;

  @Property({ type: 'datetime', nullable: true })
  requirementsAcknowledgedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  termsVersion?: string | null;

  @Property({ type: 'datetime', nullable: true })
  termsAcceptedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  lockedGivenName?: string | null;

  @Property({ type: 'text', nullable: true })
  lockedFamilyName?: string | null;

  @Property({ type: 'datetime', nullable: true })
  nameLockedAt?: Date | null;

  /** Set when the payment is recorded (R-PAY); the payment row itself is the record. */
  @Property({ type: 'datetime', nullable: true })
  paidAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  cancelledAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  cancellationReason?: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'text' })
  createdBy!: string;
}
