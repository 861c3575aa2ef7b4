import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { ExamAttempt } from './exam-attempt.entity';
import { FraudCase } from './fraud-case.entity';

/** A legal hold on a case's evidence (R-EVI-4, ADMIN only): while active, the purge skips the attempt's evidence. */
@Entity({ tableName: 'legal_hold' })
export class LegalHold {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => FraudCase, { fieldName: 'case_id' })
  fraudCase!: FraudCase;

  @ManyToOne(() => ExamAttempt, { fieldName: 'attempt_id' })
  attempt!: ExamAttempt;

  @Property({ type: 'text' })
  placedBy!: string;

  @Property({ type: 'datetime' })
  placedAt!: Date;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'text', nullable: true })
  releasedBy?: string | null;

  @Property({ type: 'datetime', nullable: true })
  releasedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  releaseReason?: string | null;
}
