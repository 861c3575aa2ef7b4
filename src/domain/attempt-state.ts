/**
 * Exam attempt lifecycle (R-EXA-2..4, R-INC-2), pure: one transition table.
 *
 *   READY ──start──▶ STARTED ──finish / timeout──▶ SUBMITTED
 *     └───────────────┴──────────────┴──provider fault (R-INC-2)──▶ VOIDED
 *
 * Services write transitions as conditional SQL updates (`where status = any(fromStatuses(to))`), so
 * two writers racing on one attempt (a draft save and the timeout, two finishes) serialise on the row
 * and the second one finds the status changed instead of overwriting it.
 */
export type AttemptStatus = 'READY' | 'STARTED' | 'SUBMITTED' | 'VOIDED';
export type AttemptEndedBy = 'LEARNER' | 'TIMEOUT';
export type PartStatus = 'NOT_ANSWERED' | 'DRAFT' | 'SUBMITTED';

export const ATTEMPT_TRANSITIONS: Readonly<Record<AttemptStatus, readonly AttemptStatus[]>> = {
  READY: ['STARTED', 'VOIDED'],
  STARTED: ['SUBMITTED', 'VOIDED'],
  SUBMITTED: ['VOIDED'],
  VOIDED: [],
};

export function canTransition(from: AttemptStatus, to: AttemptStatus): boolean {
  return ATTEMPT_TRANSITIONS[from].includes(to);
}

/** The statuses an attempt may be in to move to `to` (the `where` of a conditional update). */
export function fromStatuses(to: AttemptStatus): AttemptStatus[] {
  return (Object.keys(ATTEMPT_TRANSITIONS) as AttemptStatus[]).filter((from) => canTransition(from, to));
}

/** R-EXA-1: 3 parts of 10 questions. */
/**
 * R-EXA-1, R-SCH-7: one attempt per registration. A new one may open on an appointment only when the
 * registration has none yet, or when every earlier attempt was voided (a provider fault) and this is
 * the priority appointment, which never held an attempt. (A normal booking is refused as soon as any
 * attempt exists: see `assertNoAttemptUsed` in the appointment service.)
 */
export function mayOpenAttempt(previous: readonly { appointmentId: string; status: AttemptStatus }[], appointment: { id: string; priority: boolean }): boolean {
  if (previous.length === 0) return true;
  const onThis = previous.some((p) => p.appointmentId === appointment.id);
  const live = previous.some((p) => p.status !== 'VOIDED');
  return appointment.priority && !onThis && !live;
}

export const PARTS = 3;
export const QUESTIONS_PER_PART = 10;
export const MAX_SCORE = PARTS * QUESTIONS_PER_PART;

/** R-EXA-2 (design): the proctor may unlock from 15 min before the appointment to 30 min after its start. */
export const UNLOCK_EARLY_MINUTES = 15;
export const UNLOCK_LATE_MINUTES = 30;
/** Wrong proctor passwords: this many within the window lock the appointment for LOCK_MINUTES (real clock). */
export const MAX_WRONG_PASSWORDS = 5;
export const WRONG_PASSWORD_WINDOW_MINUTES = 10;
export const WRONG_PASSWORD_LOCK_MINUTES = 10;

export function isUnlockTime(appointmentStart: Date, now: Date): boolean {
  const t = now.getTime();
  return t >= appointmentStart.getTime() - UNLOCK_EARLY_MINUTES * 60_000 && t <= appointmentStart.getTime() + UNLOCK_LATE_MINUTES * 60_000;
}

export interface AttemptTimes {
  status: AttemptStatus;
  endedBy?: AttemptEndedBy | null;
  deadline?: Date | null;
  submittedAt?: Date | null;
  durationMinutes: number;
}

/** Whether a STARTED attempt's time has run out (R-EXA-4). */
export function isExpired(a: AttemptTimes, now: Date): boolean {
  return a.status === 'STARTED' && !!a.deadline && now.getTime() >= a.deadline.getTime();
}

/**
 * The attempt as of `now` (R-EXA-4): a STARTED attempt past its deadline is SUBMITTED by TIMEOUT at
 * the deadline, whether or not the timeout has been written yet (the write follows on the next write
 * or read of the attempt, or the END_EXPIRED_ATTEMPTS job, with the same values).
 */
export function effectiveAttempt<T extends AttemptTimes>(a: T, now: Date): T {
  if (!isExpired(a, now)) return a;
  return { ...a, status: 'SUBMITTED', endedBy: 'TIMEOUT', submittedAt: a.deadline };
}

/** Seconds left on the countdown: the full duration before the start, 0 once ended. */
export function remainingSeconds(a: AttemptTimes, now: Date): number {
  const e = effectiveAttempt(a, now);
  if (e.status === 'READY') return e.durationMinutes * 60;
  if (e.status !== 'STARTED' || !e.deadline) return 0;
  return Math.max(0, Math.ceil((e.deadline.getTime() - now.getTime()) / 1000));
}
