import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { effectiveAttempt, remainingSeconds } from '../domain/attempt-state';
import { type ExamAttempt, type ExamResult, type Registration } from '../entities';
import { AppointmentType } from '../schema/appointment.type';
import {
  AttemptEndedByEnum,
  AttemptPartType,
  AttemptPayload,
  AttemptStatusEnum,
  AttemptType,
  ResultType,
  SaveAnswersInput,
  UnlockExamInput,
} from '../schema/exam.type';
import { RegistrationType } from '../schema/registration.type';
import { DateTimeScalar } from '../schema/scalars';
import { type Row } from '../services/plain-rows';
import { mapMaybe } from './loaders';
import { payload } from './payload';

const READERS = ['LEARNER', 'SUPPORT', 'CERTIFICATION', 'INTEGRATION'] as const;

/** R-EXA-2..4: the proctor unlocks (INTEGRATION); the learner themself starts, answers and finishes. */
@Resolver(() => AttemptType)
export class AttemptResolver {
  @Authorized(...READERS)
  @Query(() => AttemptType, { nullable: true })
  attempt(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.attempts.get(ctx, id);
  }

  @Authorized('INTEGRATION')
  @Mutation(() => AttemptPayload)
  unlockExam(@Arg('input', () => UnlockExamInput) input: UnlockExamInput, @Ctx() ctx: Context) {
    return payload('attempt', () => ctx.services.attempts.unlock(ctx, input));
  }

  @Authorized('LEARNER')
  @Mutation(() => AttemptPayload)
  startAttempt(@Arg('attemptId', () => ID) attemptId: string, @Ctx() ctx: Context) {
    return payload('attempt', () => ctx.services.attempts.start(ctx, attemptId));
  }

  @Authorized('LEARNER')
  @Mutation(() => AttemptPayload)
  saveDraft(@Arg('input', () => SaveAnswersInput) input: SaveAnswersInput, @Ctx() ctx: Context) {
    return payload('attempt', () => ctx.services.attempts.saveDraft(ctx, input));
  }

  @Authorized('LEARNER')
  @Mutation(() => AttemptPayload)
  submitPart(@Arg('input', () => SaveAnswersInput) input: SaveAnswersInput, @Ctx() ctx: Context) {
    return payload('attempt', () => ctx.services.attempts.submitPart(ctx, input));
  }

  @Authorized('LEARNER')
  @Mutation(() => AttemptPayload)
  finishAttempt(@Arg('attemptId', () => ID) attemptId: string, @Ctx() ctx: Context) {
    return payload('attempt', () => ctx.services.attempts.finish(ctx, attemptId));
  }

  // Status and end as of the clock: a STARTED attempt past its deadline reads as ended by TIMEOUT at
  // the deadline even before the write catches up (R-EXA-4).
  @FieldResolver(() => AttemptStatusEnum)
  status(@Root() a: ExamAttempt, @Ctx() ctx: Context) {
    return effectiveAttempt(a, ctx.clock.now()).status;
  }

  @FieldResolver(() => AttemptEndedByEnum, { nullable: true })
  endedBy(@Root() a: ExamAttempt, @Ctx() ctx: Context) {
    return effectiveAttempt(a, ctx.clock.now()).endedBy ?? null;
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  submittedAt(@Root() a: ExamAttempt, @Ctx() ctx: Context) {
    return effectiveAttempt(a, ctx.clock.now()).submittedAt ?? null;
  }

  @FieldResolver(() => Int, { nullable: true })
  remainingSeconds(@Root() a: ExamAttempt, @Ctx() ctx: Context) {
    return remainingSeconds(a, ctx.clock.now());
  }

  /** The questions without their answer key, and the learner's own answers. */
  @FieldResolver(() => [AttemptPartType])
  async parts(@Root() a: ExamAttempt, @Ctx() ctx: Context): Promise<AttemptPartType[]> {
    const content = await ctx.loaders.examContentBySession.load(a.sessionId);
    return a.parts.map((p, i) => ({
      number: i + 1,
      title: content?.parts[i]?.title ?? '',
      status: p.status as AttemptPartType['status'],
      questions: (content?.parts[i]?.questions ?? []).map((q, j) => ({ number: j + 1, prompt: q.prompt, choices: q.choices })),
      answers: p.answers,
      savedAt: p.savedAt ? new Date(p.savedAt) : null,
      submittedAt: p.submittedAt ? new Date(p.submittedAt) : null,
    }));
  }

  @FieldResolver(() => RegistrationType)
  registration(@Root() a: ExamAttempt, @Ctx() ctx: Context) {
    return ctx.loaders.registration.load(a.registration.id);
  }

  @FieldResolver(() => AppointmentType)
  appointment(@Root() a: ExamAttempt, @Ctx() ctx: Context) {
    return ctx.loaders.appointment.load(a.appointment.id);
  }
}

/** `Registration.attempts` and `Registration.result`, through DataLoaders. */
@Resolver(() => RegistrationType)
export class RegistrationExamResolver {
  @FieldResolver(() => [AttemptType], { description: 'Exam attempts, oldest first (a voided one and its priority replacement, R-SCH-7).' })
  attempts(@Root() r: Registration, @Ctx() ctx: Context) {
    return ctx.loaders.attemptsByRegistration.load(r.id);
  }

  /** R-EXA-5, R-RES-2: the current result (the newest not voided, else the newest); a learner sees it once published. */
  @FieldResolver(() => ResultType, { nullable: true })
  result(@Root() r: Registration, @Ctx() ctx: Context): Row<ExamResult> | null | Promise<Row<ExamResult> | null> {
    return mapMaybe(ctx.loaders.resultsByRegistration.get(r.id), (results) => {
      const current = results.find((x) => x.status !== 'VOIDED') ?? results[0] ?? null;
      if (!current) return null;
      if (ctx.viewer.kind === 'LEARNER' && !current.publishedAt) return null;
      return current;
    });
  }
}

@Resolver(() => ResultType)
export class ResultResolver {
  @FieldResolver(() => RegistrationType)
  async registration(@Root() r: ExamResult, @Ctx() ctx: Context) {
    const attempt = await ctx.loaders.attempt.load(r.attempt.id);
    return attempt ? ctx.loaders.registration.load(attempt.registration.id) : null;
  }

  @FieldResolver(() => AttemptType)
  attempt(@Root() r: ExamResult, @Ctx() ctx: Context) {
    return ctx.loaders.attempt.load(r.attempt.id);
  }
}
