/** Roles of SPEC.md "Actors and roles". A staff user may hold several. */
export const ROLES = ['LEARNER', 'SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN', 'INTEGRATION'] as const;
export type Role = (typeof ROLES)[number];

/** Roles a staff account may hold (LEARNER belongs to learner tokens only). */
export const STAFF_ROLES: readonly Role[] = ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN', 'INTEGRATION'];
/** Roles a service account (API token) may hold. */
export const SERVICE_ROLES: readonly Role[] = ['INTEGRATION', 'SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN'];

export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const JOB_NAMES = ['PURGE_EVIDENCE', 'END_EXPIRED_ATTEMPTS', 'COMPUTE_RESULTS', 'ISSUE_CERTIFICATES'] as const;
export type JobName = (typeof JOB_NAMES)[number];
