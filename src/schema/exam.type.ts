import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CertificationSessionType } from './certification-session.type';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum AttemptStatusEnum {
  READY = 'READY',
  STARTED = 'STARTED',
  SUBMITTED = 'SUBMITTED',
  VOIDED = 'VOIDED',
}
registerEnumType(AttemptStatusEnum, { name: 'AttemptStatus' });

export enum AttemptEndedByEnum {
  LEARNER = 'LEARNER',
  TIMEOUT = 'TIMEOUT',
}
registerEnumType(AttemptEndedByEnum, { name: 'AttemptEndedBy' });

export enum AttemptPartStatusEnum {
  NOT_ANSWERED = 'NOT_ANSWERED',
  DRAFT = 'DRAFT',
  SUBMITTED = 'SUBMITTED',
}
registerEnumType(AttemptPartStatusEnum, { name: 'AttemptPartStatus' });

export enum ResultStatusEnum {
  PENDING = 'PENDING',
  PUBLISHED = 'PUBLISHED',
  VOIDED = 'VOIDED',
}
registerEnumType(ResultStatusEnum, { name: 'ResultStatus' });

// ---------------------------------------------------------------------------------------------
// setExamContent (R-EXA-1, R-EXA-2)

@InputType()
export class ExamQuestionInput {
  @Field(() => String)
  prompt!: string;

  @Field(() => [String])
  choices!: string[];

  @Field(() => [Int], { description: 'Indexes into choices; a question is right when exactly this set is chosen.' })
  correctChoices!: number[];
}

@InputType()
export class ExamPartInput {
  @Field(() => String)
  title!: string;

  @Field(() => [ExamQuestionInput])
  questions!: ExamQuestionInput[];
}

@InputType()
export class SetExamContentInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => [ExamPartInput], { description: 'Exactly 3 parts of 10 questions (R-EXA-1).' })
  parts!: ExamPartInput[];

  @Field(() => String, { description: 'Known only to proctors; stored hashed (R-EXA-2).' })
  proctorPassword!: string;
}

@ObjectType()
export class SetExamContentPayload {
  @Field(() => CertificationSessionType, { nullable: true })
  session?: CertificationSessionType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

// ---------------------------------------------------------------------------------------------
// Attempts (R-EXA-2..4): learners never see correct answers (no type here carries them).

@ObjectType('ExamQuestion')
export class ExamQuestionType {
  @Field(() => Int)
  number!: number;

  @Field(() => String)
  prompt!: string;

  @Field(() => [String])
  choices!: string[];
}

@ObjectType('AttemptPart')
export class AttemptPartType {
  @Field(() => Int)
  number!: number;

  @Field(() => String)
  title!: string;

  @Field(() => AttemptPartStatusEnum)
  status!: AttemptPartStatusEnum;

  @Field(() => [ExamQuestionType])
  questions!: ExamQuestionType[];

  @Field(() => [[Int]], { nullable: true, description: 'Chosen choice indexes per question, as last saved or submitted.' })
  answers?: number[][] | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the part was last saved as a draft or finally checked.' })
  savedAt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  submittedAt?: Date | null;
}

/** Status, times and parts are field resolvers: they read the clock (a timed-out attempt shows ended). */
@ObjectType('Attempt')
export class AttemptType {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeScalar)
  unlockedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  deadline?: Date | null;

  @Field(() => String, { nullable: true })
  voidReason?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  voidedAt?: Date | null;
}

@InputType()
export class UnlockExamInput {
  @Field(() => ID)
  appointmentId!: string;

  @Field(() => String)
  proctorPassword!: string;
}

@InputType()
export class SaveAnswersInput {
  @Field(() => ID)
  attemptId!: string;

  @Field(() => Int, { description: '1, 2 or 3.' })
  part!: number;

  @Field(() => [[Int]], { description: 'One list of chosen choice indexes per question of the part (10 lists).' })
  answers!: number[][];
}

@ObjectType()
export class AttemptPayload {
  @Field(() => AttemptType, { nullable: true })
  attempt?: AttemptType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

// ---------------------------------------------------------------------------------------------
// Results (R-RES)

@ObjectType('Result')
export class ResultType {
  @Field(() => ID)
  id!: string;

  @Field(() => [Int])
  partScores!: number[];

  @Field(() => Int)
  totalScore!: number;

  @Field(() => Int)
  maxScore!: number;

  @Field(() => Float)
  percent!: number;

  @Field(() => Boolean)
  passed!: boolean;

  @Field(() => ResultStatusEnum)
  status!: ResultStatusEnum;

  @Field(() => DateTimeScalar)
  computedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  publishedAt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  voidedAt?: Date | null;
}
