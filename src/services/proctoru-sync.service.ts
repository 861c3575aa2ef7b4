import { type EntityManager } from '@mikro-orm/postgresql';
import { type FastifyBaseLogger } from 'fastify';
import { type Clock } from '../clock';
import { type ServiceContext } from '../context';
import { type Orm } from '../db/orm';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { Appointment, CertificationSession, Learner, ProctorUOutbox, Registration } from '../entities';
import { type OutboxOp } from '../entities/proctoru-outbox.entity';
import { type AddAdHocProcessParams, type ProctorUClient, ProctorUError } from '../providers/proctoru/client';
import { windowsZoneOf } from '../providers/proctoru/zones';
import { type PageArgs, paginate } from '../schema/connection';
import { audit } from './audit.service';

/** Transactions that wrote an outbox row: the worker is kicked when they commit. */
const kickOnCommit = new WeakSet<object>();

/** Rows claimed at a time; a claimed row is leased for LEASE_MS (longer than the client's worst case). */
const BATCH = 20;
const LEASE_MS = 5 * 60_000;
/** Back-off between tries of a row: 30 s, 1 min, 2 min... up to 1 h; after MAX_ATTEMPTS the row is FAILED (SUPPORT retries it). */
const MAX_ATTEMPTS = 12;
export const backoffMs = (attempts: number) => Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/**
 * Writes the ProctorU call for an appointment change in the caller's transaction (the outbox): ADD
 * for a booking (the locked name of R-REG-2, the ProctorU profile of R-REG-5, the course, the start),
 * REMOVE for a cancellation or the old half of a reschedule. Marks the appointment PENDING (unless FAILED).
 */
export async function enqueueProviderSync(em: EntityManager, ctx: Pick<ServiceContext, 'clock' | 'requestId'>, appointment: Appointment, op: OutboxOp): Promise<void> {
  // Delivery times are operational (back-off of real calls): the real clock, not the domain clock.
  const now = ctx.clock.realNow();
  const reg = await em.findOneOrFail(Registration, { id: appointment.registration.id });
  const learner = await em.findOneOrFail(Learner, { id: reg.learner.id });
  let payload: Record<string, unknown> = { reservation_id: appointment.id, student_id: learner.id };
  if (op === 'ADD') {
    const session = await em.findOneOrFail(CertificationSession, { id: appointment.sessionId });
    const add: AddAdHocProcessParams = {
      student_id: learner.id,
      // R-REG-2: the name locked at step 3, never the account's current name.
      first_name: reg.lockedGivenName ?? '',
      last_name: reg.lockedFamilyName ?? '',
      email: learner.email,
      phone1: learner.phone ?? '',
      address1: learner.address ?? '',
      city: learner.city ?? '',
      country: learner.country ?? '',
      time_zone_id: (learner.timeZone && windowsZoneOf(learner.timeZone)) ?? '',
      description: `${session.courseTitle} (${session.courseCode})`,
      duration: session.examDurationMinutes,
      start_date: appointment.startsAt.toISOString(),
      reservation_id: appointment.id,
      notify: true,
    };
    payload = { ...add };
  }
  em.create(ProctorUOutbox, { appointment, registrationId: reg.id, op, payload, nextAttemptAt: now, createdAt: now, requestId: ctx.requestId });
  // A FAILED appointment stays FAILED (its earlier call still blocks this one) until it is synced.
  if (appointment.providerSync !== 'FAILED') {
    appointment.providerSync = 'PENDING';
    appointment.providerError = null;
  }
  const trx = em.getTransactionContext<object>();
  if (trx) kickOnCommit.add(rootTransaction(trx));
}

/** A nested transaction (savepoint) commits with its root: MikroORM links them by a `parentTransaction` symbol. */
function rootTransaction(trx: object): object {
  for (let t = trx; ; ) {
    const parent = Object.getOwnPropertySymbols(t).find((sym) => sym.description === 'parentTransaction');
    const next = parent ? (t as Record<symbol, object | undefined>)[parent] : undefined;
    if (!next) return t;
    t = next;
  }
}

interface ClaimedRow {
  id: string;
  appointment_id: string;
  op: OutboxOp;
  payload: Record<string, unknown>;
  attempts: number;
  request_id: string | null;
}

/**
 * The outbox worker (issue 12): sends the rows at least once and idempotently (our reservation_id is
 * looked up before an ADD and a REMOVE), in order per registration, with back-off; records ProctorU's
 * reservation number and the sync state on the appointment. Kicked right after a commit that wrote a
 * row, and every minute by the PROCTORU_OUTBOX job.
 */
export class ProctorUSyncService {
  private orm: Orm | undefined;
  private log: FastifyBaseLogger | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private startTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: ProctorUClient,
    private readonly clock: Clock,
  ) {}

  /**
   * Kicks the worker after each commit that wrote an outbox row, and once as soon as the server is
   * ready (rows left by `npm run seed:demo` or by a stop are sent at start, not a minute later).
   */
  start(orm: Orm, log: FastifyBaseLogger, isReady: () => Promise<boolean>): void {
    this.orm = orm;
    this.log = log;
    orm.em.getEventManager().registerSubscriber({
      afterTransactionCommit: ({ transaction }) => {
        if (transaction && kickOnCommit.has(transaction as object)) this.kick();
      },
    });
    const firstKick = async () => {
      this.startTimer = undefined;
      if (this.closed) return;
      if (await isReady()) this.kick();
      else this.startTimer = setTimeout(() => void firstKick(), 1000);
    };
    this.startTimer = setTimeout(() => void firstKick(), 0);
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.startTimer);
    await this.running;
  }

  /** Best effort, in the background: a failure is logged and left to the job; never thrown at the caller. */
  kick(): void {
    if (this.closed || !this.orm) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const orm = this.orm;
    this.running = (async () => {
      do {
        this.again = false;
        await this.processDue(orm.em.fork());
      } while (this.again && !this.closed);
    })()
      .catch((err: unknown) => this.log?.warn({ err }, 'ProctorU outbox: kick failed (the PROCTORU_OUTBOX job will retry)'))
      .finally(() => (this.running = undefined));
  }

  /** Sends every due row (batch after batch); returns the number of rows handled. */
  async processDue(em: EntityManager, opts: { signal?: AbortSignal } = {}): Promise<number> {
    let handled = 0;
    for (;;) {
      if (opts.signal?.aborted || this.closed) return handled;
      const rows = await this.claim(em);
      if (rows.length === 0) return handled;
      for (const row of rows) await this.send(em, row);
      handled += rows.length;
    }
  }

  /** SUPPORT: appointments whose last ProctorU call failed, newest booking first. */
  failures(ctx: ServiceContext, page: PageArgs) {
    return paginate(ctx.em, Appointment, { providerSync: 'FAILED' }, [{ bookedAt: 'desc' }, { id: 'desc' }], page);
  }

  /** SUPPORT: sends the appointment's unsent calls (and the older ones of its registration) now. */
  async retry(ctx: ServiceContext, appointmentId: string): Promise<Appointment> {
    const id = v.uuid(appointmentId, ['appointmentId']);
    await ctx.em.transactional(async (em) => {
      const a = await em.findOne(Appointment, { id });
      if (!a) throw new DomainError('NOT_FOUND', 'No appointment with this id', ['appointmentId']);
      if (a.providerSync !== 'FAILED') throw new DomainError('PROVIDER_SYNC_NOT_FAILED', `This appointment's ProctorU sync is ${a.providerSync ?? 'not applicable'}, not FAILED`, ['appointmentId']);
      await em.execute(
        `update proctoru_outbox set status = 'PENDING', next_attempt_at = ?, attempts = 0
          where registration_id = ? and status <> 'SENT' and seq <= (select max(seq) from proctoru_outbox where appointment_id = ?)`,
        [this.clock.realNow(), a.registration.id, a.id],
      );
      audit(em, ctx, 'appointment.provider_sync.retry', { type: 'Appointment', id: a.id }, { providerError: a.providerError ?? null });
    });
    await this.processDue(ctx.em.fork());
    return ctx.em.findOneOrFail(Appointment, { id }, { refresh: true });
  }

  // ---------------------------------------------------------------------------------------------

  /** The oldest unsent row of each registration, if due; leased so no other worker takes it meanwhile. */
  private claim(em: EntityManager): Promise<ClaimedRow[]> {
    const now = this.clock.realNow();
    return em.getConnection().execute<ClaimedRow[]>(
      `update proctoru_outbox o set attempts = o.attempts + 1, next_attempt_at = ?
        where o.id in (
          select h.id from proctoru_outbox h
           where h.status = 'PENDING' and h.next_attempt_at <= ?
             and not exists (select 1 from proctoru_outbox e where e.registration_id = h.registration_id and e.status = 'PENDING' and e.seq < h.seq)
           order by h.seq limit ? for update skip locked)
        returning o.id, o.appointment_id, o.op, o.payload, o.attempts, o.request_id`,
      [new Date(now.getTime() + LEASE_MS), now, BATCH],
    );
  }

  /** The worker's lines about one call carry the request id of the request that wrote it (issue 13). */
  private rowLog(row: ClaimedRow): FastifyBaseLogger | undefined {
    return this.log?.child({ requestId: row.request_id ?? 'proctoru-outbox', outboxId: row.id, appointmentId: row.appointment_id, op: row.op });
  }

  /**
   * Renews the row's lease just before its call, fenced by the claim's try count: a batch that
   * outlived its lease (ProctorU slow: one call may take ~60 s with retries, a batch is 20 calls) finds
   * the row claimed again by another worker (its count moved on) or reset by SUPPORT, and leaves it to
   * that one instead of calling ProctorU a second time. Once renewed, no other worker can take the row
   * for LEASE_MS, longer than one call's worst case.
   */
  private async renewLease(em: EntityManager, row: ClaimedRow): Promise<boolean> {
    const renewed = await em.getConnection().execute<{ id: string }[]>(
      `update proctoru_outbox set next_attempt_at = ? where id = ? and status = 'PENDING' and attempts = ? returning id`,
      [new Date(this.clock.realNow().getTime() + LEASE_MS), row.id, row.attempts],
    );
    return renewed.length === 1;
  }

  private async send(em: EntityManager, row: ClaimedRow): Promise<void> {
    const conn = em.getConnection();
    const log = this.rowLog(row);
    if (!(await this.renewLease(em, row))) {
      log?.info({ attempts: row.attempts }, 'ProctorU outbox: lease lost (another worker has the row); skipped');
      return;
    }
    try {
      const started = this.clock.realNow().getTime();
      const reservationNo = row.op === 'ADD' ? await this.add(em, row) : await this.remove(row);
      log?.info({ attempts: row.attempts, reservationNo, durationMs: this.clock.realNow().getTime() - started }, 'ProctorU outbox: call sent');
      await conn.execute(`update proctoru_outbox set status = 'SENT', sent_at = ?, last_error = null, payload = ? where id = ?`, [
        this.clock.realNow(),
        // Personal data (R-SEC) is not kept once sent.
        JSON.stringify({ reservation_id: row.payload.reservation_id, student_id: row.payload.student_id }),
        row.id,
      ]);
      await conn.execute(
        `update appointment set provider_error = null, provider_reservation_no = coalesce(?, provider_reservation_no),
           provider_sync = case when exists (select 1 from proctoru_outbox where appointment_id = ? and status = 'PENDING') then 'PENDING' else 'SYNCED' end
         where id = ?`,
        [reservationNo, row.appointment_id, row.appointment_id],
      );
    } catch (err) {
      if (!(err instanceof ProctorUError)) throw err;
      const final = !err.transient || row.attempts >= MAX_ATTEMPTS;
      const next = new Date(this.clock.realNow().getTime() + backoffMs(row.attempts));
      log?.warn({ attempts: row.attempts, final, err: err.message }, 'ProctorU outbox: call failed');
      await conn.execute(`update proctoru_outbox set status = ?, next_attempt_at = ?, last_error = ? where id = ?`, [final ? 'FAILED' : 'PENDING', next, err.message, row.id]);
      await conn.execute(`update appointment set provider_sync = 'FAILED', provider_error = ? where id = ?`, [err.message, row.appointment_id]);
    }
  }

  /** ADD: skipped when the appointment was cancelled or moved since (its REMOVE follows); otherwise looked up, then added. */
  private async add(em: EntityManager, row: ClaimedRow): Promise<string | null> {
    const [a] = await em.getConnection().execute<{ status: string }[]>('select status from appointment where id = ?', [row.appointment_id]);
    if (a.status === 'CANCELLED' || a.status === 'RESCHEDULED') return null;
    const existing = await this.find(row);
    if (existing.length > 0) return existing[0];
    const added = await this.client.addAdHocProcess(row.payload as unknown as AddAdHocProcessParams);
    return added.reservation_no;
  }

  /** REMOVE: every ProctorU reservation carrying our reservation_id (none left is success). */
  private async remove(row: ClaimedRow): Promise<null> {
    for (const no of await this.find(row)) {
      try {
        await this.client.removeReservation(no);
      } catch (err) {
        if (!(err instanceof ProctorUError && err.details.responseCode === 3)) throw err; // 3: already gone
      }
    }
    return null;
  }

  private async find(row: ClaimedRow): Promise<string[]> {
    const list = await this.client.getStudentReservationList(String(row.payload.student_id));
    return list.filter((r) => r.reservation_id === row.payload.reservation_id).map((r) => r.reservation_no);
  }
}
