import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Registration } from './registration.entity';

export type AppointmentStatus = 'BOOKED' | 'RESCHEDULED' | 'CANCELLED' | 'COMPLETED' | 'MISSED' | 'PROVIDER_FAULT';

/**
 * A ProctorU appointment (R-SCH). Never deleted: a reschedule marks the old one RESCHEDULED with
 * `replacedBy`, a cancellation CANCELLED (and still counts as booked for R-REF-2).
 */
@Entity({ tableName: 'appointment' })
export class Appointment {
  [OptionalProps]?: 'status' | 'priority';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Registration, { fieldName: 'registration_id' })
  registration!: Registration;

  /** Denormalised from the registration: slot capacity is counted per session and start. */
  @Property({ type: 'uuid' })
  sessionId!: string;

  @Property({ type: 'datetime' })
  startsAt!: Date;

  @Property({ type: 'datetime' })
  endsAt!: Date;

  @Property({ type: 'text' })
  status: AppointmentStatus = 'BOOKED';

  /** A priority rebooking after a provider fault (R-SCH-7). */
  @Property({ type: 'boolean' })
  priority = false;

  /** The confirmed incident a priority appointment answers (one per incident). */
  @Property({ type: 'uuid', nullable: true })
  incidentId?: string | null;

  @Property({ type: 'datetime' })
  bookedAt!: Date;

  @Property({ type: 'text' })
  bookedBy!: string;

  @Property({ type: 'datetime', nullable: true })
  cancelledAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  cancellationReason?: string | null;

  @ManyToOne(() => Appointment, { fieldName: 'replaced_by_id', nullable: true })
  replacedBy?: Appointment | null;

  /** ProctorU reservation state (m0009): PENDING until the outbox has sent the last change; null before the integration. */
  @Property({ type: 'text', nullable: true })
  providerSync?: 'PENDING' | 'SYNCED' | 'FAILED' | null;

  /** ProctorU's reservation number, once added there. */
  @Property({ type: 'text', nullable: true })
  providerReservationNo?: string | null;

  /** The last ProctorU failure for this appointment (cleared when synced). */
  @Property({ type: 'text', nullable: true })
  providerError?: string | null;
}
