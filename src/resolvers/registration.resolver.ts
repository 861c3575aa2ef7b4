import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type CertificationSession, type Learner, type Registration } from '../entities';
import { CertificationSessionType } from '../schema/certification-session.type';
import { LearnerType } from '../schema/learner.type';
import {
  AcceptTermsInput,
  LockNameInput,
  RegistrationConnection,
  RegistrationFilter,
  RegistrationPayload,
  RegistrationStatusEnum,
  RegistrationStepEnum,
  RegistrationType,
  StartRegistrationInput,
} from '../schema/registration.type';
import { type RegistrationFilter as RegistrationFilterArgs, registrationStep } from '../services/registration.service';
import { type PageArgs } from '../schema/connection';
import { payload } from './payload';
import { registrationPage } from './prefetch';

const READERS = ['LEARNER', 'SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'INTEGRATION'] as const;

/** A page of registrations, with the relations its query selects read with it (prefetch.ts). */
async function registrationList(ctx: Context, info: GraphQLResolveInfo, filter: RegistrationFilterArgs, page: PageArgs) {
  const result = await ctx.services.registrations.list(ctx, filter, page, registrationPage.includes(info, ctx));
  await registrationPage.prime(ctx, result, info);
  return result;
}

@Resolver(() => RegistrationType)
export class RegistrationResolver {
  /** Staff see all; a learner sees only their own. */
  @Authorized(...READERS)
  @Query(() => RegistrationConnection)
  registrations(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => RegistrationFilter, { nullable: true }) filter?: RegistrationFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return registrationList(ctx, info, filter ?? {}, { first, after });
  }

  @Authorized(...READERS)
  @Query(() => RegistrationType, { nullable: true })
  registration(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.registrations.get(ctx, id);
  }

  @Authorized('LEARNER', 'SUPPORT', 'INTEGRATION')
  @Mutation(() => RegistrationPayload)
  startRegistration(@Arg('input', () => StartRegistrationInput) input: StartRegistrationInput, @Ctx() ctx: Context) {
    return payload('registration', () => ctx.services.registrations.start(ctx, input));
  }

  @Authorized('LEARNER', 'INTEGRATION')
  @Mutation(() => RegistrationPayload)
  acknowledgeRequirements(@Arg('registrationId', () => ID) registrationId: string, @Ctx() ctx: Context) {
    return payload('registration', () => ctx.services.registrations.acknowledgeRequirements(ctx, registrationId));
  }

  @Authorized('LEARNER', 'INTEGRATION')
  @Mutation(() => RegistrationPayload)
  acceptTerms(@Arg('input', () => AcceptTermsInput) input: AcceptTermsInput, @Ctx() ctx: Context) {
    return payload('registration', () => ctx.services.registrations.acceptTerms(ctx, input));
  }

  @Authorized('LEARNER', 'INTEGRATION')
  @Mutation(() => RegistrationPayload)
  lockName(@Arg('input', () => LockNameInput) input: LockNameInput, @Ctx() ctx: Context) {
    return payload('registration', () => ctx.services.registrations.lockName(ctx, input));
  }

  @FieldResolver(() => RegistrationStepEnum)
  nextStep(@Root() r: Registration) {
    return registrationStep(r);
  }

  @FieldResolver(() => CertificationSessionType)
  session(@Root() r: Registration, @Ctx() ctx: Context) {
    return ctx.loaders.session.load(r.session.id);
  }

  @FieldResolver(() => LearnerType)
  learner(@Root() r: Registration, @Ctx() ctx: Context) {
    return ctx.loaders.learner.get(r.learner.id);
  }
}

@Resolver(() => CertificationSessionType)
export class SessionRegistrationsResolver {
  /** A session's registrations: staff only (a learner reads their own through `registrations`). */
  @Authorized('SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'INTEGRATION')
  @FieldResolver(() => RegistrationConnection)
  registrations(
    @Root() session: CertificationSession,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('status', () => RegistrationStatusEnum, { nullable: true }) status?: RegistrationStatusEnum,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return registrationList(ctx, info, { sessionId: session.id, status }, { first, after });
  }
}

@Resolver(() => LearnerType)
export class LearnerRegistrationsResolver {
  @FieldResolver(() => [RegistrationType])
  registrations(@Root() learner: Learner, @Ctx() ctx: Context) {
    return ctx.loaders.registrationsByLearner.load(learner.id);
  }
}
