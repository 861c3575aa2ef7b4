import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type Payment, type Registration } from '../entities';
import { PaymentConnection, PaymentFilter, PaymentPayload, PaymentType, RecordPaymentInput } from '../schema/payment.type';
import { RegistrationType } from '../schema/registration.type';
import { REGISTRATION_PAYMENT_READERS } from './field-roles';
import { payload } from './payload';

/** Card data: PAYMENTS, INTEGRATION (and ADMIN). SUPPORT reads everything except payment card data (SPEC roles). */
const CARD_DATA_READERS = ['PAYMENTS', 'INTEGRATION'] as const;

@Resolver(() => PaymentType)
export class PaymentResolver {
  @Authorized('PAYMENTS', 'SUPPORT')
  @Query(() => PaymentConnection)
  payments(
    @Ctx() ctx: Context,
    @Arg('filter', () => PaymentFilter, { nullable: true }) filter?: PaymentFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.payments.list(ctx, filter ?? {}, { first, after });
  }

  /** A learner reads their own payment (the ticket they must keep, R-PAY-5); others' look absent. */
  @Authorized('PAYMENTS', 'SUPPORT', 'INTEGRATION', 'LEARNER')
  @Query(() => PaymentType, { nullable: true })
  payment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.payments.get(ctx, id);
  }

  @Authorized('INTEGRATION')
  @Mutation(() => PaymentPayload)
  recordPayment(@Arg('input', () => RecordPaymentInput) input: RecordPaymentInput, @Ctx() ctx: Context) {
    return payload('payment', () => ctx.services.payments.record(ctx, input));
  }

  @FieldResolver(() => RegistrationType)
  registration(@Root() p: Payment, @Ctx() ctx: Context) {
    return ctx.loaders.registration.load(p.registration.id);
  }

  @Authorized(...CARD_DATA_READERS)
  @FieldResolver(() => String, { description: 'MMYY as Paybox sends it. Card data: PAYMENTS, INTEGRATION, ADMIN.' })
  cardExpiry(@Root() p: Payment) {
    return p.cardExpiry;
  }

  @Authorized(...CARD_DATA_READERS)
  @FieldResolver(() => Boolean, { description: 'e-Carte Bleue (virtual card number, R-PAY-3). Card data: PAYMENTS, INTEGRATION, ADMIN.' })
  eCarteBleue(@Root() p: Payment) {
    return p.eCarteBleue;
  }

  @Authorized(...CARD_DATA_READERS)
  @FieldResolver(() => String, { description: 'Card data: PAYMENTS, INTEGRATION, ADMIN.' })
  authorizationNumber(@Root() p: Payment) {
    return p.authorizationNumber;
  }
}

@Resolver(() => RegistrationType)
export class RegistrationPaymentResolver {
  /** The payment of a registration the viewer may see; CERTIFICATION has no business with payments. */
  @Authorized(...REGISTRATION_PAYMENT_READERS)
  @FieldResolver(() => PaymentType, { nullable: true })
  payment(@Root() r: Registration, @Ctx() ctx: Context) {
    return ctx.loaders.paymentByRegistration.get(r.id);
  }
}
