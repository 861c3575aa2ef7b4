import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type RefundRequest, type Registration } from '../entities';
import { ProviderIncidentType } from '../schema/incident.type';
import { PaymentType } from '../schema/payment.type';
import {
  DecideRefundInput,
  ExecuteRefundInput,
  RefundEligibilityType,
  RefundEventType,
  RefundRequestConnection,
  RefundRequestFilter,
  RefundRequestPayload,
  RefundRequestType,
  RequestRefundInput,
  SettleRefundManuallyInput,
} from '../schema/refund.type';
import { RegistrationType } from '../schema/registration.type';
import { payload } from './payload';
import { refundRequestPage } from './prefetch';

/** Refunds (R-REF): thin calls into RefundService. ADMIN may do everything (auth-checker). */
@Resolver(() => RefundRequestType)
export class RefundResolver {
  /** Staff, or the learner themself (the service hides other learners' registrations). */
  @Authorized('PAYMENTS', 'SUPPORT', 'LEARNER')
  @Query(() => RefundEligibilityType)
  refundEligibility(@Arg('registrationId', () => ID) registrationId: string, @Ctx() ctx: Context) {
    return ctx.services.refunds.eligibility(ctx, registrationId);
  }

  @Authorized('PAYMENTS', 'SUPPORT')
  @Query(() => RefundRequestConnection)
  async refundRequests(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => RefundRequestFilter, { nullable: true }) filter?: RefundRequestFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    // The page's payments, registrations and learners come with it when selected (prefetch.ts).
    const page = await ctx.services.refunds.list(ctx, filter ?? {}, { first, after }, refundRequestPage.includes(info));
    await refundRequestPage.prime(ctx, page, info);
    return page;
  }

  @Authorized('PAYMENTS', 'SUPPORT', 'LEARNER')
  @Query(() => RefundRequestType, { nullable: true })
  refundRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.refunds.get(ctx, id);
  }

  @Authorized('LEARNER', 'SUPPORT', 'PAYMENTS', 'INTEGRATION')
  @Mutation(() => RefundRequestPayload)
  requestRefund(@Arg('input', () => RequestRefundInput) input: RequestRefundInput, @Ctx() ctx: Context) {
    return payload('refundRequest', () => ctx.services.refunds.request(ctx, input));
  }

  @Authorized('PAYMENTS')
  @Mutation(() => RefundRequestPayload)
  approveRefund(@Arg('input', () => DecideRefundInput) input: DecideRefundInput, @Ctx() ctx: Context) {
    return payload('refundRequest', () => ctx.services.refunds.approve(ctx, input));
  }

  @Authorized('PAYMENTS')
  @Mutation(() => RefundRequestPayload)
  rejectRefund(@Arg('input', () => DecideRefundInput) input: DecideRefundInput, @Ctx() ctx: Context) {
    return payload('refundRequest', () => ctx.services.refunds.reject(ctx, input));
  }

  @Authorized('PAYMENTS')
  @Mutation(() => RefundRequestPayload)
  executeRefund(@Arg('input', () => ExecuteRefundInput) input: ExecuteRefundInput, @Ctx() ctx: Context) {
    return payload('refundRequest', () => ctx.services.refunds.execute(ctx, input));
  }

  @Authorized('PAYMENTS')
  @Mutation(() => RefundRequestPayload)
  settleRefundManually(@Arg('input', () => SettleRefundManuallyInput) input: SettleRefundManuallyInput, @Ctx() ctx: Context) {
    return payload('refundRequest', () => ctx.services.refunds.settleManually(ctx, input));
  }

  @FieldResolver(() => RegistrationType)
  registration(@Root() r: RefundRequest, @Ctx() ctx: Context) {
    return ctx.loaders.registration.get(r.registration.id);
  }

  @FieldResolver(() => PaymentType)
  payment(@Root() r: RefundRequest, @Ctx() ctx: Context) {
    return ctx.loaders.payment.get(r.payment.id);
  }

  @FieldResolver(() => ProviderIncidentType, { nullable: true })
  incident(@Root() r: RefundRequest, @Ctx() ctx: Context) {
    return r.incident ? ctx.loaders.incident.load(r.incident.id) : null;
  }

  @FieldResolver(() => [RefundEventType], { description: 'The state history, oldest first (R-REF-6).' })
  events(@Root() r: RefundRequest, @Ctx() ctx: Context) {
    return ctx.loaders.refundEventsByRequest.load(r.id);
  }
}

@Resolver(() => RegistrationType)
export class RegistrationRefundsResolver {
  /** Like the payment: CERTIFICATION has no business with refunds. */
  @Authorized('LEARNER', 'SUPPORT', 'PAYMENTS', 'INTEGRATION')
  @FieldResolver(() => [RefundRequestType])
  refundRequests(@Root() r: Registration, @Ctx() ctx: Context) {
    return ctx.loaders.refundRequestsByRegistration.load(r.id);
  }
}
