import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from './connection';
import { DateTimeScalar, JSONScalar } from './scalars';

@ObjectType('AuditEvent')
export class AuditEventType {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => String)
  actor!: string;

  @Field(() => String)
  action!: string;

  @Field(() => String)
  subjectType!: string;

  @Field(() => String)
  subjectId!: string;

  @Field(() => JSONScalar, { nullable: true })
  details?: unknown;

  @Field(() => String, { nullable: true, description: 'The request that caused it (also in the server log).' })
  requestId?: string | null;
}

export const AuditEventConnection = ConnectionType('AuditEvent', AuditEventType);

@InputType()
export class AuditEventFilter {
  @Field(() => String, { nullable: true }) subjectId?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => String, { nullable: true }) actor?: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) from?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) to?: Date | null;
}
