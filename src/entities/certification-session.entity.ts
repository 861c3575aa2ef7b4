import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type Weekday } from '../domain/roles';

/** The offer (R-SES-1). Calendar days are `YYYY-MM-DD`, wall-clock times `HH:mm`, both in `timeZone`. */
@Entity({ tableName: 'certification_session' })
export class CertificationSession {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  courseTitle!: string;

  @Property({ type: 'text' })
  courseCode!: string;

  @Property({ type: 'text' })
  university!: string;

  @Property({ type: 'date' })
  courseStartDate!: string;

  @Property({ type: 'integer' })
  priceCents!: number;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'date' })
  examPeriodStart!: string;

  @Property({ type: 'date' })
  examPeriodEnd!: string;

  @Property({ type: 'text' })
  dailyStart!: string;

  @Property({ type: 'text' })
  dailyEnd!: string;

  @Property({ type: ArrayType })
  excludedWeekdays: Weekday[] = [];

  @Property({ type: 'text' })
  timeZone!: string;

  @Property({ type: 'integer' })
  examDurationMinutes!: number;

  @Property({ type: 'integer' })
  slotStepMinutes!: number;

  @Property({ type: 'integer' })
  bookingLeadHours!: number;

  @Property({ type: 'integer' })
  slotCapacity!: number;

  @Property({ type: 'datetime' })
  certificateDeadline!: Date;

  @Property({ type: 'integer' })
  evidenceRetentionDays!: number;

  @Property({ type: 'integer' })
  passMarkPercent!: number;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'text' })
  createdBy!: string;
}
