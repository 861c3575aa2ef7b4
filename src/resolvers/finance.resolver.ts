import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { type Context } from '../context';
import { FinanceSummaryType } from '../schema/finance.type';
import { DateScalar } from '../schema/scalars';

@Resolver()
export class FinanceResolver {
  /** Counts and sums of a period (Paris days, inclusive): PAYMENTS (and ADMIN). */
  @Authorized('PAYMENTS')
  @Query(() => FinanceSummaryType)
  financeSummary(
    @Ctx() ctx: Context,
    @Arg('from', () => DateScalar) from: string,
    @Arg('to', () => DateScalar) to: string,
    @Arg('sessionId', () => ID, { nullable: true }) sessionId?: string | null,
  ) {
    return ctx.services.finance.summary(ctx, { from, to, sessionId });
  }
}
