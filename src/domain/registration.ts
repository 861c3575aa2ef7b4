/**
 * Registration steps (R-REG-1..4), pure. Step 0 (activation) creates the registration; then, in order:
 * acknowledge the technical requirements, accept the terms, lock the name, pay (skipped when DUN exempt).
 */
export type RegistrationStatus = 'IN_PROGRESS' | 'ACTIVE' | 'CANCELLED';
export type RegistrationStep = 'ACKNOWLEDGE_REQUIREMENTS' | 'ACCEPT_TERMS' | 'LOCK_NAME' | 'PAY' | 'DONE';

export interface RegistrationProgress {
  dunExempt: boolean;
  requirementsAcknowledgedAt?: Date | null;
  termsAcceptedAt?: Date | null;
  nameLockedAt?: Date | null;
  paid: boolean;
}

export function nextStep(r: RegistrationProgress): RegistrationStep {
  if (!r.requirementsAcknowledgedAt) return 'ACKNOWLEDGE_REQUIREMENTS';
  if (!r.termsAcceptedAt) return 'ACCEPT_TERMS';
  if (!r.nameLockedAt) return 'LOCK_NAME';
  if (!r.dunExempt && !r.paid) return 'PAY';
  return 'DONE';
}

/**
 * R-REG-3: the name as entered, trimmed, inner whitespace collapsed to one space, Unicode NFC;
 * never a change of case.
 */
export function normalizeName(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
}
