import { Field, Int, ObjectType } from 'type-graphql';
import { CardBrandEnum } from './payment.type';
import { DateScalar } from './scalars';

@ObjectType('BrandTotal')
export class BrandTotalType {
  @Field(() => CardBrandEnum) brand!: CardBrandEnum;
  @Field(() => Int) count!: number;
  @Field(() => Int) grossCents!: number;
}

/** `financeSummary`: payments by paid day, completed refunds by completion day (Europe/Paris days). */
@ObjectType('FinanceSummary')
export class FinanceSummaryType {
  @Field(() => DateScalar) from!: string;
  @Field(() => DateScalar) to!: string;
  @Field(() => String) currency!: string;
  @Field(() => Int) paymentsCount!: number;
  @Field(() => Int) grossCents!: number;
  @Field(() => Int) refundsCount!: number;
  @Field(() => Int) refundedCents!: number;
  @Field(() => Int) netCents!: number;
  @Field(() => Int) pendingRefundsCount!: number;
  @Field(() => [BrandTotalType]) byBrand!: BrandTotalType[];
}
