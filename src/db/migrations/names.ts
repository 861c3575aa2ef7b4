/**
 * The names of every migration in `./index.ts`, in the same order, without loading the classes (each
 * imports `@mikro-orm/migrations`): a start on an up-to-date database compares these with the rows of
 * the migrations table and never loads the migrator. `index.ts` checks at load that both lists agree.
 */
export const MIGRATION_NAMES: readonly string[] = [
  'M0001Foundation',
  'M0002Registration',
  'M0003Scheduling',
  'M0004Payments',
  'M0005Exam',
  'M0006FinanceIndexes',
  'M0007EvidenceCertificates',
  'M0008Certificates',
  'M0009ProctorU',
  'M0011Operability',
  'M0010Hardening',
  'M0012OneRateLimiter',
  'M0013OutboxRequestId',
  'M0014ObjectIntents',
];
