import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from './connection';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum RefundReasonEnum {
  WITHDRAWAL = 'WITHDRAWAL',
  PROVIDER_TECHNICAL_PROBLEM = 'PROVIDER_TECHNICAL_PROBLEM',
}
registerEnumType(RefundReasonEnum, { name: 'RefundReason' });

export enum RefundStatusEnum {
  SUBMITTED = 'SUBMITTED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  PROCESSING = 'PROCESSING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  SETTLED_MANUALLY = 'SETTLED_MANUALLY',
}
registerEnumType(RefundStatusEnum, { name: 'RefundStatus' });

export enum RefundBlockerEnum {
  NOT_PAID = 'NOT_PAID',
  WITHDRAWAL_PERIOD_OVER = 'WITHDRAWAL_PERIOD_OVER',
  APPOINTMENT_ALREADY_BOOKED = 'APPOINTMENT_ALREADY_BOOKED',
  NO_CONFIRMED_PROVIDER_INCIDENT = 'NO_CONFIRMED_PROVIDER_INCIDENT',
  CERTIFICATE_ALREADY_ISSUED = 'CERTIFICATE_ALREADY_ISSUED',
  ALREADY_REFUNDED = 'ALREADY_REFUNDED',
  REFUND_IN_PROGRESS = 'REFUND_IN_PROGRESS',
}
registerEnumType(RefundBlockerEnum, { name: 'RefundBlocker' });

export enum SettlementMethodEnum {
  BANK_TRANSFER = 'BANK_TRANSFER',
  PAYBOX_BACK_OFFICE = 'PAYBOX_BACK_OFFICE',
}
registerEnumType(SettlementMethodEnum, { name: 'SettlementMethod' });

@ObjectType('RefundEligibility')
export class RefundEligibilityType {
  @Field(() => Boolean)
  eligible!: boolean;

  @Field(() => RefundReasonEnum, { nullable: true, description: 'The rule under which a refund is possible now, when eligible.' })
  reason?: RefundReasonEnum | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'End of the legal withdrawal period (R-REF-1), when paid.' })
  withdrawalDeadline?: Date | null;

  @Field(() => [RefundBlockerEnum])
  blockers!: RefundBlockerEnum[];
}

@ObjectType('RefundEvent')
export class RefundEventType {
  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => RefundStatusEnum, { nullable: true })
  fromStatus?: RefundStatusEnum | null;

  @Field(() => RefundStatusEnum)
  toStatus!: RefundStatusEnum;

  @Field(() => String)
  actor!: string;

  @Field(() => String, { nullable: true })
  comment?: string | null;

  @Field(() => String, { nullable: true })
  providerCode?: string | null;
}

/** Relations (registration, payment, incident, events) are field resolvers (refund.resolver.ts). */
@ObjectType('RefundRequest')
export class RefundRequestType {
  @Field(() => ID)
  id!: string;

  @Field(() => RefundReasonEnum)
  reason!: RefundReasonEnum;

  @Field(() => RefundStatusEnum)
  status!: RefundStatusEnum;

  @Field(() => Int)
  amountCents!: number;

  @Field(() => String)
  paymentTicket!: string;

  @Field(() => String, { description: 'As given in the request (R-REF-5).' })
  learnerFirstName!: string;

  @Field(() => String)
  learnerLastName!: string;

  @Field(() => String)
  username!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String, { nullable: true, description: "The requester's comment." })
  comment?: string | null;

  @Field(() => String)
  requestedBy!: string;

  @Field(() => DateTimeScalar)
  requestedAt!: Date;

  @Field(() => String, { nullable: true })
  decidedBy?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt?: Date | null;

  @Field(() => String, { nullable: true })
  decisionComment?: string | null;

  @Field(() => String, { nullable: true, description: 'Paybox NUMQUESTION used for the refund call, saved before the call.' })
  providerRequestNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'Paybox NUMTRANS of the refund.' })
  providerReference?: string | null;

  @Field(() => String, { nullable: true })
  providerResponseCode?: string | null;

  @Field(() => SettlementMethodEnum, { nullable: true })
  settlementMethod?: SettlementMethodEnum | null;

  @Field(() => String, { nullable: true })
  settlementReference?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the money left (SUCCEEDED) or the manual settlement was recorded.' })
  completedAt?: Date | null;
}

export const RefundRequestConnection = ConnectionType('RefundRequest', RefundRequestType);

@InputType()
export class RefundRequestFilter {
  @Field(() => RefundStatusEnum, { nullable: true })
  status?: RefundStatusEnum | null;

  @Field(() => RefundReasonEnum, { nullable: true })
  reason?: RefundReasonEnum | null;

  @Field(() => ID, { nullable: true })
  sessionId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Everything not final.' })
  needsAction?: boolean | null;
}

@InputType()
export class RequestRefundInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => RefundReasonEnum)
  reason!: RefundReasonEnum;

  @Field(() => String, { description: 'The Paybox transaction ticket (NUMTRANS) the learner kept (R-REF-5).' })
  paymentTicket!: string;

  @Field(() => String)
  learnerFirstName!: string;

  @Field(() => String)
  learnerLastName!: string;

  @Field(() => String)
  username!: string;

  @Field(() => String)
  email!: string;

  @Field(() => ID, { nullable: true })
  incidentId?: string | null;

  @Field(() => String, { nullable: true })
  comment?: string | null;

  @Field(() => String)
  idempotencyKey!: string;
}

@InputType()
export class DecideRefundInput {
  @Field(() => ID)
  refundRequestId!: string;

  @Field(() => String)
  comment!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@InputType()
export class ExecuteRefundInput {
  @Field(() => ID)
  refundRequestId!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@InputType()
export class SettleRefundManuallyInput {
  @Field(() => ID)
  refundRequestId!: string;

  @Field(() => SettlementMethodEnum)
  method!: SettlementMethodEnum;

  @Field(() => String)
  reference!: string;

  @Field(() => String)
  comment!: string;
}

@ObjectType()
export class RefundRequestPayload {
  @Field(() => RefundRequestType, { nullable: true })
  refundRequest?: RefundRequestType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
