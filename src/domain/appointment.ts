/**
 * Appointment lifecycle (R-SCH-5, R-SCH-8), pure.
 *
 * BOOKED → RESCHEDULED (replaced by a new appointment) | CANCELLED | PROVIDER_FAULT (confirmed incident)
 *        | MISSED (its time passed with no attempt) | COMPLETED (its attempt was submitted: exam issue).
 *
 * MISSED is decided lazily (no job): `effectiveStatus` reports a BOOKED appointment as MISSED once its
 * planned window (start + duration + 1 h of checks) is over, on every read; the next write touching
 * the registration's appointments (a booking, a priority booking) stores it, so the database catches up
 * without a schedule. The exam issue adds "no attempt" to the condition (an attempt makes it COMPLETED).
 */
export type AppointmentStatus = 'BOOKED' | 'RESCHEDULED' | 'CANCELLED' | 'COMPLETED' | 'MISSED' | 'PROVIDER_FAULT';

/** R-SCH-8: one hour beyond the exam for identity and environment checks. */
export const CHECKS_MINUTES = 60;

export function plannedUntil(a: { endsAt: Date }): Date {
  return new Date(a.endsAt.getTime() + CHECKS_MINUTES * 60_000);
}

/** The status as of `now`: a BOOKED appointment whose planned window is over is MISSED. */
export function effectiveStatus(a: { status: AppointmentStatus; endsAt: Date }, now: Date): AppointmentStatus {
  if (a.status === 'BOOKED' && now.getTime() >= plannedUntil(a).getTime()) return 'MISSED';
  return a.status;
}

/** Holding a slot: BOOKED and not yet over. */
export function isActive(a: { status: AppointmentStatus; endsAt: Date }, now: Date): boolean {
  return effectiveStatus(a, now) === 'BOOKED';
}

/**
 * "Oldest first" for a registration's history: by booking instant; at the same instant (a reschedule
 * in one transaction, or a frozen test clock) an appointment comes before its replacement, and an
 * ended one before the active one.
 */
export function historyOrder<T extends { id: string; bookedAt: Date; status: AppointmentStatus; replacedBy?: { id: string } | null }>(appointments: T[]): T[] {
  const predecessor = new Map<string, string>();
  for (const a of appointments) if (a.replacedBy) predecessor.set(a.replacedBy.id, a.id);
  const depth = (id: string, seen = 0): number => (predecessor.has(id) && seen < appointments.length ? 1 + depth(predecessor.get(id)!, seen + 1) : 0);
  const live = (a: T) => (a.status === 'BOOKED' ? 1 : 0);
  return [...appointments].sort((a, b) => a.bookedAt.getTime() - b.bookedAt.getTime() || depth(a.id) - depth(b.id) || live(a) - live(b) || (a.id < b.id ? -1 : 1));
}
