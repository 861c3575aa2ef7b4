import { ResultService } from '../services/result.service';
import { type JobDefinition } from './job';

/** R-RES-1, R-RES-2, R-JOB-1: every 5 minutes, grades ended attempts and publishes results (see ResultService). */
export const computeResultsJob: JobDefinition = {
  name: 'COMPUTE_RESULTS',
  schedule: '*/5 * * * *',
  run(ctx) {
    return new ResultService().computeAll(ctx, { signal: ctx.signal });
  },
};
