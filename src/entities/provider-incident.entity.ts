import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Appointment } from './appointment.entity';
import { Registration } from './registration.entity';

export type IncidentKind = 'DISCONNECTION' | 'PROCTOR_UNAVAILABLE' | 'SOFTWARE_FAILURE' | 'OTHER';

/** A ProctorU fault (R-INC-1). Confirmed by the provider, it voids the attempt and opens R-SCH-7 / R-REF-3. */
@Entity({ tableName: 'provider_incident' })
export class ProviderIncident {
  [OptionalProps]?: 'confirmedByProvider';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Registration, { fieldName: 'registration_id' })
  registration!: Registration;

  @ManyToOne(() => Appointment, { fieldName: 'appointment_id' })
  appointment!: Appointment;

  @Property({ type: 'text' })
  kind!: IncidentKind;

  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'text', nullable: true })
  providerReference?: string | null;

  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Property({ type: 'boolean' })
  confirmedByProvider = false;

  @Property({ type: 'datetime', nullable: true })
  confirmedAt?: Date | null;

  @Property({ type: 'text' })
  reportedBy!: string;

  @Property({ type: 'datetime' })
  reportedAt!: Date;
}
