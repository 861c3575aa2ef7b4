import { type ServiceContext } from '../context';
import { type Services } from '../services';

/** What a job's run receives: a context of its own (fresh entity manager, SYSTEM viewer) and its run id. */
export interface JobContext extends ServiceContext {
  runId: string;
  /** Aborted when the server shuts down: a batched job stops between batches. */
  signal: AbortSignal;
  /** The server's use cases and object store (certificates issue through them, the purge destroys through them). */
  services: Services;
}

/**
 * A scheduled job (R-JOB-1): `{ name, schedule, run(ctx) }`. `run` returns the number of items
 * processed; it must be idempotent and batched (each batch its own transaction), so a run cut short
 * leaves nothing the next run cannot finish.
 */
export interface JobDefinition {
  name: string;
  /** node-cron expression, evaluated in UTC. */
  schedule: string;
  run(ctx: JobContext): Promise<number>;
}
