import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { canTransition, type FraudCaseStatus } from '../domain/fraud-case-state';
import { FraudCaseEvent, type FraudCase } from '../entities';
import { audit } from './audit.service';

type Ctx = Pick<ServiceContext, 'viewer' | 'clock' | 'requestId'>;

/**
 * One line of a case's history (append-only) and its audit event, in the caller's transaction: the
 * opening, each status change, a legal hold placed or released (R-EVI-3, R-EVI-4, R-SEC-2).
 */
export function recordCaseEvent(
  em: EntityManager,
  ctx: Ctx,
  fraudCase: FraudCase,
  action: string,
  change: { from?: FraudCaseStatus | null; to?: FraudCaseStatus | null; reason?: string | null },
  details: Record<string, unknown> = {},
): FraudCaseEvent {
  const event = em.create(FraudCaseEvent, {
    caseId: fraudCase.id,
    at: ctx.clock.now(),
    actor: actorOf(ctx.viewer),
    action,
    fromStatus: change.from ?? null,
    toStatus: change.to ?? null,
    reason: change.reason ?? null,
  });
  audit(em, ctx, `fraud_case.${action.toLowerCase()}`, { type: 'FraudCase', id: fraudCase.id }, {
    attemptId: fraudCase.attempt.id,
    ...(change.from ? { from: change.from } : {}),
    ...(change.to ? { to: change.to } : {}),
    ...(change.reason ? { reason: change.reason } : {}),
    ...details,
  });
  return event;
}

/**
 * The only way a fraud case changes status (R-EVI-3): checks the transition table, changes the status,
 * writes the history row and the audit event.
 */
export function transition(
  em: EntityManager,
  ctx: Ctx,
  fraudCase: FraudCase,
  to: FraudCaseStatus,
  opts: { reason?: string | null; field?: string[]; details?: Record<string, unknown> } = {},
): FraudCaseEvent {
  const from = fraudCase.status;
  if (!canTransition(from, to)) {
    throw new DomainError('INVALID_TRANSITION', `A ${from} fraud case cannot become ${to} (R-EVI-3)`, opts.field ?? ['caseId']);
  }
  fraudCase.status = to;
  return recordCaseEvent(em, ctx, fraudCase, to, { from, to, reason: opts.reason }, opts.details);
}
