import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type CertificationSession } from '../entities';
import { CertificationSessionType } from '../schema/certification-session.type';
import { SetExamContentInput, SetExamContentPayload } from '../schema/exam.type';
import { payload } from './payload';

/** R-EXA-1, R-EXA-2: the exam of a session (CERTIFICATION). */
@Resolver(() => CertificationSessionType)
export class ExamContentResolver {
  @Authorized('CERTIFICATION')
  @Mutation(() => SetExamContentPayload)
  setExamContent(@Arg('input', () => SetExamContentInput) input: SetExamContentInput, @Ctx() ctx: Context) {
    return payload('session', () => ctx.services.examContent.set(ctx, input));
  }

  @FieldResolver(() => Boolean)
  async hasExamContent(@Root() session: CertificationSession, @Ctx() ctx: Context): Promise<boolean> {
    return (await ctx.loaders.examContentBySession.load(session.id)) !== null;
  }
}
