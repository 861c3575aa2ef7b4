import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { type RefundEligibility, refundEligibility, refundRefusal } from '../domain/refund-eligibility';
import { canTransition, OPEN_REFUND_STATUSES, type RefundReason, type RefundStatus } from '../domain/refund-state';
import * as v from '../domain/validate';
import { Payment, ProviderIncident, RefundEvent, RefundRequest, Registration } from '../entities';
import { type PayboxDirect } from '../providers/paybox/direct-client';
import { type PageArgs } from '../schema/connection';
import { audit } from './audit.service';
import { claimIdempotencyKey } from './idempotency';
import { type PageInclude, paginateSql, type SqlFilter } from './plain-rows';
import { type ExecuteRefundInput, type RecoveryReport, RefundExecution, type RefundTestHooks, type SettleRefundManuallyInput } from './refund-execution';
import { assertStillEligible, F, invalidTransition, isReasonRefusal, loadRefund, LOCK, refundFacts, refusal, requiredComment } from './refund-rules';
import { transition } from './refund-transition';

export type { ExecuteRefundInput, RecoveryReport, RefundTestHooks, SettleRefundManuallyInput } from './refund-execution';
export { IN_FLIGHT_GRACE_MS } from './refund-execution';

export interface RequestRefundInput {
  registrationId: string;
  reason: RefundReason;
  paymentTicket: string;
  learnerFirstName: string;
  learnerLastName: string;
  username: string;
  email: string;
  incidentId?: string | null;
  comment?: string | null;
  idempotencyKey: string;
}
export interface DecideRefundInput {
  refundRequestId: string;
  comment: string;
  idempotencyKey: string;
}
export interface RefundRequestFilter {
  status?: RefundStatus | null;
  reason?: RefundReason | null;
  sessionId?: string | null;
  needsAction?: boolean | null;
}

/**
 * Refunds (R-REF): eligibility, requests, the four-eyes decision, lists. Moving the money (execution
 * through Paybox Direct, manual settlement, crash recovery) is RefundExecution's (refund-execution.ts);
 * this service hands those calls over, so resolvers and tests see one `refunds` service.
 */
export class RefundService {
  private readonly execution: RefundExecution;

  constructor(paybox: PayboxDirect) {
    this.execution = new RefundExecution(paybox);
  }

  /** Test hooks of the execution (simulated crashes around the Paybox call). */
  get testHooks(): RefundTestHooks {
    return this.execution.testHooks;
  }

  /** The contract's RefundEligibility of a registration now (staff, or the learner themself). */
  async eligibility(ctx: ServiceContext, registrationId: string): Promise<RefundEligibility> {
    const registration = await this.loadRegistration(ctx.em, ctx, registrationId, ['registrationId']);
    const payment = await ctx.em.findOne(Payment, { registration });
    return refundEligibility(await refundFacts(ctx.em, ctx, registration, payment));
  }

  /** R-REF-5: a learner (for themself), support, payments or the platform files a request. */
  async request(ctx: ServiceContext, input: RequestRefundInput): Promise<RefundRequest> {
    const data = {
      registrationId: v.uuid(input.registrationId, F('registrationId')),
      reason: input.reason,
      paymentTicket: v.text(input.paymentTicket, F('paymentTicket'), { max: 64 }),
      learnerFirstName: v.text(input.learnerFirstName, F('learnerFirstName'), { max: 150 }).replace(/\s+/g, ' '),
      learnerLastName: v.text(input.learnerLastName, F('learnerLastName'), { max: 150 }).replace(/\s+/g, ' '),
      username: v.text(input.username, F('username'), { max: 150 }),
      email: v.email(input.email, F('email')),
      incidentId: input.incidentId ? v.uuid(input.incidentId, F('incidentId')) : null,
      comment: input.comment ? v.text(input.comment, F('comment'), { max: v.MAX_LONG_TEXT, allowEmpty: true }) || null : null,
    };
    if (data.reason === 'PROVIDER_TECHNICAL_PROBLEM' && !data.incidentId) v.fail(F('incidentId'), 'A technical-problem refund names the confirmed provider incident (incidentId)');
    if (data.reason === 'WITHDRAWAL' && data.incidentId) v.fail(F('incidentId'), 'A withdrawal refund names no incident');
    try {
      return await ctx.em.transactional(async (em) => {
        // Ownership first: a key replayed by someone who may not see the registration reveals nothing.
        const registration = await this.loadRegistration(em, ctx, data.registrationId, F('registrationId'));
        const claim = await claimIdempotencyKey<{ refundRequestId: string }>(em, ctx, 'requestRefund', input.idempotencyKey, data);
        if (claim.kind === 'replay') return em.findOneOrFail(RefundRequest, { id: claim.outcome.refundRequestId });
        // The payment row lock serialises requests for one payment (the open-request index backs it).
        const payment = await em.findOne(Payment, { registration }, LOCK);
        if (!payment) throw refusal('NOT_PAID', F('registrationId'));
        if (data.paymentTicket !== payment.numTrans) {
          throw new DomainError('TICKET_MISMATCH', 'The payment ticket is not the Paybox transaction number (NUMTRANS) of this payment (R-REF-5)', F('paymentTicket'));
        }
        let incident: ProviderIncident | null = null;
        if (data.incidentId) {
          incident = await em.findOne(ProviderIncident, { id: data.incidentId });
          if (!incident) throw new DomainError('NOT_FOUND', 'No provider incident with this id', F('incidentId'));
          if (incident.registration.id !== registration.id || !incident.confirmedByProvider) {
            throw new DomainError('NO_CONFIRMED_PROVIDER_INCIDENT', 'This incident is not a provider-confirmed incident of this registration (R-REF-3, R-REF-4)', F('incidentId'));
          }
        }
        const facts = await refundFacts(em, ctx, registration, payment);
        const refused = refundRefusal(facts, data.reason);
        if (refused) throw refusal(refused, isReasonRefusal(refused) ? F('reason') : F('registrationId'));
        const now = ctx.clock.now();
        const refund = em.create(RefundRequest, {
          registration,
          payment,
          reason: data.reason,
          amountCents: payment.amountCents - payment.refundedCents,
          paymentTicket: data.paymentTicket,
          incident,
          learnerFirstName: data.learnerFirstName,
          learnerLastName: data.learnerLastName,
          username: data.username,
          email: data.email,
          comment: data.comment,
          requestedBy: actorOf(ctx.viewer),
          requestedAt: now,
          updatedAt: now,
        });
        em.create(RefundEvent, { refundRequest: refund, at: now, fromStatus: null, toStatus: 'SUBMITTED', actor: refund.requestedBy, comment: data.comment });
        audit(em, ctx, 'refund.submitted', { type: 'RefundRequest', id: refund.id }, { registrationId: registration.id, paymentId: payment.id, reason: data.reason, amountCents: refund.amountCents });
        await claim.record({ refundRequestId: refund.id });
        await em.flush();
        return refund;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw refusal('REFUND_IN_PROGRESS', F('registrationId'));
      throw err;
    }
  }

  approve(ctx: ServiceContext, input: DecideRefundInput): Promise<RefundRequest> {
    return this.decide(ctx, input, 'APPROVED');
  }

  reject(ctx: ServiceContext, input: DecideRefundInput): Promise<RefundRequest> {
    return this.decide(ctx, input, 'REJECTED');
  }

  /** R-REF-6: approve or reject, with a comment, by someone else than the requester (four eyes). */
  private async decide(ctx: ServiceContext, input: DecideRefundInput, to: 'APPROVED' | 'REJECTED'): Promise<RefundRequest> {
    const id = v.uuid(input.refundRequestId, F('refundRequestId'));
    const comment = requiredComment(input.comment);
    return ctx.em.transactional(async (em) => {
      const claim = await claimIdempotencyKey<{ refundRequestId: string }>(em, ctx, to === 'APPROVED' ? 'approveRefund' : 'rejectRefund', input.idempotencyKey, { refundRequestId: id, comment });
      if (claim.kind === 'replay') return em.findOneOrFail(RefundRequest, { id: claim.outcome.refundRequestId });
      const refund = await loadRefund(em, id);
      if (!canTransition(refund.status, to)) throw invalidTransition(refund, to);
      const actor = actorOf(ctx.viewer);
      if (actor === refund.requestedBy) {
        throw new DomainError('FOUR_EYES_REQUIRED', 'The requester of a refund cannot decide it: another person must (R-REF-6)', F('refundRequestId'));
      }
      if (to === 'APPROVED') await assertStillEligible(em, ctx, refund);
      refund.decidedBy = actor;
      refund.decidedAt = ctx.clock.now();
      refund.decisionComment = comment;
      transition(em, ctx, refund, to, comment);
      await claim.record({ refundRequestId: refund.id });
      await em.flush();
      return refund;
    });
  }

  /** Staff list, oldest request first (needsAction: not final). Plain rows (output only), with the related rows `include` names (resolvers/prefetch.ts). */
  list(ctx: ServiceContext, filter: RefundRequestFilter, page: PageArgs, include: readonly PageInclude[] = []) {
    const q: SqlFilter = { where: [], params: [] };
    if (filter.status) {
      q.where.push('e.status = ?');
      q.params.push(filter.status);
    }
    if (filter.reason) {
      q.where.push('e.reason = ?');
      q.params.push(filter.reason);
    }
    if (filter.needsAction != null) {
      q.where.push(`e.status ${filter.needsAction ? 'in' : 'not in'} (?)`);
      q.params.push([...OPEN_REFUND_STATUSES]);
    }
    if (filter.sessionId) {
      q.join = 'join registration r on r.id = e.registration_id';
      q.where.push('r.session_id = ?');
      q.params.push(v.filterId(filter.sessionId));
    }
    return paginateSql(ctx.em, RefundRequest, q, [{ requestedAt: 'asc' }, { id: 'asc' }], page, include);
  }

  /** One request: staff, or the learner whose registration it is (others' look absent). */
  async get(ctx: ServiceContext, id: string): Promise<RefundRequest | null> {
    if (!v.isUuid(id)) return null;
    const refund = await ctx.em.findOne(RefundRequest, { id }, { populate: ['registration'] });
    if (!refund || (ctx.viewer.kind === 'LEARNER' && refund.registration.learner.id !== ctx.viewer.learnerId)) return null;
    return refund;
  }

  private async loadRegistration(em: EntityManager, ctx: ServiceContext, id: string, field: string[]): Promise<Registration> {
    const r = v.isUuid(id) ? await em.findOne(Registration, { id }) : null;
    if (!r || (ctx.viewer.kind === 'LEARNER' && ctx.viewer.learnerId !== r.learner.id)) throw new DomainError('NOT_FOUND', 'No registration with this id', field);
    return r;
  }

  /** R-REF-7: see RefundExecution.execute. */
  execute(ctx: ServiceContext, input: ExecuteRefundInput): Promise<RefundRequest> {
    return this.execution.execute(ctx, input);
  }

  /** R-PAY-3, R-REF-6: see RefundExecution.settleManually. */
  settleManually(ctx: ServiceContext, input: SettleRefundManuallyInput): Promise<RefundRequest> {
    return this.execution.settleManually(ctx, input);
  }

  /** R-REF-7, start-up: see RefundExecution.recoverInterrupted. */
  recoverInterrupted(ctx: ServiceContext, opts: { olderThanMs?: number } = {}): Promise<RecoveryReport> {
    return this.execution.recoverInterrupted(ctx, opts);
  }
}
