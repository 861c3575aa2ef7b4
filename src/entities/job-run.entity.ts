import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export type JobRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export type JobTrigger = 'SCHEDULE' | 'MANUAL';

/** R-JOB-1: one row per run. `(job, tick)` is unique for scheduled runs: one run per schedule tick. */
@Entity({ tableName: 'job_run' })
export class JobRun {
  [OptionalProps]?: 'status' | 'itemsProcessed';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  job!: string;

  @Property({ type: 'text' })
  trigger!: JobTrigger;

  /** The schedule tick (minute) a scheduled run belongs to; null for manual runs. */
  @Property({ type: 'datetime', nullable: true })
  tick?: Date | null;

  @Property({ type: 'text' })
  status: JobRunStatus = 'RUNNING';

  @Property({ type: 'datetime' })
  startedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null;

  @Property({ type: 'integer' })
  itemsProcessed = 0;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  /** Which server process ran it (host:pid). */
  @Property({ type: 'text' })
  instance!: string;

  @Property({ type: 'text', nullable: true })
  requestedBy?: string | null;
}
