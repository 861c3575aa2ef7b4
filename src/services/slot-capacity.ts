import { type EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../domain/errors';
import { type CertificationSession } from '../entities';

/**
 * Slot capacity (R-SCH-3, R-SCH-7), enforced by the database. The `slot` table holds one counter per
 * (session, start): the number of BOOKED appointments there, kept exact by the `appointment_slot_count`
 * trigger (migration m0003) whoever writes an appointment, and capped there at capacity + 1.
 *
 * A booking locks the counter rows it needs (`select ... for update`, in start order, so two
 * reschedules crossing each other cannot deadlock) before comparing them with the capacity: concurrent
 * bookings of one slot queue up on its row, and each sees the count its predecessors committed.
 */
export async function lockSlots(em: EntityManager, sessionId: string, starts: Date[]): Promise<Map<number, number>> {
  const sorted = [...new Set(starts.map((s) => s.getTime()))].sort((a, b) => a - b);
  const booked = new Map<number, number>();
  for (const t of sorted) {
    // One statement: creates the counter if absent, else locks it (ON CONFLICT DO UPDATE waits for a
    // concurrent holder and locks the latest committed version, as FOR UPDATE would) and returns its count.
    const rows = await em.execute<{ booked: number }[]>(
      'insert into "slot" ("session_id", "starts_at", "booked") values (?, ?, 0) on conflict ("session_id", "starts_at") do update set "booked" = "slot"."booked" returning "booked"',
      [sessionId, new Date(t)],
    );
    booked.set(t, Number(rows[0].booked));
  }
  return booked;
}

/** Throws SLOT_FULL unless one more appointment fits (a priority one may take capacity + 1). */
export function assertRoom(session: CertificationSession, bookedNow: number, priority: boolean, field: string[]): void {
  const limit = session.slotCapacity + (priority ? 1 : 0);
  if (bookedNow >= limit) {
    throw new DomainError('SLOT_FULL', priority ? `This slot is full even for a priority booking (${bookedNow} booked, capacity ${session.slotCapacity} + 1)` : `This slot is full (${session.slotCapacity} booked)`, field);
  }
}

/** Booked counts of a session's slots in [from, to] (only slots with at least one booking have a row that matters). */
export async function slotCounts(em: EntityManager, sessionId: string, from: Date, to: Date): Promise<Map<number, number>> {
  const rows = await em.execute<{ starts_at: Date | string; booked: number }[]>(
    'select "starts_at", "booked" from "slot" where "session_id" = ? and "starts_at" >= ? and "starts_at" <= ? and "booked" > 0',
    [sessionId, from, to],
  );
  return new Map(rows.map((r) => [new Date(r.starts_at).getTime(), Number(r.booked)]));
}
