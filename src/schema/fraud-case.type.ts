import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from './connection';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum FraudCaseStatusEnum {
  OPEN = 'OPEN',
  UNDER_REVIEW = 'UNDER_REVIEW',
  CLEARED = 'CLEARED',
  FRAUD_CONFIRMED = 'FRAUD_CONFIRMED',
}
registerEnumType(FraudCaseStatusEnum, { name: 'FraudCaseStatus' });

export enum FraudCaseSourceEnum {
  PROCTOR_REPORT = 'PROCTOR_REPORT',
  CERTIFICATION_TEAM = 'CERTIFICATION_TEAM',
}
registerEnumType(FraudCaseSourceEnum, { name: 'FraudCaseSource' });

@ObjectType('LegalHold', { description: 'R-EVI-4: defers the purge of a case’s evidence while active (releasedAt null).' })
export class LegalHoldType {
  @Field(() => String)
  placedBy!: string;

  @Field(() => DateTimeScalar)
  placedAt!: Date;

  @Field(() => String)
  reason!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  releasedAt?: Date | null;

  @Field(() => String, { nullable: true })
  releasedBy?: string | null;

  @Field(() => String, { nullable: true })
  releaseReason?: string | null;
}

@ObjectType('FraudCaseEvent', { description: 'One step of a case’s history: opened, a status change, a legal hold placed or released.' })
export class FraudCaseEventType {
  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => String)
  actor!: string;

  @Field(() => String, { description: 'OPENED, UNDER_REVIEW, CLEARED, FRAUD_CONFIRMED, LEGAL_HOLD_PLACED, LEGAL_HOLD_RELEASED.' })
  action!: string;

  @Field(() => FraudCaseStatusEnum, { nullable: true })
  fromStatus?: FraudCaseStatusEnum | null;

  @Field(() => FraudCaseStatusEnum, { nullable: true })
  toStatus?: FraudCaseStatusEnum | null;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

/** Relations (attempt, registration, legal holds, history, evidence) are field resolvers (fraud-case.resolver.ts). */
@ObjectType('FraudCase')
export class FraudCaseType {
  @Field(() => ID)
  id!: string;

  @Field(() => FraudCaseStatusEnum)
  status!: FraudCaseStatusEnum;

  @Field(() => FraudCaseSourceEnum)
  source!: FraudCaseSourceEnum;

  @Field(() => String)
  summary!: string;

  @Field(() => String)
  openedBy!: string;

  @Field(() => DateTimeScalar)
  openedAt!: Date;

  @Field(() => String, { nullable: true, description: 'Who started the review.' })
  reviewer?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  reviewStartedAt?: Date | null;

  @Field(() => String, { nullable: true })
  decidedBy?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt?: Date | null;

  @Field(() => String, { nullable: true })
  decisionReason?: string | null;

  @Field(() => DateTimeScalar, { description: 'When the evidence of this attempt will be destroyed (R-EVI-5).' })
  purgeDeadline!: Date;
}

export const FraudCaseConnection = ConnectionType('FraudCase', FraudCaseType);

@InputType()
export class FraudCaseFilter {
  @Field(() => FraudCaseStatusEnum, { nullable: true })
  status?: FraudCaseStatusEnum | null;

  @Field(() => ID, { nullable: true })
  sessionId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'OPEN and UNDER_REVIEW only, ordered by purgeDeadline.' })
  open?: boolean | null;
}

@InputType()
export class OpenFraudCaseInput {
  @Field(() => ID)
  attemptId!: string;

  @Field(() => FraudCaseSourceEnum)
  source!: FraudCaseSourceEnum;

  @Field(() => String)
  summary!: string;
}

@InputType()
export class DecideFraudCaseInput {
  @Field(() => ID)
  caseId!: string;

  @Field(() => FraudCaseStatusEnum, { description: 'CLEARED or FRAUD_CONFIRMED.' })
  outcome!: FraudCaseStatusEnum;

  @Field(() => String)
  reason!: string;
}

@InputType()
export class LegalHoldInput {
  @Field(() => ID)
  caseId!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType()
export class FraudCasePayload {
  @Field(() => FraudCaseType, { nullable: true })
  fraudCase?: FraudCaseType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
