import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { type FraudCaseStatus, isOutcome, OPEN_FRAUD_CASE_STATUSES, purgeDeadline } from '../domain/fraud-case-state';
import * as v from '../domain/validate';
import { CertificationSession, ExamAttempt, FraudCase } from '../entities';
import { type FraudCaseSource } from '../entities/fraud-case.entity';
import { type PageArgs } from '../schema/connection';
import { revokeCertificateOfRegistration } from './certificate-revocation';
import { recordCaseEvent, transition } from './fraud-case-transition';
import { type PageInclude, paginateSql, type SqlFilter } from './plain-rows';
import { publishPendingResult, voidResultForFraud } from './result-publication';

export interface OpenFraudCaseInput {
  attemptId: string;
  source: FraudCaseSource;
  summary: string;
}
export interface DecideFraudCaseInput {
  caseId: string;
  outcome: FraudCaseStatus;
  reason: string;
}
export interface FraudCaseFilter {
  status?: FraudCaseStatus | null;
  sessionId?: string | null;
  /** OPEN and UNDER_REVIEW only, ordered by purge deadline (R-EVI-5). */
  open?: boolean | null;
}

const F = (name: string) => ['input', name];
export const CASE_LOCK = { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } as const;

/** A fraud case by id, locked for the caller's transaction; NOT_FOUND otherwise. */
export async function loadCaseForUpdate(em: EntityManager, id: string, field: string[]): Promise<FraudCase> {
  const found = v.isUuid(id) ? await em.findOne(FraudCase, { id }, CASE_LOCK) : null;
  if (!found) throw new DomainError('NOT_FOUND', 'No fraud case with this id', field);
  return found;
}

/**
 * Fraud review (R-EVI-3, R-EVI-5): a case opens on an attempt from a proctor's report (INTEGRATION) or
 * by the certification team, goes under review, and is decided CLEARED or FRAUD_CONFIRMED with a reason.
 * While a case is under way the attempt's result stays PENDING (R-RES-2, see result-publication.ts);
 * CLEARED publishes it at once; FRAUD_CONFIRMED voids it and revokes any certificate (R-CER-4).
 * Legal holds on a case are LegalHoldService's.
 */
export class FraudCaseService {
  async open(ctx: ServiceContext, input: OpenFraudCaseInput): Promise<FraudCase> {
    const attemptId = v.uuid(input.attemptId, F('attemptId'));
    const summary = v.text(input.summary, F('summary'), { max: v.MAX_LONG_TEXT });
    if (ctx.viewer.kind === 'SERVICE' && input.source !== 'PROCTOR_REPORT') {
      v.fail(F('source'), 'The proctoring platform opens cases from proctor reports only (source PROCTOR_REPORT)');
    }
    try {
      return await ctx.em.transactional(async (em) => {
        const attempt = await em.findOne(ExamAttempt, { id: attemptId }, CASE_LOCK);
        if (!attempt) throw new DomainError('NOT_FOUND', 'No attempt with this id', F('attemptId'));
        if (attempt.status === 'READY') throw new DomainError('ATTEMPT_NOT_STARTED', 'The attempt has not started: there is nothing to review yet', F('attemptId'));
        if (attempt.status === 'VOIDED') throw new DomainError('ATTEMPT_VOIDED', 'The attempt was voided (provider fault): it has no result to review', F('attemptId'));
        if (await em.count(FraudCase, { attempt, status: { $in: [...OPEN_FRAUD_CASE_STATUSES] } })) throw alreadyOpen();
        const session = await em.findOneOrFail(CertificationSession, { id: attempt.sessionId });
        const retained = await em.execute<{ retain_until: Date }[]>('select retain_until from evidence where attempt_id = ?', [attempt.id]);
        const now = ctx.clock.now();
        const fraudCase = em.create(FraudCase, {
          attempt,
          registration: attempt.registration,
          session,
          source: input.source,
          summary,
          openedBy: actorOf(ctx.viewer),
          openedAt: now,
          purgeDeadline: purgeDeadline(retained.map((r) => new Date(r.retain_until)), attempt.unlockedAt, session.evidenceRetentionDays),
        });
        await em.flush(); // the history row references the case by id only (no relation to order the inserts)
        recordCaseEvent(em, ctx, fraudCase, 'OPENED', { to: 'OPEN', reason: summary }, { source: input.source, registrationId: attempt.registration.id });
        await em.flush();
        return fraudCase;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw alreadyOpen();
      throw err;
    }
  }

  /** OPEN → UNDER_REVIEW: the caller becomes the case's reviewer. */
  async startReview(ctx: ServiceContext, caseId: string): Promise<FraudCase> {
    return ctx.em.transactional(async (em) => {
      const fraudCase = await loadCaseForUpdate(em, caseId, ['caseId']);
      transition(em, ctx, fraudCase, 'UNDER_REVIEW', { field: ['caseId'] });
      fraudCase.reviewer = actorOf(ctx.viewer);
      fraudCase.reviewStartedAt = ctx.clock.now();
      await em.flush();
      return fraudCase;
    });
  }

  /** UNDER_REVIEW → CLEARED | FRAUD_CONFIRMED, with the reviewer's reason (R-EVI-3); final. */
  async decide(ctx: ServiceContext, input: DecideFraudCaseInput): Promise<FraudCase> {
    const caseId = v.uuid(input.caseId, F('caseId'));
    if (!isOutcome(input.outcome)) v.fail(F('outcome'), 'A decision is CLEARED or FRAUD_CONFIRMED');
    if (typeof input.reason !== 'string' || input.reason.trim() === '') throw new DomainError('COMMENT_REQUIRED', 'A decision needs its reason (R-EVI-3)', F('reason'));
    const reason = v.text(input.reason, F('reason'), { max: v.MAX_LONG_TEXT });
    return ctx.em.transactional(async (em) => {
      const fraudCase = await loadCaseForUpdate(em, caseId, F('caseId'));
      transition(em, ctx, fraudCase, input.outcome, { reason, field: F('caseId') });
      fraudCase.decidedBy = actorOf(ctx.viewer);
      fraudCase.decidedAt = ctx.clock.now();
      fraudCase.decisionReason = reason;
      // Written first: publication asks whether a review is still open on the attempt.
      await em.flush();
      if (input.outcome === 'CLEARED') {
        await publishPendingResult(em, ctx, fraudCase.attempt.id);
      } else {
        await voidResultForFraud(em, ctx, fraudCase.attempt.id, `Fraud confirmed: ${reason}`);
        await revokeCertificateOfRegistration(em, ctx, fraudCase.registration.id, `Fraud confirmed: ${reason}`);
      }
      await em.flush();
      return fraudCase;
    });
  }

  /** Staff list: the open queue by purge deadline (R-EVI-5), otherwise oldest opened first. Plain rows (output only), with the related rows `include` names (resolvers/prefetch.ts). */
  list(ctx: ServiceContext, filter: FraudCaseFilter, page: PageArgs, include: readonly PageInclude[] = []) {
    const q: SqlFilter = { where: [], params: [] };
    if (filter.status) {
      q.where.push('e.status = ?');
      q.params.push(filter.status);
    }
    if (filter.open != null) {
      q.where.push(`e.status ${filter.open ? 'in' : 'not in'} (?)`);
      q.params.push([...OPEN_FRAUD_CASE_STATUSES]);
    }
    if (filter.sessionId) {
      q.where.push('e.session_id = ?');
      q.params.push(v.filterId(filter.sessionId));
    }
    if (filter.open) return paginateSql(ctx.em, FraudCase, q, [{ purgeDeadline: 'asc' }, { id: 'asc' }], page, include);
    return paginateSql(ctx.em, FraudCase, q, [{ openedAt: 'asc' }, { id: 'asc' }], page, include);
  }

  async get(ctx: ServiceContext, id: string): Promise<FraudCase | null> {
    return v.isUuid(id) ? ctx.em.findOne(FraudCase, { id }) : null;
  }
}

function alreadyOpen(): DomainError {
  return new DomainError('FRAUD_REVIEW_OPEN', 'A fraud review is already under way on this attempt', F('attemptId'));
}
