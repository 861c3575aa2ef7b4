import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { ExamAttempt } from './exam-attempt.entity';

export type ResultStatus = 'PENDING' | 'PUBLISHED' | 'VOIDED';

/**
 * The grade of an ended attempt (R-RES-1): one per attempt (unique); its registration is the attempt's. Computed by COMPUTE_RESULTS,
 * published when no fraud review is open (R-RES-2). A published result never changes except to VOIDED
 * (a trigger refuses any other update).
 */
@Entity({ tableName: 'exam_result' })
export class ExamResult {
  [OptionalProps]?: 'status';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => ExamAttempt, { fieldName: 'attempt_id', unique: 'exam_result_one_per_attempt' })
  attempt!: ExamAttempt;

  @Property({ type: new ArrayType<number>((i) => Number(i)), columnType: 'int[]' })
  partScores!: number[];

  @Property({ type: 'integer' })
  totalScore!: number;

  @Property({ type: 'integer' })
  maxScore!: number;

  @Property({ type: 'double' })
  percent!: number;

  @Property({ type: 'boolean' })
  passed!: boolean;

  @Property({ type: 'text' })
  status: ResultStatus = 'PENDING';

  @Property({ type: 'datetime' })
  computedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  publishedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  voidedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  voidReason?: string | null;
}
