import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from './connection';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum IncidentKindEnum {
  DISCONNECTION = 'DISCONNECTION',
  PROCTOR_UNAVAILABLE = 'PROCTOR_UNAVAILABLE',
  SOFTWARE_FAILURE = 'SOFTWARE_FAILURE',
  OTHER = 'OTHER',
}
registerEnumType(IncidentKindEnum, { name: 'IncidentKind' });

/** Relations (registration, appointment) and priorityRebookingAvailable are field resolvers. */
@ObjectType('ProviderIncident')
export class ProviderIncidentType {
  @Field(() => ID)
  id!: string;

  @Field(() => IncidentKindEnum)
  kind!: IncidentKindEnum;

  @Field(() => String)
  description!: string;

  @Field(() => String, { nullable: true })
  providerReference?: string | null;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;

  @Field(() => Boolean)
  confirmedByProvider!: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  confirmedAt?: Date | null;

  @Field(() => String)
  reportedBy!: string;

  @Field(() => DateTimeScalar)
  reportedAt!: Date;
}

export const ProviderIncidentConnection = ConnectionType('ProviderIncident', ProviderIncidentType);

@InputType()
export class ReportProviderIncidentInput {
  @Field(() => ID)
  appointmentId!: string;

  @Field(() => IncidentKindEnum)
  kind!: IncidentKindEnum;

  @Field(() => String)
  description!: string;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;

  @Field(() => String, { nullable: true })
  providerReference?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  confirmedByProvider?: boolean | null;
}

@InputType()
export class ConfirmProviderIncidentInput {
  @Field(() => ID)
  incidentId!: string;

  @Field(() => String)
  providerReference!: string;
}

@ObjectType()
export class ProviderIncidentPayload {
  @Field(() => ProviderIncidentType, { nullable: true })
  incident?: ProviderIncidentType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
