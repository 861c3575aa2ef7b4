import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { type AttemptEndedBy, type AttemptStatus, type PartStatus } from '../domain/attempt-state';
import { Appointment } from './appointment.entity';
import { Registration } from './registration.entity';

/** One part's answers as last saved (DRAFT) or finally checked (SUBMITTED). */
export interface AttemptPartState {
  status: PartStatus;
  answers: number[][] | null;
  savedAt: string | null;
  submittedAt: string | null;
}

/**
 * An exam attempt (R-EXA). One per appointment and at most one not VOIDED per registration: both are
 * database constraints (R-EXA-6). Parts live in one jsonb column of the row, so every write to an
 * attempt (a draft, a final check, the timeout) is a conditional update of this one row.
 */
@Entity({ tableName: 'exam_attempt' })
export class ExamAttempt {
  [OptionalProps]?: 'status';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Registration, { fieldName: 'registration_id' })
  registration!: Registration;

  @ManyToOne(() => Appointment, { fieldName: 'appointment_id' })
  appointment!: Appointment;

  @Property({ type: 'uuid' })
  sessionId!: string;

  @Property({ type: 'text' })
  status: AttemptStatus = 'READY';

  @Property({ type: 'text', nullable: true })
  endedBy?: AttemptEndedBy | null;

  /** The exam duration when unlocked (R-EXA-1: 30 minutes). */
  @Property({ type: 'integer' })
  durationMinutes!: number;

  @Property({ type: 'datetime' })
  unlockedAt!: Date;

  @Property({ type: 'text' })
  unlockedBy!: string;

  @Property({ type: 'datetime', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  deadline?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  submittedAt?: Date | null;

  @Property({ type: 'json' })
  parts!: AttemptPartState[];

  @Property({ type: 'datetime', nullable: true })
  voidedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  voidReason?: string | null;

  /** When COMPUTE_RESULTS graded it (its result row exists from then on). */
  @Property({ type: 'datetime', nullable: true })
  gradedAt?: Date | null;
}
