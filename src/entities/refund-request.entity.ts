import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Payment } from './payment.entity';
import { ProviderIncident } from './provider-incident.entity';
import { Registration } from './registration.entity';

export type RefundReason = 'WITHDRAWAL' | 'PROVIDER_TECHNICAL_PROBLEM';
export type RefundStatus = 'SUBMITTED' | 'APPROVED' | 'REJECTED' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'SETTLED_MANUALLY';
export type SettlementMethod = 'BANK_TRANSFER' | 'PAYBOX_BACK_OFFICE';

/**
 * A refund request (R-REF-5..7). At most one per payment reaches SUCCEEDED or SETTLED_MANUALLY and at
 * most one is open at a time (partial unique indexes); the Paybox NUMQUESTION is saved before the call.
 */
@Entity({ tableName: 'refund_request' })
export class RefundRequest {
  [OptionalProps]?: 'status';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Registration, { fieldName: 'registration_id' })
  registration!: Registration;

  @ManyToOne(() => Payment, { fieldName: 'payment_id' })
  payment!: Payment;

  @Property({ type: 'text' })
  reason!: RefundReason;

  @Property({ type: 'text' })
  status: RefundStatus = 'SUBMITTED';

  @Property({ type: 'integer' })
  amountCents!: number;

  /** The NUMTRANS the learner cited (R-REF-5). */
  @Property({ type: 'text' })
  paymentTicket!: string;

  @ManyToOne(() => ProviderIncident, { fieldName: 'incident_id', nullable: true })
  incident?: ProviderIncident | null;

  @Property({ type: 'text' })
  learnerFirstName!: string;

  @Property({ type: 'text' })
  learnerLastName!: string;

  @Property({ type: 'text' })
  username!: string;

  @Property({ type: 'text' })
  email!: string;

  @Property({ type: 'text', nullable: true })
  comment?: string | null;

  @Property({ type: 'text' })
  requestedBy!: string;

  @Property({ type: 'datetime' })
  requestedAt!: Date;

  @Property({ type: 'text', nullable: true })
  decidedBy?: string | null;

  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  decisionComment?: string | null;

  /** Paybox NUMQUESTION of the refund call, committed before the call is made. */
  @Property({ type: 'text', nullable: true })
  providerRequestNumber?: string | null;

  /** Paybox NUMTRANS of the refund. */
  @Property({ type: 'text', nullable: true })
  providerReference?: string | null;

  @Property({ type: 'text', nullable: true })
  providerResponseCode?: string | null;

  @Property({ type: 'text', nullable: true })
  settlementMethod?: SettlementMethod | null;

  @Property({ type: 'text', nullable: true })
  settlementReference?: string | null;

  /** When the money left (SUCCEEDED) or the manual settlement was recorded. */
  @Property({ type: 'datetime', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
