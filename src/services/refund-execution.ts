import { type EntityManager } from '@mikro-orm/postgresql';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { canTransition } from '../domain/refund-state';
import * as v from '../domain/validate';
import { Payment, RefundRequest, Registration } from '../entities';
import { BACKUP_CODES, type PayboxAnswer, type PayboxDirect, PayboxUnknownOutcomeError } from '../providers/paybox/direct-client';
import { audit } from './audit.service';
import { claimIdempotencyKey } from './idempotency';
import { assertStillEligible, F, invalidTransition, loadRefund, LOCK, requiredComment } from './refund-rules';
import { transition } from './refund-transition';
import { cancelFutureAppointments } from './scheduling-hooks';

export interface ExecuteRefundInput {
  refundRequestId: string;
  idempotencyKey: string;
}
export interface SettleRefundManuallyInput {
  refundRequestId: string;
  method: 'BANK_TRANSFER' | 'PAYBOX_BACK_OFFICE';
  reference: string;
  comment: string;
}

/** What an executeRefund idempotency key remembers: pending until the provider's answer is recorded. */
type ExecuteOutcome = { refundRequestId: string; pending?: boolean; error?: { code: string; message: string } };

export interface RefundTestHooks {
  /** Runs after PROCESSING is committed and before Paybox is called: a test throws here to simulate a crash before the call. */
  beforeProviderCall?: (refund: RefundRequest) => void | Promise<void>;
  /** Runs after Paybox answered and before the outcome is recorded: a test throws here to simulate a crash. */
  afterProviderAnswer?: (refund: RefundRequest, answer: PayboxAnswer | undefined) => void | Promise<void>;
}

export interface RecoveryReport {
  succeeded: number;
  failed: number;
  /** Paybox could not be asked: left PROCESSING for the next pass. */
  unknown: number;
  /** PROCESSING for less than `olderThanMs`: possibly in flight in another instance, left alone. */
  skipped: number;
}

/**
 * A refund PROCESSING for less than this may still be waiting for Paybox (in this or another
 * instance): it is not consulted yet. The client's worst case is two hosts × 20 s.
 */
export const IN_FLIGHT_GRACE_MS = 60_000;
/** How long a caller replaying a pending executeRefund key waits for the outcome. */
const REPLAY_WAIT_MS = 30_000;

/**
 * Moving the money (R-REF-7, R-REF-8, R-PAY-3): execution through Paybox Direct exactly once,
 * manual settlement, and the resolution of refunds left PROCESSING by consulting Paybox. A refund
 * moves to PROCESSING with a fresh NUMQUESTION in a committed transaction; Paybox is called after that
 * commit and outside any transaction; its answer is recorded in a second transaction. A request found
 * PROCESSING later is resolved by asking Paybox about its NUMQUESTION, never by calling again.
 */
export class RefundExecution {
  readonly testHooks: RefundTestHooks = {};

  constructor(private readonly paybox: PayboxDirect) {}

  /**
   * Executes an approved (or failed, for a retry) refund through Paybox Direct, exactly once:
   * 1. one committed transaction: row lock, state and eligibility checks, APPROVED|FAILED → PROCESSING
   *    with a fresh NUMQUESTION saved;
   * 2. the Paybox call, outside any transaction;
   * 3. a new transaction records SUCCEEDED (and its effects) or FAILED.
   * (design) A Paybox refusal returns the refund, now FAILED, together with a PROVIDER_ERROR: the
   * one payload where an error comes with a change, because the attempt did happen and is recorded.
   * No answer at all (timeout): the refund stays PROCESSING, PROVIDER_ERROR. A PROCESSING refund is
   * never sent again: within IN_FLIGHT_GRACE_MS it is REFUND_IN_PROGRESS; past it, this call (like
   * the start-up recovery) consults Paybox about its NUMQUESTION and records what Paybox says. The
   * same idempotency key gives the same result; a retry after FAILED takes a new key.
   */
  async execute(ctx: ServiceContext, input: ExecuteRefundInput): Promise<RefundRequest> {
    const id = v.uuid(input.refundRequestId, F('refundRequestId'));
    type Started =
      | { replay: ExecuteOutcome }
      | { replay?: undefined; stale: RefundRequest; payment: Payment }
      | { replay?: undefined; stale?: undefined; refund: RefundRequest; payment: Payment; numQuestion: string };
    const started = await ctx.em.transactional(async (em): Promise<Started> => {
      const claim = await claimIdempotencyKey<ExecuteOutcome>(em, ctx, 'executeRefund', input.idempotencyKey, { refundRequestId: id });
      if (claim.kind === 'replay') return { replay: claim.outcome };
      const refund = await loadRefund(em, id);
      if (refund.status === 'PROCESSING') {
        // Left PROCESSING long ago (no answer from Paybox, or a crash): ask Paybox what became of it.
        if (ctx.clock.now().getTime() - refund.updatedAt.getTime() >= IN_FLIGHT_GRACE_MS) {
          await claim.record({ refundRequestId: refund.id, pending: true });
          return { stale: refund, payment: await em.findOneOrFail(Payment, { id: refund.payment.id }) };
        }
        throw new DomainError('REFUND_IN_PROGRESS', 'This refund is being executed', F('refundRequestId'), { refundRequest: refund });
      }
      if (!canTransition(refund.status, 'PROCESSING')) throw invalidTransition(refund, 'PROCESSING');
      const payment = await assertStillEligible(em, ctx, refund);
      if (payment.eCarteBleue) {
        throw new DomainError('E_CARTE_BLEUE_NOT_REFUNDABLE', 'The payment was made with an e-Carte Bleue: Paybox cannot refund it, settle it manually (bank transfer) (R-PAY-3)', F('refundRequestId'));
      }
      const rows = await em.execute<{ n: string }[]>(`select nextval('paybox_numquestion_seq')::text as n`);
      const numQuestion = rows[0].n.padStart(10, '0');
      refund.providerRequestNumber = numQuestion;
      refund.providerResponseCode = null;
      transition(em, ctx, refund, 'PROCESSING', `NUMQUESTION ${numQuestion}`, null, { numQuestion });
      await claim.record({ refundRequestId: refund.id, pending: true });
      await em.flush();
      return { refund, payment, numQuestion };
    });
    if (started.replay) return this.replayExecute(ctx, input.idempotencyKey.normalize('NFC').trim(), started.replay);
    if (started.stale) {
      const { refund: resolved, error } = await this.consult(ctx, started.stale, started.payment, input.idempotencyKey);
      if (error) throw new DomainError(error.code, error.message, F('refundRequestId'), { refundRequest: resolved });
      return resolved;
    }

    const { refund, payment, numQuestion } = started;
    await this.testHooks.beforeProviderCall?.(refund);
    let answer: PayboxAnswer | undefined;
    try {
      // DATEQ is when the call is really made (Paybox's record), hence the real clock, not the domain one.
      answer = await this.paybox.refund({ numQuestion, amountCents: refund.amountCents, reference: refund.id, numAppel: payment.numAppel, numTrans: payment.numTrans, at: ctx.clock.realNow() });
    } catch (err) {
      if (!(err instanceof PayboxUnknownOutcomeError)) throw err;
      ctx.log.warn({ err, refundRequestId: id, numQuestion }, 'Paybox refund: outcome unknown, left PROCESSING until consulted');
    }
    await this.testHooks.afterProviderAnswer?.(refund, answer);
    if (!answer) {
      const error = { code: 'PROVIDER_ERROR', message: 'Paybox gave no answer: the refund stays PROCESSING until its outcome is confirmed by consulting Paybox' };
      await this.recordOutcome(ctx.em.fork(), input.idempotencyKey, { refundRequestId: id, error });
      throw new DomainError(error.code, error.message, F('refundRequestId'), { refundRequest: refund });
    }
    const { refund: recorded, error } = await this.recordAnswer(ctx, id, numQuestion, answer, input.idempotencyKey);
    if (error) throw new DomainError(error.code, error.message, F('refundRequestId'), { refundRequest: recorded });
    return recorded;
  }

  /**
   * R-PAY-3, R-REF-6: an APPROVED or FAILED refund paid another way (bank transfer, Paybox back-office),
   * with its reference; same effects as a Paybox success.
   */
  async settleManually(ctx: ServiceContext, input: SettleRefundManuallyInput): Promise<RefundRequest> {
    const id = v.uuid(input.refundRequestId, F('refundRequestId'));
    if (!['BANK_TRANSFER', 'PAYBOX_BACK_OFFICE'].includes(input.method)) v.fail(F('method'), 'Unknown settlement method');
    const reference = v.text(input.reference, F('reference'), { max: 255 });
    const comment = requiredComment(input.comment);
    return ctx.em.transactional(async (em) => {
      const refund = await loadRefund(em, id);
      if (refund.status === 'PROCESSING') throw new DomainError('REFUND_IN_PROGRESS', 'This refund is being executed through Paybox', F('refundRequestId'), { refundRequest: refund });
      if (!canTransition(refund.status, 'SETTLED_MANUALLY')) throw invalidTransition(refund, 'SETTLED_MANUALLY');
      await assertStillEligible(em, ctx, refund);
      refund.settlementMethod = input.method;
      refund.settlementReference = reference;
      refund.completedAt = ctx.clock.now();
      transition(em, ctx, refund, 'SETTLED_MANUALLY', comment, null, { method: input.method, reference });
      await this.applyRefunded(em, ctx, refund);
      await em.flush();
      return refund;
    });
  }

  /**
   * Crash recovery (R-REF-7), run at start-up before anything can retry: every refund left PROCESSING
   * is resolved by consulting Paybox about its NUMQUESTION: found → SUCCEEDED (with its effects), not
   * found → FAILED (retryable). Paybox unreachable: left PROCESSING for the next pass.
   * `olderThanMs`: skip requests that moved to PROCESSING more recently (another instance may be
   * waiting for Paybox's answer right now).
   */
  async recoverInterrupted(ctx: ServiceContext, opts: { olderThanMs?: number } = {}): Promise<RecoveryReport> {
    const report: RecoveryReport = { succeeded: 0, failed: 0, unknown: 0, skipped: 0 };
    const cutoff = new Date(ctx.clock.now().getTime() - (opts.olderThanMs ?? 0));
    const stuck = await ctx.em.fork().find(RefundRequest, { status: 'PROCESSING' }, { populate: ['payment'], orderBy: { updatedAt: 'asc', id: 'asc' } });
    for (const refund of stuck) {
      if (refund.updatedAt.getTime() > cutoff.getTime()) {
        report.skipped++;
        continue;
      }
      const { refund: done } = await this.consult(ctx, refund, refund.payment);
      if (done.status === 'SUCCEEDED') report.succeeded++;
      else if (done.status === 'FAILED') report.failed++;
      else report.unknown++;
    }
    return report;
  }

  /**
   * Resolves a PROCESSING refund by consulting Paybox about its NUMQUESTION (TYPE 00017), never by
   * calling again: found → SUCCEEDED, not found → FAILED (retryable), no usable answer → unchanged.
   */
  private async consult(
    ctx: ServiceContext,
    refund: RefundRequest,
    payment: Payment,
    idempotencyKey?: string,
  ): Promise<{ refund: RefundRequest; error?: { code: string; message: string } }> {
    const numQuestion = refund.providerRequestNumber!;
    let answer: PayboxAnswer | undefined;
    try {
      answer = await this.paybox.inquire({ numQuestion, reference: refund.id, numAppel: payment.numAppel, numTrans: payment.numTrans, at: ctx.clock.realNow() });
    } catch (err) {
      if (!(err instanceof PayboxUnknownOutcomeError)) throw err;
    }
    if (!answer || BACKUP_CODES.has(answer.codeReponse)) {
      const error = { code: 'PROVIDER_ERROR', message: 'Paybox could not be consulted: the refund stays PROCESSING' };
      if (idempotencyKey) await this.recordOutcome(ctx.em.fork(), idempotencyKey, { refundRequestId: refund.id, error });
      ctx.log.warn({ refundRequestId: refund.id, numQuestion, code: answer?.codeReponse }, 'refund consultation: Paybox gave no usable answer');
      return { refund, error };
    }
    const found = answer.codeReponse === '00000' && Boolean(answer.numTrans);
    const outcome: PayboxAnswer = found ? answer : { ...answer, commentaire: `Not found at Paybox after an interruption (${answer.codeReponse}${answer.commentaire ? `: ${answer.commentaire}` : ''})` };
    const recorded = await this.recordAnswer(ctx, refund.id, numQuestion, outcome, idempotencyKey);
    ctx.log.info({ refundRequestId: refund.id, numQuestion, status: recorded.refund.status }, 'refund resolved by consulting Paybox');
    return recorded;
  }

  /** Phase 3 of execute, and consultation: records Paybox's answer on a still-PROCESSING refund. */
  private async recordAnswer(
    ctx: ServiceContext,
    id: string,
    numQuestion: string,
    answer: PayboxAnswer,
    idempotencyKey?: string,
  ): Promise<{ refund: RefundRequest; error?: { code: string; message: string } }> {
    return ctx.em.transactional(async (em) => {
      const refund = await em.findOneOrFail(RefundRequest, { id }, LOCK);
      // Already resolved (by recovery, or the original call): nothing more to record.
      if (refund.status !== 'PROCESSING' || refund.providerRequestNumber !== numQuestion) return { refund };
      let error: { code: string; message: string } | undefined;
      if (answer.codeReponse === '00000' && answer.numTrans) {
        refund.providerReference = answer.numTrans;
        refund.providerResponseCode = answer.codeReponse;
        refund.completedAt = ctx.clock.now();
        transition(em, ctx, refund, 'SUCCEEDED', answer.commentaire ?? null, answer.codeReponse, { numQuestion, numTrans: answer.numTrans });
        await this.applyRefunded(em, ctx, refund);
      } else {
        refund.providerResponseCode = answer.codeReponse || 'NO_CODE';
        transition(em, ctx, refund, 'FAILED', answer.commentaire ?? null, refund.providerResponseCode, { numQuestion });
        error = { code: 'PROVIDER_ERROR', message: `Paybox refused the refund: CODEREPONSE ${refund.providerResponseCode}${answer.commentaire ? ` (${answer.commentaire})` : ''}. It may be retried or settled manually.` };
      }
      if (idempotencyKey) await this.recordOutcome(em, idempotencyKey, { refundRequestId: id, ...(error ? { error } : {}) });
      await em.flush();
      return { refund, error };
    });
  }

  /** The final outcome of an executeRefund key (claimed as pending in phase 1). */
  private async recordOutcome(em: EntityManager, idempotencyKey: string, outcome: ExecuteOutcome): Promise<void> {
    await em.execute(`update idempotency_record set outcome = ? where scope = 'executeRefund' and key = ?`, [JSON.stringify(outcome), idempotencyKey.normalize('NFC').trim()], 'run');
  }

  /**
   * The same key again: the same refund and, once known, the same outcome. While the first call is
   * still with Paybox, waits for its answer to be recorded (or for recovery to resolve the refund).
   */
  private async replayExecute(ctx: ServiceContext, key: string, first: ExecuteOutcome): Promise<RefundRequest> {
    const id = first.refundRequestId;
    let outcome = first;
    const until = Date.now() + REPLAY_WAIT_MS;
    while (outcome.pending && Date.now() < until) {
      const em = ctx.em.fork();
      const rows = await em.execute<{ outcome: ExecuteOutcome }[]>(`select outcome from idempotency_record where scope = 'executeRefund' and key = ?`, [key]);
      outcome = rows[0]?.outcome ?? outcome;
      if (!outcome.pending) break;
      const current = await em.findOneOrFail(RefundRequest, { id });
      if (current.status !== 'PROCESSING') break; // resolved by recovery, not by the first call
      await new Promise((r) => setTimeout(r, 25));
    }
    const refund = await ctx.em.findOneOrFail(RefundRequest, { id }, { refresh: true });
    if (outcome.error) throw new DomainError(outcome.error.code, outcome.error.message, F('refundRequestId'), { refundRequest: refund });
    return refund;
  }

  /** R-REF-7, R-REF-8: the payment is refunded, the registration cancelled with its future appointments. */
  private async applyRefunded(em: EntityManager, ctx: ServiceContext, refund: RefundRequest): Promise<void> {
    const now = ctx.clock.now();
    const payment = await em.findOneOrFail(Payment, { id: refund.payment.id }, LOCK);
    if (payment.refundedCents + refund.amountCents > payment.amountCents) throw new Error(`Refund ${refund.id} would exceed the paid amount`);
    payment.refundedCents += refund.amountCents;
    payment.status = 'REFUNDED';
    audit(em, ctx, 'payment.refunded', { type: 'Payment', id: payment.id }, { refundRequestId: refund.id, refundedCents: payment.refundedCents });
    const registration = await em.findOneOrFail(Registration, { id: refund.registration.id }, LOCK);
    if (registration.status !== 'CANCELLED') {
      registration.status = 'CANCELLED';
      registration.cancelledAt = now;
      registration.cancellationReason = 'refund';
      audit(em, ctx, 'registration.cancel', { type: 'Registration', id: registration.id }, { reason: 'refund', refundRequestId: refund.id });
    }
    await cancelFutureAppointments(em, ctx, registration.id, 'refund');
  }
}
