import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Registration } from './registration.entity';

export type CardBrand = 'VISA' | 'MASTERCARD' | 'AMEX' | 'CB' | 'OTHER';
export type PaymentStatus = 'PAID' | 'REFUNDED';

/**
 * A Paybox payment (R-PAY-4): one per registration, NUMTRANS unique, refunded amount never above the
 * paid amount (database checks). Recorded by `recordPayment` or the IPN, through one service.
 */
@Entity({ tableName: 'payment' })
export class Payment {
  [OptionalProps]?: 'status' | 'refundedCents' | 'eCarteBleue';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Registration, { fieldName: 'registration_id', unique: 'payment_one_per_registration' })
  registration!: Registration;

  @Property({ type: 'integer' })
  amountCents!: number;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text' })
  cardBrand!: CardBrand;

  /** MMYY as Paybox sends it. */
  @Property({ type: 'text' })
  cardExpiry!: string;

  /** e-Carte Bleue (virtual number): never refunded through Paybox (R-PAY-3). */
  @Property({ type: 'boolean' })
  eCarteBleue = false;

  @Property({ type: 'text' })
  numAppel!: string;

  @Property({ type: 'text', unique: 'payment_num_trans_unique' })
  numTrans!: string;

  @Property({ type: 'text' })
  authorizationNumber!: string;

  @Property({ type: 'datetime' })
  paidAt!: Date;

  @Property({ type: 'text' })
  status: PaymentStatus = 'PAID';

  @Property({ type: 'integer' })
  refundedCents = 0;

  /** `API` (recordPayment) or `IPN` (Paybox notification). */
  @Property({ type: 'text' })
  source!: string;

  @Property({ type: 'datetime' })
  recordedAt!: Date;

  @Property({ type: 'text' })
  recordedBy!: string;
}
