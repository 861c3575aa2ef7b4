import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from './connection';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum RegistrationStatusEnum {
  IN_PROGRESS = 'IN_PROGRESS',
  ACTIVE = 'ACTIVE',
  CANCELLED = 'CANCELLED',
}
registerEnumType(RegistrationStatusEnum, { name: 'RegistrationStatus' });

export enum RegistrationStepEnum {
  ACKNOWLEDGE_REQUIREMENTS = 'ACKNOWLEDGE_REQUIREMENTS',
  ACCEPT_TERMS = 'ACCEPT_TERMS',
  LOCK_NAME = 'LOCK_NAME',
  PAY = 'PAY',
  DONE = 'DONE',
}
registerEnumType(RegistrationStepEnum, { name: 'RegistrationStep' });

/** Relations (session, learner, payment, appointments, ...) are field resolvers, each in its resolver. */
@ObjectType('Registration')
export class RegistrationType {
  @Field(() => ID)
  id!: string;

  @Field(() => RegistrationStatusEnum)
  status!: RegistrationStatusEnum;

  @Field(() => Boolean)
  dunExempt!: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  requirementsAcknowledgedAt?: Date | null;

  @Field(() => String, { nullable: true })
  termsVersion?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  termsAcceptedAt?: Date | null;

  @Field(() => String, { nullable: true })
  lockedGivenName?: string | null;

  @Field(() => String, { nullable: true })
  lockedFamilyName?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  nameLockedAt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the registration was cancelled (e.g. by a successful refund, R-REF-8).' })
  cancelledAt?: Date | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

export const RegistrationConnection = ConnectionType('Registration', RegistrationType);

@InputType()
export class RegistrationFilter {
  @Field(() => ID, { nullable: true })
  sessionId?: string | null;

  @Field(() => RegistrationStatusEnum, { nullable: true })
  status?: RegistrationStatusEnum | null;

  @Field(() => String, { nullable: true, description: 'Matches learner e-mail, user name, given or family name, external id (R-SUP-1).' })
  search?: string | null;
}

@InputType()
export class StartRegistrationInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID)
  learnerId!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  dunEnrolled?: boolean | null;
}

@InputType()
export class AcceptTermsInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => String)
  termsVersion!: string;
}

@InputType()
export class LockNameInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => String)
  givenName!: string;

  @Field(() => String)
  familyName!: string;
}

@ObjectType()
export class RegistrationPayload {
  @Field(() => RegistrationType, { nullable: true })
  registration?: RegistrationType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

