import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from './connection';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum CardBrandEnum {
  VISA = 'VISA',
  MASTERCARD = 'MASTERCARD',
  AMEX = 'AMEX',
  CB = 'CB',
  OTHER = 'OTHER',
}
registerEnumType(CardBrandEnum, { name: 'CardBrand' });

export enum PaymentStatusEnum {
  PAID = 'PAID',
  REFUNDED = 'REFUNDED',
}
registerEnumType(PaymentStatusEnum, { name: 'PaymentStatus' });

/**
 * A Paybox payment (R-PAY-4). Card data (`cardExpiry`, `eCarteBleue`, `authorizationNumber`) is
 * guarded field by field in the resolver: PAYMENTS, INTEGRATION and ADMIN only (SUPPORT reads
 * everything except payment card data). `registration` is a field resolver.
 */
@ObjectType('Payment')
export class PaymentType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  amountCents!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => CardBrandEnum)
  cardBrand!: CardBrandEnum;

  @Field(() => String)
  numAppel!: string;

  @Field(() => String, { description: 'The Paybox transaction ticket the learner keeps (R-PAY-5).' })
  numTrans!: string;

  @Field(() => DateTimeScalar)
  paidAt!: Date;

  @Field(() => PaymentStatusEnum)
  status!: PaymentStatusEnum;

  @Field(() => Int)
  refundedCents!: number;

  @Field(() => String, { description: '`API` (recordPayment) or `IPN` (Paybox notification).' })
  source!: string;

  @Field(() => DateTimeScalar)
  recordedAt!: Date;
}

export const PaymentConnection = ConnectionType('Payment', PaymentType);

@InputType()
export class PaymentFilter {
  @Field(() => ID, { nullable: true })
  sessionId?: string | null;

  @Field(() => PaymentStatusEnum, { nullable: true })
  status?: PaymentStatusEnum | null;

  @Field(() => DateTimeScalar, { nullable: true })
  paidFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  paidTo?: Date | null;
}

@InputType()
export class RecordPaymentInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => Int)
  amountCents!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => CardBrandEnum)
  cardBrand!: CardBrandEnum;

  @Field(() => String)
  cardExpiry!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  eCarteBleue?: boolean | null;

  @Field(() => String)
  numAppel!: string;

  @Field(() => String)
  numTrans!: string;

  @Field(() => String)
  authorizationNumber!: string;

  @Field(() => DateTimeScalar)
  paidAt!: Date;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType()
export class PaymentPayload {
  @Field(() => PaymentType, { nullable: true })
  payment?: PaymentType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
