import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type ExamAttempt } from '../entities';
import { EvidenceType } from '../schema/evidence.type';
import { AttemptType } from '../schema/exam.type';

/** R-EVI-2: evidence is for CERTIFICATION and ADMIN only (ADMIN passes every @Authorized). */
@Resolver(() => EvidenceType)
export class EvidenceResolver {
  @Authorized('CERTIFICATION')
  @FieldResolver(() => String, { nullable: true, description: 'A short-lived signed link; asking for it writes an audit event. Null once purged.' })
  viewUrl(@Root() e: EvidenceType, @Ctx() ctx: Context) {
    return ctx.services.evidence.viewUrl(ctx, e);
  }
}

@Resolver(() => AttemptType)
export class AttemptEvidenceResolver {
  @Authorized('CERTIFICATION')
  @FieldResolver(() => [EvidenceType], { description: 'CERTIFICATION and ADMIN only (R-EVI-2).' })
  evidence(@Root() a: ExamAttempt, @Ctx() ctx: Context) {
    return ctx.loaders.evidenceByAttempt.load(a.id);
  }
}
