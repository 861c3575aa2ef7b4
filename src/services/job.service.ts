import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { JobRun } from '../entities';
import { type Scheduler } from '../jobs/scheduler';
import { type PageArgs, paginate } from '../schema/connection';
import { audit } from './audit.service';

export class JobService {
  constructor(private readonly scheduler: Scheduler) {}

  /** `runJob` (ADMIN): runs the job now, waits for the end, and returns the run record. */
  async runNow(ctx: ServiceContext, job: string): Promise<JobRun> {
    const run = await this.scheduler.runNow(job, actorOf(ctx.viewer));
    await ctx.em.transactional(async (em) => {
      audit(em, ctx, 'job.run', { type: 'JobRun', id: run.id }, { job, status: run.status, itemsProcessed: run.itemsProcessed });
    });
    return run;
  }

  /** Newest first. */
  list(ctx: ServiceContext, job: string | null | undefined, page: PageArgs) {
    return paginate(ctx.em, JobRun, job ? { job } : {}, [{ startedAt: 'desc' }, { id: 'desc' }], page);
  }
}
