import { type MigrationObject } from '@mikro-orm/core';
import { M0001Foundation } from './m0001-foundation';
import { M0002Registration } from './m0002-registration';
import { M0003Scheduling } from './m0003-scheduling';
import { M0004Payments } from './m0004-payments';
import { M0005Exam } from './m0005-exam';
import { M0006FinanceIndexes } from './m0006-finance-indexes';
import { M0007EvidenceCertificates } from './m0007-evidence-certificates';
import { M0011Operability } from './m0011-operability';
import { M0008Certificates } from './m0008-certificates';
import { M0009ProctorU } from './m0009-proctoru';
import { M0010Hardening } from './m0010-hardening';
import { M0012OneRateLimiter } from './m0012-one-rate-limiter';
import { M0013OutboxRequestId } from './m0013-outbox-request-id';
import { M0014ObjectIntents } from './m0014-object-intents';
import { MIGRATION_NAMES } from './names';

/**
 * Every migration, in order. New migrations are appended here (explicit list: same from src/ and dist/)
 * and their names to `./names.ts`.
 */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'M0001Foundation', class: M0001Foundation },
  { name: 'M0002Registration', class: M0002Registration },
  { name: 'M0003Scheduling', class: M0003Scheduling },
  { name: 'M0004Payments', class: M0004Payments },
  { name: 'M0005Exam', class: M0005Exam },
  { name: 'M0006FinanceIndexes', class: M0006FinanceIndexes },
  { name: 'M0007EvidenceCertificates', class: M0007EvidenceCertificates },
  { name: 'M0008Certificates', class: M0008Certificates },
  { name: 'M0009ProctorU', class: M0009ProctorU },
  { name: 'M0011Operability', class: M0011Operability },
  { name: 'M0010Hardening', class: M0010Hardening },
  { name: 'M0012OneRateLimiter', class: M0012OneRateLimiter },
  { name: 'M0013OutboxRequestId', class: M0013OutboxRequestId },
  { name: 'M0014ObjectIntents', class: M0014ObjectIntents },
];

if (MIGRATIONS.map((m) => m.name).join() !== MIGRATION_NAMES.join()) {
  throw new Error('src/db/migrations/names.ts must list the names of MIGRATIONS (index.ts), in the same order');
}
