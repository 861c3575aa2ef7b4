import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type FraudCase, type Registration } from '../entities';
import { EvidenceType } from '../schema/evidence.type';
import { AttemptType } from '../schema/exam.type';
import {
  DecideFraudCaseInput,
  FraudCaseConnection,
  FraudCaseEventType,
  FraudCaseFilter,
  FraudCasePayload,
  FraudCaseType,
  LegalHoldInput,
  LegalHoldType,
  OpenFraudCaseInput,
} from '../schema/fraud-case.type';
import { RegistrationType } from '../schema/registration.type';
import { FRAUD_CASE_EVIDENCE_READERS } from './field-roles';
import { payload } from './payload';
import { fraudCasePage } from './prefetch';

/**
 * Fraud review and legal holds (R-EVI-3..5): thin calls into FraudCaseService and LegalHoldService.
 * CERTIFICATION reviews; the proctoring platform (INTEGRATION) opens cases from proctor reports; only
 * ADMIN places and releases legal holds (ADMIN may do everything: auth-checker).
 */
@Resolver(() => FraudCaseType)
export class FraudCaseResolver {
  /** Read: CERTIFICATION reviews; SUPPORT reads everything but evidence media (SPEC roles), so it sees cases without `evidence`. */
  @Authorized('CERTIFICATION', 'SUPPORT')
  @Query(() => FraudCaseConnection)
  async fraudCases(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => FraudCaseFilter, { nullable: true }) filter?: FraudCaseFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    // The page's evidence (for those `evidence` lets through) and registrations come with it when selected (prefetch.ts).
    const page = await ctx.services.fraudCases.list(ctx, filter ?? {}, { first, after }, fraudCasePage.includes(info, ctx));
    await fraudCasePage.prime(ctx, page, info);
    return page;
  }

  @Authorized('CERTIFICATION', 'SUPPORT')
  @Query(() => FraudCaseType, { nullable: true })
  fraudCase(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.fraudCases.get(ctx, id);
  }

  @Authorized('CERTIFICATION', 'INTEGRATION')
  @Mutation(() => FraudCasePayload)
  openFraudCase(@Arg('input', () => OpenFraudCaseInput) input: OpenFraudCaseInput, @Ctx() ctx: Context) {
    return payload('fraudCase', () => ctx.services.fraudCases.open(ctx, input));
  }

  @Authorized('CERTIFICATION')
  @Mutation(() => FraudCasePayload)
  startFraudReview(@Arg('caseId', () => ID) caseId: string, @Ctx() ctx: Context) {
    return payload('fraudCase', () => ctx.services.fraudCases.startReview(ctx, caseId));
  }

  @Authorized('CERTIFICATION')
  @Mutation(() => FraudCasePayload)
  decideFraudCase(@Arg('input', () => DecideFraudCaseInput) input: DecideFraudCaseInput, @Ctx() ctx: Context) {
    return payload('fraudCase', () => ctx.services.fraudCases.decide(ctx, input));
  }

  @Authorized('ADMIN')
  @Mutation(() => FraudCasePayload)
  placeLegalHold(@Arg('input', () => LegalHoldInput) input: LegalHoldInput, @Ctx() ctx: Context) {
    return payload('fraudCase', () => ctx.services.legalHolds.place(ctx, input));
  }

  @Authorized('ADMIN')
  @Mutation(() => FraudCasePayload)
  releaseLegalHold(@Arg('input', () => LegalHoldInput) input: LegalHoldInput, @Ctx() ctx: Context) {
    return payload('fraudCase', () => ctx.services.legalHolds.release(ctx, input));
  }

  @FieldResolver(() => AttemptType)
  attempt(@Root() c: FraudCase, @Ctx() ctx: Context) {
    return ctx.loaders.attempt.load(c.attempt.id);
  }

  @FieldResolver(() => RegistrationType)
  registration(@Root() c: FraudCase, @Ctx() ctx: Context) {
    return ctx.loaders.registration.get(c.registration.id);
  }

  @FieldResolver(() => LegalHoldType, { nullable: true, description: 'The active hold, else the latest released one.' })
  async legalHold(@Root() c: FraudCase, @Ctx() ctx: Context) {
    const holds = await ctx.loaders.legalHoldsByCase.load(c.id);
    return holds.find((h) => !h.releasedAt) ?? holds.at(-1) ?? null;
  }

  @FieldResolver(() => [LegalHoldType], { description: 'Every hold ever placed on the case, oldest first (R-EVI-4).' })
  legalHolds(@Root() c: FraudCase, @Ctx() ctx: Context) {
    return ctx.loaders.legalHoldsByCase.load(c.id);
  }

  @FieldResolver(() => [FraudCaseEventType], { description: 'The case history, oldest first (R-EVI-3).' })
  history(@Root() c: FraudCase, @Ctx() ctx: Context) {
    return ctx.loaders.fraudCaseEventsByCase.load(c.id);
  }

  @Authorized(...FRAUD_CASE_EVIDENCE_READERS)
  @FieldResolver(() => [EvidenceType], { description: 'CERTIFICATION and ADMIN only (R-EVI-2).' })
  evidence(@Root() c: FraudCase, @Ctx() ctx: Context) {
    return ctx.loaders.evidenceByAttempt.get(c.attempt.id);
  }
}

@Resolver(() => RegistrationType)
export class RegistrationFraudCasesResolver {
  /** Support sees why a result is pending (R-SUP-1); the evidence itself stays CERTIFICATION's (R-EVI-2). */
  @Authorized('CERTIFICATION', 'SUPPORT')
  @FieldResolver(() => [FraudCaseType], { description: 'Fraud cases on this registration’s attempts, oldest first.' })
  fraudCases(@Root() r: Registration, @Ctx() ctx: Context) {
    return ctx.loaders.fraudCasesByRegistration.load(r.id);
  }
}
