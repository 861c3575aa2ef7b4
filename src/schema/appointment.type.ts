import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum AppointmentStatusEnum {
  BOOKED = 'BOOKED',
  RESCHEDULED = 'RESCHEDULED',
  CANCELLED = 'CANCELLED',
  COMPLETED = 'COMPLETED',
  MISSED = 'MISSED',
  PROVIDER_FAULT = 'PROVIDER_FAULT',
}
registerEnumType(AppointmentStatusEnum, { name: 'AppointmentStatus' });

/** Whether ProctorU holds the reservation as we do (issue 12, README "ProctorU integration"). */
export enum ProviderSyncStatusEnum {
  PENDING = 'PENDING',
  SYNCED = 'SYNCED',
  FAILED = 'FAILED',
}
registerEnumType(ProviderSyncStatusEnum, { name: 'ProviderSyncStatus' });

@ObjectType('Slot')
export class SlotType {
  @Field(() => DateTimeScalar)
  startsAt!: Date;

  @Field(() => DateTimeScalar)
  endsAt!: Date;

  @Field(() => String, { description: 'The start as wall-clock time with offset in the requested time zone, e.g. 2017-03-02T16:00:00.000+01:00.' })
  localStart!: string;

  @Field(() => Int)
  remainingCapacity!: number;
}

/** Relations and derived fields (registration, plannedUntil, localStart, status, replacedBy) are field resolvers. */
@ObjectType('Appointment')
export class AppointmentType {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeScalar)
  startsAt!: Date;

  @Field(() => DateTimeScalar)
  endsAt!: Date;

  @Field(() => Boolean)
  priority!: boolean;

  @Field(() => DateTimeScalar)
  bookedAt!: Date;

  @Field(() => String)
  bookedBy!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  cancelledAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was cancelled (a refund, the learner...).' })
  cancellationReason?: string | null;

  @Field(() => ProviderSyncStatusEnum, { nullable: true, description: 'ProctorU reservation state: PENDING until the last change is sent, FAILED (retried, see providerError), SYNCED. Null before the integration.' })
  providerSync?: ProviderSyncStatusEnum | null;

  @Field(() => String, { nullable: true, description: "ProctorU's reservation number." })
  providerReservationNo?: string | null;

  @Field(() => String, { nullable: true, description: 'The last ProctorU failure, while not synced.' })
  providerError?: string | null;
}

@InputType()
export class BookAppointmentInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => DateTimeScalar)
  startsAt!: Date;
}

@InputType()
export class RescheduleAppointmentInput {
  @Field(() => ID)
  appointmentId!: string;

  @Field(() => DateTimeScalar)
  startsAt!: Date;
}

@InputType()
export class CancelAppointmentInput {
  @Field(() => ID)
  appointmentId!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@InputType()
export class BookPriorityAppointmentInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => ID)
  incidentId!: string;

  @Field(() => DateTimeScalar)
  startsAt!: Date;
}

@ObjectType()
export class AppointmentPayload {
  @Field(() => AppointmentType, { nullable: true })
  appointment?: AppointmentType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
