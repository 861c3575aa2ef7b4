import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { canTransition, type RefundStatus } from '../domain/refund-state';
import { RefundEvent, type RefundRequest } from '../entities';
import { audit } from './audit.service';

/**
 * The only way a refund changes state (R-REF-6): checks the transition table, changes the status,
 * writes the RefundEvent history row and the audit event, in the caller's transaction.
 */
export function transition(
  em: EntityManager,
  ctx: ServiceContext,
  refund: RefundRequest,
  to: RefundStatus,
  comment?: string | null,
  providerCode?: string | null,
  details: Record<string, unknown> = {},
): RefundEvent {
  const from = refund.status;
  if (!canTransition(from, to)) {
    throw new DomainError('INVALID_TRANSITION', `A ${from} refund request cannot become ${to}`, ['input', 'refundRequestId'], { refundRequest: refund });
  }
  const now = ctx.clock.now();
  refund.status = to;
  refund.updatedAt = now;
  const event = em.create(RefundEvent, { refundRequest: refund, at: now, fromStatus: from, toStatus: to, actor: actorOf(ctx.viewer), comment: comment ?? null, providerCode: providerCode ?? null });
  audit(em, ctx, `refund.${to.toLowerCase()}`, { type: 'RefundRequest', id: refund.id }, { from, to, ...(comment ? { comment } : {}), ...(providerCode ? { providerCode } : {}), ...details });
  return event;
}
