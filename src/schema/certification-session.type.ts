import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from './connection';
import { WeekdayEnum } from './enums';
import { DateScalar, DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

@ObjectType('CertificationSession')
export class CertificationSessionType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  courseTitle!: string;

  @Field(() => String)
  courseCode!: string;

  @Field(() => String)
  university!: string;

  @Field(() => DateScalar)
  courseStartDate!: string;

  @Field(() => Int)
  priceCents!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => DateScalar)
  examPeriodStart!: string;

  @Field(() => DateScalar)
  examPeriodEnd!: string;

  @Field(() => String, { description: 'Local wall-clock time, HH:mm.' })
  dailyStart!: string;

  @Field(() => String)
  dailyEnd!: string;

  @Field(() => [WeekdayEnum])
  excludedWeekdays!: WeekdayEnum[];

  @Field(() => String)
  timeZone!: string;

  @Field(() => Int)
  examDurationMinutes!: number;

  @Field(() => Int)
  slotStepMinutes!: number;

  @Field(() => Int)
  bookingLeadHours!: number;

  @Field(() => Int)
  slotCapacity!: number;

  @Field(() => DateTimeScalar)
  certificateDeadline!: Date;

  @Field(() => Int)
  evidenceRetentionDays!: number;

  @Field(() => Int)
  passMarkPercent!: number;
}

export const CertificationSessionConnection = ConnectionType('CertificationSession', CertificationSessionType);

@InputType()
export class CreateCertificationSessionInput {
  @Field(() => String) courseTitle!: string;
  @Field(() => String) courseCode!: string;
  @Field(() => String) university!: string;
  @Field(() => DateScalar) courseStartDate!: string;
  @Field(() => Int) priceCents!: number;
  @Field(() => String) currency!: string;
  @Field(() => DateScalar) examPeriodStart!: string;
  @Field(() => DateScalar) examPeriodEnd!: string;
  @Field(() => String) dailyStart!: string;
  @Field(() => String) dailyEnd!: string;
  @Field(() => [WeekdayEnum]) excludedWeekdays!: WeekdayEnum[];
  @Field(() => String) timeZone!: string;
  @Field(() => Int) examDurationMinutes!: number;
  @Field(() => Int) slotStepMinutes!: number;
  @Field(() => Int) bookingLeadHours!: number;
  @Field(() => Int) slotCapacity!: number;
  @Field(() => DateTimeScalar) certificateDeadline!: Date;
  @Field(() => Int) evidenceRetentionDays!: number;
  @Field(() => Int) passMarkPercent!: number;
}

@ObjectType()
export class CertificationSessionPayload {
  @Field(() => CertificationSessionType, { nullable: true })
  session?: CertificationSessionType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
