import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { verifyPassword } from '../auth/passwords';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import {
  canTransition,
  isExpired,
  isUnlockTime,
  MAX_WRONG_PASSWORDS,
  mayOpenAttempt,
  PARTS,
  UNLOCK_EARLY_MINUTES,
  UNLOCK_LATE_MINUTES,
  WRONG_PASSWORD_LOCK_MINUTES,
  WRONG_PASSWORD_WINDOW_MINUTES,
} from '../domain/attempt-state';
import { DomainError } from '../domain/errors';
import { type ExamPartView, validateAnswers } from '../domain/exam-content';
import * as v from '../domain/validate';
import { Appointment, CertificationSession, ExamAttempt, ExamContent, Registration } from '../entities';
import { type AttemptPartState } from '../entities/exam-attempt.entity';
import { audit } from './audit.service';
import { completeAppointment, endExpiredAttempts, timeoutContext } from './attempt-end';
import { bruteForceRules, consumeRateLimit, forgiveRateLimit, type RateLimitTicket } from './rate-limit';

export interface SaveAnswersInput {
  attemptId: string;
  part: number;
  answers: number[][];
}

const MINUTE = 60_000;

/** A session's questions as learners see them, and the content's version (its `updated_at`, as text). */
interface AnswerSheet {
  version: string;
  parts: ExamPartView[];
}

/** A Map that forgets its oldest entries beyond `max` (memos of immutable facts, bounded). */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}

function ended(message = 'This attempt has ended: it can no longer change (R-EXA-3)', field: string[] = ['attemptId']): DomainError {
  return new DomainError('ATTEMPT_ENDED', message, field);
}

/**
 * R-EXA-2..4: unlock (the proctor), start, drafts, final checks, finish (the learner themself), and the
 * timeout, lazily on any read or write of an attempt past its deadline (here) and by the job.
 */
export class AttemptService {
  /** Memos for the answer checks (`answerSheet`): the session of each attempt, the questions of each session. */
  private readonly attemptSessions = new BoundedMap<string, string>(20_000);
  private readonly sheets = new BoundedMap<string, AnswerSheet>(500);

  /**
   * R-EXA-2 (INTEGRATION, as the proctor types the password): opens the attempt of a BOOKED appointment,
   * from 15 min before its start to 30 min after. The registration and appointment rows are locked for
   * the whole check, so concurrent unlocks queue up and the first one wins; the unique indexes are
   * the last line (R-EXA-6). A wrong password is recorded (real clock) and committed even though the
   * call is refused; 5 within 10 minutes lock the appointment for 10 minutes.
   */
  async unlock(ctx: ServiceContext & { clientAddress?: string }, input: { appointmentId: string; proctorPassword: string }): Promise<ExamAttempt> {
    const appointmentId = v.uuid(input.appointmentId, ['input', 'appointmentId']);
    const field = ['input', 'appointmentId'];
    // Wrong passwords spread over appointments are limited per client address too (SECURITY.md, "Brute force").
    const ticket: RateLimitTicket = ctx.clientAddress ? await consumeRateLimit(ctx.em, bruteForceRules(ctx.config).unlockPerAddress, ctx.clientAddress, ctx.clock.realNow()) : { allowed: true };
    if (!ticket.allowed) throw new DomainError('WRONG_PROCTOR_PASSWORD', 'Too many wrong proctor passwords from this address: try again later', ['input', 'proctorPassword']);
    let outcome: { attempt: ExamAttempt } | { wrong: true; lockedUntil: Date | null };
    try {
      outcome = await ctx.em.transactional(async (em) => {
        // Lock order shared with scheduling and incidents: registration, then appointment, then attempt.
        const found = await em.findOne(Appointment, { id: appointmentId });
        if (!found) throw new DomainError('NOT_FOUND', 'No appointment with this id', field);
        const reg = await em.findOneOrFail(Registration, { id: found.registration.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const a = await em.findOneOrFail(Appointment, { id: appointmentId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        if (reg.status === 'CANCELLED') throw new DomainError('REGISTRATION_CANCELLED', 'This registration is cancelled', field);
        const content = await em.findOne(ExamContent, { sessionId: a.sessionId }, { lockMode: LockMode.PESSIMISTIC_READ, populate: ['proctorPasswordHash'] });
        if (!content) throw new DomainError('EXAM_CONTENT_INVALID', 'The exam of this session has no content yet (setExamContent)', field);
        await this.assertNoAttemptUsed(em, reg, a, field);
        if (a.status !== 'BOOKED') throw new DomainError('APPOINTMENT_NOT_ACTIVE', `This appointment is ${a.status}, not BOOKED`, field);
        const now = ctx.clock.now();
        if (!isUnlockTime(a.startsAt, now)) {
          throw new DomainError(
            'NOT_APPOINTMENT_TIME',
            `The exam opens from ${UNLOCK_EARLY_MINUTES} min before the appointment (${a.startsAt.toISOString()}) to ${UNLOCK_LATE_MINUTES} min after its start (R-EXA-2)`,
            field,
          );
        }
        const real = ctx.clock.realNow();
        const locked = await this.lockedUntil(em, a.id, real);
        if (locked) throw new DomainError('WRONG_PROCTOR_PASSWORD', `Too many wrong proctor passwords: the exam of this appointment is locked until ${locked.toISOString()}`, ['input', 'proctorPassword']);
        const password = input.proctorPassword.length <= 256 ? input.proctorPassword : '';
        if (!password || !(await verifyPassword(content.proctorPasswordHash, password))) {
          await em.execute('insert into exam_unlock_failure (appointment_id, failed_at, actor) values (?, ?, ?)', [a.id, real, actorOf(ctx.viewer)]);
          audit(em, ctx, 'attempt.unlock.wrong_password', { type: 'Appointment', id: a.id });
          await em.flush();
          return { wrong: true as const, lockedUntil: await this.lockedUntil(em, a.id, real) };
        }
        const attempt = em.create(ExamAttempt, {
          registration: reg,
          appointment: a,
          sessionId: a.sessionId,
          status: 'READY',
          durationMinutes: (await em.findOneOrFail(CertificationSession, { id: a.sessionId })).examDurationMinutes,
          unlockedAt: now,
          unlockedBy: actorOf(ctx.viewer),
          parts: Array.from({ length: PARTS }, (): AttemptPartState => ({ status: 'NOT_ANSWERED', answers: null, savedAt: null, submittedAt: null })),
        });
        audit(em, ctx, 'attempt.unlock', { type: 'Attempt', id: attempt.id }, { appointmentId: a.id, registrationId: reg.id, priority: a.priority });
        await em.flush();
        return { attempt };
      });
    } catch (err) {
      await forgiveRateLimit(ctx.em, [ticket]);
      // The database's last word (R-EXA-6): a concurrent unlock already created the attempt.
      if (err instanceof UniqueConstraintViolationException) throw new DomainError('ATTEMPT_ALREADY_USED', 'An exam attempt already exists for this registration (R-EXA-1)', field);
      throw err;
    }
    if ('wrong' in outcome) {
      const message = outcome.lockedUntil
        ? `Wrong proctor password; too many wrong passwords: locked until ${outcome.lockedUntil.toISOString()}`
        : 'Wrong proctor password';
      throw new DomainError('WRONG_PROCTOR_PASSWORD', message, ['input', 'proctorPassword']);
    }
    await forgiveRateLimit(ctx.em, [ticket]);
    return outcome.attempt;
  }

  /** R-EXA-1, R-SCH-7: one attempt, unless every earlier one was voided and this is a priority appointment. */
  private async assertNoAttemptUsed(em: EntityManager, reg: Registration, a: Appointment, field: string[]): Promise<void> {
    const previous = await em.find(ExamAttempt, { registration: reg.id });
    if (!mayOpenAttempt(previous.map((p) => ({ appointmentId: p.appointment.id, status: p.status })), a)) {
      throw new DomainError('ATTEMPT_ALREADY_USED', 'The one exam attempt of this registration has been used (R-EXA-1)', field);
    }
  }

  /** The end of the lock, when 5 wrong passwords fell within 10 minutes less than 10 minutes ago (real clock). */
  private async lockedUntil(em: EntityManager, appointmentId: string, realNow: Date): Promise<Date | null> {
    const rows = await em.execute<{ until: Date | null }[]>(
      `select max(failed_at) + make_interval(mins => ?) as until from (
         select failed_at, count(*) over (order by failed_at range between make_interval(mins => ?) preceding and current row) as n
         from exam_unlock_failure where appointment_id = ? and failed_at > ?::timestamptz - make_interval(mins => ?)
       ) f where n >= ?`,
      [WRONG_PASSWORD_LOCK_MINUTES, WRONG_PASSWORD_WINDOW_MINUTES, appointmentId, realNow, WRONG_PASSWORD_LOCK_MINUTES + WRONG_PASSWORD_WINDOW_MINUTES, MAX_WRONG_PASSWORDS],
    );
    const until = rows[0]?.until ? new Date(rows[0].until) : null;
    return until && until.getTime() > realNow.getTime() ? until : null;
  }

  /** R-EXA-2: the countdown starts when the learner starts: deadline = start + duration. Starting twice is harmless. */
  async start(ctx: ServiceContext, attemptId: string): Promise<ExamAttempt> {
    const id = v.uuid(attemptId, ['attemptId']);
    await this.expireIfDue(ctx, id, ['attemptId']);
    return ctx.em.transactional(async (em) => {
      const a = await this.loadOwn(em, ctx, id, ['attemptId'], LockMode.PESSIMISTIC_WRITE);
      if (a.status === 'STARTED' && !isExpired(a, ctx.clock.now())) return a;
      if (!canTransition(a.status, 'STARTED')) throw ended();
      const now = ctx.clock.now();
      a.status = 'STARTED';
      a.startedAt = now;
      a.deadline = new Date(now.getTime() + a.durationMinutes * MINUTE);
      audit(em, ctx, 'attempt.start', { type: 'Attempt', id: a.id }, { deadline: a.deadline.toISOString() });
      return a;
    });
  }

  /** R-EXA-3 "Enregistrer": a draft of a part's answers, any number of times until its final check. */
  saveDraft(ctx: ServiceContext, input: SaveAnswersInput): Promise<ExamAttempt> {
    return this.writePart(ctx, input, false);
  }

  /** R-EXA-3 "Vérification finale": the part's answers, definitively. Only these count (R-EXA-4). */
  submitPart(ctx: ServiceContext, input: SaveAnswersInput): Promise<ExamAttempt> {
    return this.writePart(ctx, input, true);
  }

  /**
   * One statement does the work: a conditional update that matches only the learner's own STARTED
   * attempt before its deadline whose part is not finally checked (so a write never lands after the
   * timeout or a final check, whoever gets the row first), and writes its audit event with it (R-SEC-2).
   * The answers are checked first against the session's questions, memoised (see `answerSheet`). Only
   * when nothing is written is the attempt read, to say why, in the rules' order (NOT_FOUND, then the
   * attempt's state — a timeout that was due is recorded then, R-EXA-4 — then INVALID_ANSWER).
   * test/integration/save-draft-statements.test.ts counts it.
   */
  private async writePart(ctx: ServiceContext, input: SaveAnswersInput, final: boolean): Promise<ExamAttempt> {
    const id = v.uuid(input.attemptId, ['input', 'attemptId']);
    if (!Number.isInteger(input.part) || input.part < 1 || input.part > PARTS) {
      throw new DomainError('INVALID_ANSWER', `part is 1, 2 or 3; ${input.part} given`, ['input', 'part']);
    }
    const index = input.part - 1;
    for (let tries = 0; ; tries++) {
      const sheet = await this.answerSheet(ctx.em, id, tries > 0);
      let invalid: DomainError | null = null;
      if (sheet) {
        let answers: number[][] | null = null;
        try {
          answers = validateAnswers(sheet.parts[index], input.answers);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          invalid = err; // reported after the checks that come first (a stranger's attempt stays NOT_FOUND)
        }
        if (answers) {
          const written = await this.writeAnswers(ctx, id, index, answers, final, sheet.version);
          if (written) return written;
        }
      }
      // Nothing written: not theirs, not started, ended, the part final — or the answers were wrong.
      await this.expireIfDue(ctx, id, ['input', 'attemptId']);
      const a = await this.loadOwn(ctx.em.fork(), ctx, id, ['input', 'attemptId']);
      this.assertPartWritable(a, index, ctx.clock.now());
      if (invalid) throw invalid;
      // Writable after all (started meanwhile, or the exam content was replaced): once more, content re-read.
      if (tries >= 1) throw ended();
    }
  }

  /**
   * The conditional update and its audit event, in one statement (atomic without a transaction). It
   * also requires the exam content to be the version the answers were checked against.
   */
  private async writeAnswers(ctx: ServiceContext, id: string, index: number, answers: number[][], final: boolean, contentVersion: string): Promise<ExamAttempt | null> {
    const now = ctx.clock.now();
    const state: AttemptPartState = { status: final ? 'SUBMITTED' : 'DRAFT', answers, savedAt: now.toISOString(), submittedAt: final ? now.toISOString() : null };
    // R-SEC-1: a learner writes only their own attempt (visible(), in SQL); staff roles are the resolver's.
    const own = ctx.viewer.kind === 'LEARNER';
    const rows = await ctx.em.execute<Record<string, unknown>[]>(
      `with w as (
         update exam_attempt a set parts = jsonb_set(a.parts, array[?::text], ?::jsonb)
         where a.id = ? and a.status = 'STARTED' and a.deadline > ? and a.parts -> (?::int) ->> 'status' <> 'SUBMITTED'
           and exists (select 1 from exam_content c where c.session_id = a.session_id and c.updated_at = ?::timestamptz)
           ${own ? 'and exists (select 1 from registration r where r.id = a.registration_id and r.learner_id = ?)' : ''}
         returning a.*
       ), audited as (
         insert into audit_event (at, actor, action, subject_type, subject_id, details, request_id)
         select ?, ?, ?, 'Attempt', w.id::text, ?::jsonb, ? from w
       )
       select * from w`,
      [
        String(index),
        JSON.stringify(state),
        id,
        now,
        index,
        contentVersion,
        ...(own ? [ctx.viewer.learnerId ?? null] : []),
        now,
        actorOf(ctx.viewer),
        final ? 'attempt.part.submit' : 'attempt.part.save',
        JSON.stringify({ part: index + 1 }),
        ctx.requestId ?? null,
      ],
    );
    return rows[0] ? ctx.em.map(ExamAttempt, rows[0]) : null;
  }

  /**
   * The questions an attempt's answers are checked against (R-EXA-3), memoised: which session an
   * attempt belongs to never changes, and a session's exam content is frozen once any attempt exists
   * (ExamContentService.set refuses; an unlock holds the content row FOR SHARE until its attempt
   * commits). The content's `updated_at` is kept as its version and the write requires it, so content
   * replaced behind this process (a restored backup) is never used stale. `fresh` reads again.
   */
  private async answerSheet(em: EntityManager, attemptId: string, fresh: boolean): Promise<AnswerSheet | null> {
    const sessionId = fresh ? undefined : this.attemptSessions.get(attemptId);
    const cached = sessionId ? this.sheets.get(sessionId) : undefined;
    if (cached) return cached;
    const rows = await em.execute<{ session_id: string; version: string | null; parts: ExamPartView[] | null }[]>(
      'select a.session_id, c.updated_at::text as version, c.parts from exam_attempt a left join exam_content c on c.session_id = a.session_id where a.id = ?',
      [attemptId],
    );
    if (!rows[0]) return null;
    const { session_id: session, version, parts } = rows[0];
    // An attempt is unlocked only with content (R-EXA-2): none here is a broken database, not bad input.
    if (!version || !parts) throw new Error(`The exam content of session ${session} is missing`);
    const sheet = { version, parts };
    this.attemptSessions.set(attemptId, session);
    this.sheets.set(session, sheet);
    return sheet;
  }

  private assertPartWritable(a: ExamAttempt, index: number, now: Date): void {
    if (a.status === 'READY') throw new DomainError('ATTEMPT_NOT_STARTED', 'Start the attempt first (startAttempt)', ['input', 'attemptId']);
    if (a.status !== 'STARTED' || isExpired(a, now)) throw ended(undefined, ['input', 'attemptId']);
    if (a.parts[index].status === 'SUBMITTED') throw new DomainError('PART_ALREADY_SUBMITTED', `Part ${index + 1} has been finally checked: it can no longer change`, ['input', 'part']);
  }

  /** R-EXA-3 "Terminer l'examen": ends the attempt and locks it for good. */
  async finish(ctx: ServiceContext, attemptId: string): Promise<ExamAttempt> {
    const id = v.uuid(attemptId, ['attemptId']);
    await this.expireIfDue(ctx, id, ['attemptId']);
    return ctx.em.transactional(async (em) => {
      // The appointment (it becomes COMPLETED) is locked before the attempt: the lock order of the incidents' void.
      const seen = await this.loadOwn(em, ctx, id, ['attemptId']);
      await em.execute('select id from appointment where id = ? for update', [seen.appointment.id]);
      const a = await this.loadOwn(em, ctx, id, ['attemptId'], LockMode.PESSIMISTIC_WRITE);
      const now = ctx.clock.now();
      if (a.status === 'READY') throw new DomainError('ATTEMPT_NOT_STARTED', 'Start the attempt first (startAttempt)', ['attemptId']);
      if (a.status !== 'STARTED' || isExpired(a, now)) throw ended();
      a.status = 'SUBMITTED';
      a.endedBy = 'LEARNER';
      a.submittedAt = now;
      await completeAppointment(em, ctx, a.appointment.id, a.id);
      audit(em, ctx, 'attempt.finish', { type: 'Attempt', id: a.id }, { submittedAt: now.toISOString() });
      return a;
    });
  }

  /** `attempt(id)`: a learner reaches only their own (others' look absent). Reading a timed-out attempt ends it. */
  async get(ctx: ServiceContext, id: string): Promise<ExamAttempt | null> {
    if (!v.isUuid(id)) return null;
    const a = await ctx.em.findOne(ExamAttempt, { id }, { populate: ['registration'] });
    if (!a || !this.visible(ctx, a)) return null;
    if (isExpired(a, ctx.clock.now())) {
      await ctx.em.transactional((em) => endExpiredAttempts(em, timeoutContext(ctx), { ids: [a.id] }));
      await ctx.em.refresh(a);
    }
    return a;
  }

  /** The lazy half of R-EXA-4, committed on its own: a refused write still leaves the attempt ended. */
  private async expireIfDue(ctx: ServiceContext, id: string, field: string[]): Promise<void> {
    const a = await ctx.em.fork().findOne(ExamAttempt, { id }, { populate: ['registration'] });
    if (!a || !this.visible(ctx, a)) throw new DomainError('NOT_FOUND', 'No attempt with this id', field);
    if (isExpired(a, ctx.clock.now())) await ctx.em.fork().transactional((em) => endExpiredAttempts(em, timeoutContext(ctx), { ids: [id] }));
  }

  private async loadOwn(em: EntityManager, ctx: ServiceContext, id: string, field: string[], lockMode?: LockMode): Promise<ExamAttempt> {
    const a = await em.findOne(ExamAttempt, { id }, lockMode ? { lockMode, refresh: true } : { refresh: true });
    if (a) await em.populate(a, ['registration']);
    if (!a || !this.visible(ctx, a)) throw new DomainError('NOT_FOUND', 'No attempt with this id', field);
    return a;
  }

  /** R-SEC-1: a learner sees only their own attempts; staff roles are checked by the resolver. */
  visible(ctx: ServiceContext, a: ExamAttempt): boolean {
    return ctx.viewer.kind !== 'LEARNER' || a.registration.learner.id === ctx.viewer.learnerId;
  }
}

