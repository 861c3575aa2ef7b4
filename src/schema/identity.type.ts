import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { RoleEnum, ViewerKindEnum } from './enums';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';
import { LearnerType } from './learner.type';

@ObjectType('Viewer')
export class ViewerType {
  @Field(() => ViewerKindEnum)
  kind!: ViewerKindEnum;

  @Field(() => ID, { nullable: true })
  id?: string | null;

  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => [RoleEnum])
  roles!: RoleEnum[];

  @Field(() => LearnerType, { nullable: true })
  learner?: LearnerType | null;
}

@ObjectType('StaffUser')
export class StaffUserType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [RoleEnum])
  roles!: RoleEnum[];

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@InputType()
export class LoginInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}

@ObjectType()
export class LoginPayload {
  @Field(() => String, { nullable: true })
  token?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => ViewerType, { nullable: true })
  viewer?: ViewerType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@InputType()
export class CreateStaffUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String)
  password!: string;

  @Field(() => [RoleEnum])
  roles!: RoleEnum[];
}

@ObjectType()
export class StaffUserPayload {
  @Field(() => StaffUserType, { nullable: true })
  staffUser?: StaffUserType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => String)
  name!: string;

  @Field(() => [RoleEnum])
  roles!: RoleEnum[];
}

@ObjectType({ description: 'The token is shown once, in this payload only.' })
export class ApiTokenPayload {
  @Field(() => String, { nullable: true })
  token?: string | null;

  @Field(() => [UserError])
  errors!: UserError[];
}

@ObjectType()
export class LearnerTokenPayload {
  @Field(() => String, { nullable: true })
  token?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
