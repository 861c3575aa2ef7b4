import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { type Context } from '../context';
import { AuditEventConnection, AuditEventFilter } from '../schema/audit-event.type';
import { JobNameEnum } from '../schema/enums';
import { JobRunConnection, JobRunPayload } from '../schema/job-run.type';
import { DateTimeScalar } from '../schema/scalars';
import { payload } from './payload';

/** Jobs (R-JOB-1) and the audit log (R-SEC-2). */
@Resolver()
export class OperationsResolver {
  @Authorized('ADMIN', 'CERTIFICATION')
  @Query(() => JobRunConnection)
  jobRuns(
    @Ctx() ctx: Context,
    @Arg('job', () => JobNameEnum, { nullable: true }) job?: JobNameEnum,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.jobs.list(ctx, job, { first, after });
  }

  @Authorized('ADMIN')
  @Mutation(() => JobRunPayload)
  runJob(@Arg('job', () => JobNameEnum) job: JobNameEnum, @Ctx() ctx: Context) {
    return payload('jobRun', () => ctx.services.jobs.runNow(ctx, job));
  }

  @Authorized('ADMIN')
  @Query(() => AuditEventConnection)
  auditEvents(
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.audit.list(ctx, filter ?? {}, { first, after });
  }
}

/** Present in the schema only when the server runs with TEST_CLOCK=1 (contract/HTTP.md, "Test clock"). */
@Resolver()
export class TestClockResolver {
  @Authorized('ADMIN')
  @Mutation(() => DateTimeScalar, { description: 'Exists only when the server runs with TEST_CLOCK=1: freezes the domain clock at this instant (see HTTP.md, Test clock).' })
  setTestClock(@Arg('now', () => DateTimeScalar) now: Date, @Ctx() ctx: Context): Promise<Date> {
    return ctx.services.testClock.set(ctx, now);
  }
}
