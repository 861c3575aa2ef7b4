import DataLoader from 'dataloader';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type Learner } from '../entities';
import { LearnerConnection, LearnerPayload, LearnerType, ProctoringProfileType, SetProctoringProfileInput, UpsertLearnerInput } from '../schema/learner.type';
import { audit } from '../services/audit.service';
import { payload } from './payload';

const STAFF = ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN'] as const;

@Resolver(() => LearnerType)
export class LearnerResolver {
  @Authorized(...STAFF)
  @Query(() => LearnerConnection)
  learners(
    @Ctx() ctx: Context,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.learners.list(ctx, search, { first, after });
  }

  @Authorized(...STAFF, 'INTEGRATION', 'LEARNER')
  @Query(() => LearnerType, { nullable: true })
  learner(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.learners.get(ctx, id);
  }

  @Authorized('INTEGRATION')
  @Mutation(() => LearnerPayload)
  upsertLearner(@Arg('input', () => UpsertLearnerInput) input: UpsertLearnerInput, @Ctx() ctx: Context) {
    return payload('learner', () => ctx.services.learners.upsert(ctx, input));
  }

  @Authorized('LEARNER', 'SUPPORT', 'INTEGRATION')
  @Mutation(() => LearnerPayload)
  setProctoringProfile(@Arg('input', () => SetProctoringProfileInput) input: SetProctoringProfileInput, @Ctx() ctx: Context) {
    return payload('learner', () => ctx.services.learners.setProctoringProfile(ctx, input));
  }

  /** R-REG-5 profile. Phone and address are guarded field by field; a staff view is audited (R-SEC-2). */
  @FieldResolver(() => ProctoringProfileType)
  proctoringProfile(@Root() learner: Learner) {
    return {
      phone: learner.phone ?? null,
      address: learner.address ?? null,
      city: learner.city ?? null,
      timeZone: learner.timeZone ?? null,
      country: learner.country ?? null,
      complete: learner.profileComplete,
      learnerId: learner.id,
    };
  }
}

/** Personal fields of the profile: only the learner themself, SUPPORT, INTEGRATION (and ADMIN); each staff view audited. */
@Resolver(() => ProctoringProfileType)
export class ProctoringProfileResolver {
  @Authorized('LEARNER', 'SUPPORT', 'INTEGRATION')
  @FieldResolver(() => String, { nullable: true })
  async phone(@Root() profile: { phone: string | null; learnerId: string }, @Ctx() ctx: Context) {
    await auditPersonalDataView(ctx, profile.learnerId);
    return profile.phone;
  }

  @Authorized('LEARNER', 'SUPPORT', 'INTEGRATION')
  @FieldResolver(() => String, { nullable: true })
  async address(@Root() profile: { address: string | null; learnerId: string }, @Ctx() ctx: Context) {
    await auditPersonalDataView(ctx, profile.learnerId);
    return profile.address;
  }
}

const viewLoaders = new WeakMap<Context, DataLoader<string, true>>();

/**
 * R-SEC-2: one audit event per learner per request when staff read a learner's personal data. The
 * events of a whole page are written together (a DataLoader batch: one flush, not one per row).
 */
async function auditPersonalDataView(ctx: Context, learnerId: string): Promise<void> {
  if (ctx.viewer.kind !== 'STAFF') return;
  let loader = viewLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader<string, true>(async (ids) => {
      const em = ctx.em.fork();
      for (const id of ids) audit(em, ctx, 'learner.personal-data.view', { type: 'Learner', id });
      await em.flush();
      return ids.map(() => true as const);
    });
    viewLoaders.set(ctx, loader);
  }
  await loader.load(learnerId);
}
