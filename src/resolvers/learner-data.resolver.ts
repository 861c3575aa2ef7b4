import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { type Context } from '../context';
import { LearnerPayload } from '../schema/learner.type';
import { JSONScalar } from '../schema/scalars';
import { payload } from './payload';

/** GDPR requests (issue 13): export everything held about a learner (art. 15), erase a learner (art. 17). */
@Resolver()
export class LearnerDataResolver {
  @Authorized('SUPPORT', 'ADMIN')
  @Query(() => JSONScalar, { description: 'Everything held about a learner, as one JSON document (audited). Also GET /learners/:id/export.json.' })
  exportLearnerData(@Arg('learnerId', () => ID) learnerId: string, @Ctx() ctx: Context) {
    return ctx.services.learnerData.export(ctx, learnerId);
  }

  @Authorized('ADMIN')
  @Mutation(() => LearnerPayload, { description: 'Erases a learner: contact data pseudonymised, profile deleted; payments and certificates kept (README).' })
  eraseLearner(@Arg('learnerId', () => ID) learnerId: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: Context) {
    return payload('learner', () => ctx.services.learnerData.erase(ctx, learnerId, reason));
  }
}
