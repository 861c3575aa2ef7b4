import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type EquipmentCheck, type Learner } from '../entities';
import { EquipmentCheckPayload, EquipmentCheckType, RecordEquipmentCheckInput } from '../schema/equipment-check.type';
import { LearnerType } from '../schema/learner.type';
import { payload } from './payload';

/** R-TEC-2: support, the platform, or the learner themself (the service checks ownership); ADMIN. */
@Resolver(() => EquipmentCheckType)
export class EquipmentCheckResolver {
  @Authorized('LEARNER', 'SUPPORT', 'INTEGRATION')
  @Mutation(() => EquipmentCheckPayload)
  recordEquipmentCheck(@Arg('input', () => RecordEquipmentCheckInput) input: RecordEquipmentCheckInput, @Ctx() ctx: Context) {
    return payload('equipmentCheck', () => ctx.services.equipment.record(ctx, input));
  }

  @FieldResolver(() => Boolean)
  hasScreenshot(@Root() check: EquipmentCheck) {
    return check.screenshotSha256 != null;
  }
}

@Resolver(() => LearnerType)
export class LearnerEquipmentChecksResolver {
  /** Newest first. Reached only through a Learner the viewer may see. */
  @FieldResolver(() => [EquipmentCheckType])
  equipmentChecks(@Root() learner: Learner, @Ctx() ctx: Context) {
    return ctx.loaders.equipmentChecksByLearner.load(learner.id);
  }
}
