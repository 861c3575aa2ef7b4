/**
 * The roles of guarded relation fields that list pages read with the page (resolvers/prefetch.ts): the
 * field's `@Authorized` and the prefetch share one list, so a page never reads, for a viewer, rows of a
 * field that would refuse them. (The guard stays the field's: prefetched rows only reach the response
 * through the guarded field resolver.)
 */
export const REGISTRATION_PAYMENT_READERS = ['LEARNER', 'SUPPORT', 'PAYMENTS', 'INTEGRATION'] as const;
export const REGISTRATION_CERTIFICATE_READERS = ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'INTEGRATION', 'LEARNER'] as const;
/** R-EVI-2: evidence is CERTIFICATION's (and ADMIN's). */
export const FRAUD_CASE_EVIDENCE_READERS = ['CERTIFICATION'] as const;
