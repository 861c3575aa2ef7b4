import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OneToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { CertificationSession } from './certification-session.entity';
import { ExamResult } from './exam-result.entity';
import { Registration } from './registration.entity';

export type CertificateStatus = 'VALID' | 'REVOKED';

/**
 * An issued certificate (R-CER): one per registration (unique), for a published passed result. The
 * holder name is copied from the registration's locked name at issue and never changes (trigger); the
 * PDF is rendered once, stored encrypted under `storageKey`, and its SHA-256 recorded (R-CER-2).
 * Revocation is final (R-CER-4).
 */
@Entity({ tableName: 'certificate' })
export class Certificate {
  [OptionalProps]?: 'status';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @OneToOne(() => Registration, { fieldName: 'registration_id', owner: true, unique: 'certificate_one_per_registration' })
  registration!: Registration;

  @OneToOne(() => ExamResult, { fieldName: 'result_id', owner: true, unique: 'certificate_one_per_result' })
  result!: ExamResult;

  @ManyToOne(() => CertificationSession, { fieldName: 'session_id' })
  session!: CertificationSession;

  @Property({ type: 'text' })
  holderName!: string;

  @Property({ type: 'text' })
  courseTitle!: string;

  @Property({ type: 'text' })
  university!: string;

  @Property({ type: 'datetime' })
  issuedAt!: Date;

  @Property({ type: 'text' })
  issuedBy!: string;

  @Property({ type: 'text', unique: 'certificate_code_unique' })
  verificationCode!: string;

  @Property({ type: 'text' })
  storageKey!: string;

  @Property({ type: 'text' })
  sha256!: string;

  @Property({ type: 'integer' })
  sizeBytes!: number;

  @Property({ type: 'text' })
  status: CertificateStatus = 'VALID';

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  revokedBy?: string | null;

  @Property({ type: 'text', nullable: true })
  revocationReason?: string | null;
}
