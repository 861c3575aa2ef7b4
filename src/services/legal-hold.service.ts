import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { type FraudCase, LegalHold } from '../entities';
import { loadCaseForUpdate } from './fraud-case.service';
import { recordCaseEvent } from './fraud-case-transition';

export interface LegalHoldInput {
  caseId: string;
  reason: string;
}

const F = (name: string) => ['input', name];

/**
 * R-EVI-4 (design): a legal hold on a case defers the purge of its attempt's evidence until released.
 * ADMIN only (resolver), always with a reason; one active hold per case (database); placing and
 * releasing are in the case's history and the audit log. A case of any status may be held (a dispute
 * may follow a decision).
 */
export class LegalHoldService {
  async place(ctx: ServiceContext, input: LegalHoldInput): Promise<FraudCase> {
    const { caseId, reason } = checked(input);
    try {
      return await ctx.em.transactional(async (em) => {
        const fraudCase = await loadCaseForUpdate(em, caseId, F('caseId'));
        if (await em.count(LegalHold, { fraudCase, releasedAt: null })) throw holdActive();
        // Lock the attempt's evidence: a purge batch holding some of it commits first (those objects are
        // gone, the hold keeps the rest); a later batch sees the hold (it re-checks after locking).
        await em.execute('select id from evidence where attempt_id = ? order by id for update', [fraudCase.attempt.id]);
        em.create(LegalHold, { fraudCase, attempt: fraudCase.attempt, placedBy: actorOf(ctx.viewer), placedAt: ctx.clock.now(), reason });
        recordCaseEvent(em, ctx, fraudCase, 'LEGAL_HOLD_PLACED', { reason });
        await em.flush();
        return fraudCase;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw holdActive();
      throw err;
    }
  }

  /** Ends the active hold: evidence past its retention goes at the purge's next run. */
  async release(ctx: ServiceContext, input: LegalHoldInput): Promise<FraudCase> {
    const { caseId, reason } = checked(input);
    return ctx.em.transactional(async (em) => {
      const fraudCase = await loadCaseForUpdate(em, caseId, F('caseId'));
      const hold = await em.findOne(LegalHold, { fraudCase, releasedAt: null });
      if (!hold) throw new DomainError('NO_LEGAL_HOLD', 'This case has no active legal hold', F('caseId'));
      hold.releasedBy = actorOf(ctx.viewer);
      hold.releasedAt = ctx.clock.now();
      hold.releaseReason = reason;
      recordCaseEvent(em, ctx, fraudCase, 'LEGAL_HOLD_RELEASED', { reason }, { placedAt: hold.placedAt.toISOString() });
      await em.flush();
      return fraudCase;
    });
  }
}

function checked(input: LegalHoldInput): LegalHoldInput {
  const caseId = v.uuid(input.caseId, F('caseId'));
  if (typeof input.reason !== 'string' || input.reason.trim() === '') throw new DomainError('COMMENT_REQUIRED', 'A legal hold is placed and released with a reason (R-EVI-4)', F('reason'));
  return { caseId, reason: v.text(input.reason, F('reason'), { max: v.MAX_LONG_TEXT }) };
}

function holdActive(): DomainError {
  return new DomainError('LEGAL_HOLD_ACTIVE', 'This case is under a legal hold already', F('caseId'));
}
