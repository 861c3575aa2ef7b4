import { registerEnumType } from 'type-graphql';

/** GraphQL enums of the contract, backed by string unions used across the code. */
export enum RoleEnum {
  LEARNER = 'LEARNER',
  SUPPORT = 'SUPPORT',
  PAYMENTS = 'PAYMENTS',
  CERTIFICATION = 'CERTIFICATION',
  ADMIN = 'ADMIN',
  INTEGRATION = 'INTEGRATION',
}
registerEnumType(RoleEnum, { name: 'Role' });

export enum WeekdayEnum {
  MONDAY = 'MONDAY',
  TUESDAY = 'TUESDAY',
  WEDNESDAY = 'WEDNESDAY',
  THURSDAY = 'THURSDAY',
  FRIDAY = 'FRIDAY',
  SATURDAY = 'SATURDAY',
  SUNDAY = 'SUNDAY',
}
registerEnumType(WeekdayEnum, { name: 'Weekday' });

export enum ViewerKindEnum {
  STAFF = 'STAFF',
  LEARNER = 'LEARNER',
  SERVICE = 'SERVICE',
  ANONYMOUS = 'ANONYMOUS',
}
registerEnumType(ViewerKindEnum, { name: 'ViewerKind' });

export enum JobNameEnum {
  PURGE_EVIDENCE = 'PURGE_EVIDENCE',
  END_EXPIRED_ATTEMPTS = 'END_EXPIRED_ATTEMPTS',
  COMPUTE_RESULTS = 'COMPUTE_RESULTS',
  ISSUE_CERTIFICATES = 'ISSUE_CERTIFICATES',
  /** Issue 13: deletes ProctorU profiles a year (PROFILE_RETENTION_DAYS) after the learner's last session. */
  PURGE_PROFILES = 'PURGE_PROFILES',
  /** Issue 12: sends the ProctorU reservation calls that are due (README "ProctorU integration"). */
  PROCTORU_OUTBOX = 'PROCTORU_OUTBOX',
}
registerEnumType(JobNameEnum, { name: 'JobName' });

export enum JobRunStatusEnum {
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(JobRunStatusEnum, { name: 'JobRunStatus' });

export enum JobTriggerEnum {
  SCHEDULE = 'SCHEDULE',
  MANUAL = 'MANUAL',
}
registerEnumType(JobTriggerEnum, { name: 'JobTrigger' });
