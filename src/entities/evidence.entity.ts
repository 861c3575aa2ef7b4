import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { CertificationSession } from './certification-session.entity';
import { ExamAttempt } from './exam-attempt.entity';
import { JobRun } from './job-run.entity';
import { Registration } from './registration.entity';

export type EvidenceKind = 'VIDEO' | 'ID_DOCUMENT' | 'FACE_PHOTO';
export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['VIDEO', 'ID_DOCUMENT', 'FACE_PHOTO'];
/** Stored status; `ON_HOLD` (contract) is derived from an active legal hold on the attempt's case. */
export type EvidenceStoredStatus = 'RETAINED' | 'PURGED';

/**
 * One proctoring recording or photo of an attempt (R-EVI-1, R-EVI-2): one per kind and attempt. The bytes
 * live encrypted in the object store under `storageKey` (key in `object_key`); the purge (R-EVI-4) sets
 * `PURGED`, clears `storageKey` and writes an `EvidenceTombstone`.
 */
@Entity({ tableName: 'evidence' })
export class Evidence {
  [OptionalProps]?: 'status';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => ExamAttempt, { fieldName: 'attempt_id' })
  attempt!: ExamAttempt;

  @ManyToOne(() => Registration, { fieldName: 'registration_id' })
  registration!: Registration;

  @ManyToOne(() => CertificationSession, { fieldName: 'session_id' })
  session!: CertificationSession;

  @Property({ type: 'text' })
  kind!: EvidenceKind;

  @Property({ type: 'text' })
  contentType!: string;

  @Property({ type: new BigIntType('number') })
  sizeBytes!: number;

  @Property({ type: 'text' })
  sha256!: string;

  @Property({ type: 'datetime' })
  capturedAt!: Date;

  @Property({ type: 'datetime' })
  retainUntil!: Date;

  @Property({ type: 'datetime' })
  receivedAt!: Date;

  @Property({ type: 'text' })
  receivedBy!: string;

  @Property({ type: 'text' })
  status: EvidenceStoredStatus = 'RETAINED';

  @Property({ type: 'text', nullable: true })
  storageKey?: string | null;

  @Property({ type: 'datetime', nullable: true })
  purgedAt?: Date | null;

  @ManyToOne(() => JobRun, { fieldName: 'purge_job_run_id', nullable: true })
  purgeJobRun?: JobRun | null;
}
