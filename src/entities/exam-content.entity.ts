import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type ExamPartView } from '../domain/exam-content';
import { type AnswerKey } from '../domain/grading';

/**
 * A session's exam (R-EXA-1): 3 parts of 10 questions. The questions learners see and the answer key
 * are separate columns, so no query that serves learners can carry a correct answer. The proctor
 * password is stored as an argon2id hash (R-EXA-2). Frozen once any attempt exists for the session.
 */
@Entity({ tableName: 'exam_content' })
export class ExamContent {
  @PrimaryKey({ type: 'uuid' })
  sessionId!: string;

  @Property({ type: 'json' })
  parts!: ExamPartView[];

  /** Sorted correct choice indexes per part, per question. */
  @Property({ type: 'json', lazy: true })
  answerKey!: AnswerKey;

  @Property({ type: 'text', lazy: true })
  proctorPasswordHash!: string;

  @Property({ type: 'datetime' })
  updatedAt!: Date;

  @Property({ type: 'text' })
  updatedBy!: string;
}
