import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Viewer } from '../auth/viewer';
import { type Context } from '../context';
import {
  ApiTokenPayload,
  CreateApiTokenInput,
  CreateStaffUserInput,
  LearnerTokenPayload,
  LoginInput,
  LoginPayload,
  StaffUserPayload,
  ViewerType,
} from '../schema/identity.type';
import { LearnerType } from '../schema/learner.type';
import { DateTimeScalar } from '../schema/scalars';
import { payload } from './payload';

function toViewerType(v: Viewer) {
  return { kind: v.kind === 'SYSTEM' ? 'ANONYMOUS' : v.kind, id: v.id ?? null, displayName: v.displayName ?? null, roles: v.roles, learnerId: v.learnerId };
}

@Resolver(() => ViewerType)
export class IdentityResolver {
  @Query(() => ViewerType)
  viewer(@Ctx() ctx: Context) {
    return toViewerType(ctx.viewer);
  }

  @Query(() => DateTimeScalar, { description: 'The domain clock (moved by setTestClock when TEST_CLOCK=1).' })
  serverTime(@Ctx() ctx: Context): Date {
    return ctx.clock.now();
  }

  @FieldResolver(() => LearnerType, { nullable: true })
  learner(@Root() viewer: { learnerId?: string }, @Ctx() ctx: Context) {
    return viewer.learnerId ? ctx.loaders.learner.load(viewer.learnerId) : null;
  }

  @Mutation(() => LoginPayload)
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: Context) {
    const result = await payload('login', () => ctx.services.identity.login(ctx, input));
    return result.login ? { token: result.login.token, expiresAt: result.login.expiresAt, viewer: toViewerType(result.login.viewer), errors: [] } : result;
  }

  @Authorized('ADMIN')
  @Mutation(() => StaffUserPayload)
  createStaffUser(@Arg('input', () => CreateStaffUserInput) input: CreateStaffUserInput, @Ctx() ctx: Context) {
    return payload('staffUser', () => ctx.services.identity.createStaffUser(ctx, input));
  }

  @Authorized('ADMIN')
  @Mutation(() => ApiTokenPayload)
  createApiToken(@Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput, @Ctx() ctx: Context) {
    return payload('token', () => ctx.services.identity.createApiToken(ctx, input));
  }

  @Authorized('INTEGRATION')
  @Mutation(() => LearnerTokenPayload, { description: 'A short-lived token acting as this learner, for the learning platform (INTEGRATION).' })
  async issueLearnerToken(@Arg('learnerId', () => ID) learnerId: string, @Ctx() ctx: Context) {
    const result = await payload('issued', () => ctx.services.identity.issueLearnerToken(ctx, learnerId));
    return result.issued ? { ...result.issued, errors: [] } : result;
  }
}
