import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from './connection';
import { UserError } from './user-error.type';

@ObjectType('ProctoringProfile')
export class ProctoringProfileType {
  /** Personal data: guarded in the resolver. */
  @Field(() => String, { nullable: true })
  phone?: string | null;

  /** Personal data: guarded in the resolver. */
  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true })
  timeZone?: string | null;

  @Field(() => String, { nullable: true })
  country?: string | null;

  @Field(() => Boolean)
  complete!: boolean;
}

@ObjectType('Learner')
export class LearnerType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  externalId!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  username!: string;

  @Field(() => String)
  givenName!: string;

  @Field(() => String)
  familyName!: string;
}

export const LearnerConnection = ConnectionType('Learner', LearnerType);

@InputType()
export class UpsertLearnerInput {
  @Field(() => String, { description: "The learning platform's account id." })
  externalId!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  username!: string;

  @Field(() => String)
  givenName!: string;

  @Field(() => String)
  familyName!: string;
}

@ObjectType()
export class LearnerPayload {
  @Field(() => LearnerType, { nullable: true })
  learner?: LearnerType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@InputType()
export class SetProctoringProfileInput {
  @Field(() => ID)
  learnerId!: string;

  @Field(() => String)
  phone!: string;

  @Field(() => String)
  address!: string;

  @Field(() => String)
  city!: string;

  @Field(() => String)
  timeZone!: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2.' })
  country!: string;
}
