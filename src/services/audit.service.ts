import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import * as v from '../domain/validate';
import { AuditEvent } from '../entities';
import { type PageArgs, paginate } from '../schema/connection';

export interface AuditFilter {
  subjectId?: string | null;
  action?: string | null;
  actor?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * R-SEC-2: writes one audit event in the caller's transaction (so a rolled-back change leaves no
 * trace and a committed one always has its row). Every state change goes through here.
 */
export function audit(
  em: EntityManager,
  ctx: Pick<ServiceContext, 'viewer' | 'clock' | 'requestId'>,
  action: string,
  subject: { type: string; id: string },
  details?: Record<string, unknown>,
): AuditEvent {
  const event = em.create(AuditEvent, {
    at: ctx.clock.now(),
    actor: actorOf(ctx.viewer),
    action,
    subjectType: subject.type,
    subjectId: subject.id,
    details: details ?? null,
    requestId: ctx.requestId,
  });
  em.persist(event);
  return event;
}

export class AuditService {
  /** Newest first. */
  list(ctx: ServiceContext, filter: AuditFilter, page: PageArgs) {
    const where: Record<string, unknown> = {};
    if (filter.subjectId) where.subjectId = v.text(filter.subjectId, ['filter', 'subjectId']);
    if (filter.action) where.action = v.text(filter.action, ['filter', 'action']);
    if (filter.actor) where.actor = v.text(filter.actor, ['filter', 'actor']);
    if (filter.from || filter.to) where.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lte: filter.to } : {}) };
    return paginate(ctx.em, AuditEvent, where, [{ id: 'desc' }], page);
  }
}
