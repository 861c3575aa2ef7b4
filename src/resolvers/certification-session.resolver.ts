import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { type Context } from '../context';
import {
  CertificationSessionConnection,
  CertificationSessionPayload,
  CertificationSessionType,
  CreateCertificationSessionInput,
} from '../schema/certification-session.type';
import { payload } from './payload';

@Resolver(() => CertificationSessionType)
export class CertificationSessionResolver {
  /** Any authenticated caller: learners see the offer they register to. */
  @Authorized()
  @Query(() => CertificationSessionConnection)
  certificationSessions(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.sessions.list(ctx, { first, after });
  }

  @Authorized()
  @Query(() => CertificationSessionType, { nullable: true })
  certificationSession(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.sessions.get(ctx, id);
  }

  @Authorized('CERTIFICATION')
  @Mutation(() => CertificationSessionPayload)
  createCertificationSession(@Arg('input', () => CreateCertificationSessionInput) input: CreateCertificationSessionInput, @Ctx() ctx: Context) {
    return payload('session', () => ctx.services.sessions.create(ctx, input));
  }
}
