import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { CertificationSession } from './certification-session.entity';
import { ExamAttempt } from './exam-attempt.entity';
import { Registration } from './registration.entity';

export type FraudCaseStatus = 'OPEN' | 'UNDER_REVIEW' | 'CLEARED' | 'FRAUD_CONFIRMED';
export type FraudCaseSource = 'PROCTOR_REPORT' | 'CERTIFICATION_TEAM';

/**
 * A fraud review of one attempt (R-EVI-3): OPEN → UNDER_REVIEW → CLEARED | FRAUD_CONFIRMED. At most one
 * case under way per attempt (partial unique index); a decision is final (trigger). `purgeDeadline` is
 * when the attempt's evidence will be destroyed (R-EVI-5), fixed at opening from the evidence's retention.
 */
@Entity({ tableName: 'fraud_case' })
export class FraudCase {
  [OptionalProps]?: 'status';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => ExamAttempt, { fieldName: 'attempt_id' })
  attempt!: ExamAttempt;

  @ManyToOne(() => Registration, { fieldName: 'registration_id' })
  registration!: Registration;

  @ManyToOne(() => CertificationSession, { fieldName: 'session_id' })
  session!: CertificationSession;

  @Property({ type: 'text' })
  status: FraudCaseStatus = 'OPEN';

  @Property({ type: 'text' })
  source!: FraudCaseSource;

  @Property({ type: 'text' })
  summary!: string;

  @Property({ type: 'text' })
  openedBy!: string;

  @Property({ type: 'datetime' })
  openedAt!: Date;

  @Property({ type: 'datetime' })
  purgeDeadline!: Date;

  @Property({ type: 'text', nullable: true })
  reviewer?: string | null;

  @Property({ type: 'datetime', nullable: true })
  reviewStartedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  decidedBy?: string | null;

  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  decisionReason?: string | null;
}
