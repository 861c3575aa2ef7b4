import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { nextStep, normalizeName, type RegistrationStep } from '../domain/registration';
import * as v from '../domain/validate';
import { CertificationSession, Learner, Registration } from '../entities';
import { type PageArgs } from '../schema/connection';
import { audit } from './audit.service';
import { assertOwnLearner, likeEscape } from './learner.service';
import { type PageInclude, paginateSql, type SqlFilter } from './plain-rows';

export interface StartRegistrationInput {
  sessionId: string;
  learnerId: string;
  dunEnrolled?: boolean | null;
}
export interface RegistrationFilter {
  sessionId?: string | null;
  status?: string | null;
  search?: string | null;
}

export function registrationStep(r: Registration): RegistrationStep {
  return nextStep({ ...r, paid: Boolean(r.paidAt) });
}

/** R-REG-1..6: activation, then the steps in order; the name lock is final. */
export class RegistrationService {
  async start(ctx: ServiceContext, input: StartRegistrationInput): Promise<Registration> {
    const sessionId = v.uuid(input.sessionId, ['input', 'sessionId']);
    const learnerId = v.uuid(input.learnerId, ['input', 'learnerId']);
    assertOwnLearner(ctx, learnerId, ['input', 'learnerId']);
    // R-REG-4: DUN enrolment exempts from payment, so only the platform or support may declare it.
    if (input.dunEnrolled && ctx.viewer.kind === 'LEARNER') {
      v.fail(['input', 'dunEnrolled'], 'DUN enrolment is declared by the platform or support, not by the learner');
    }
    try {
      return await ctx.em.transactional(async (em) => {
        const session = await em.findOne(CertificationSession, { id: sessionId });
        if (!session) throw new DomainError('NOT_FOUND', 'No certification session with this id', ['input', 'sessionId']);
        const learner = await em.findOne(Learner, { id: learnerId });
        if (!learner) throw new DomainError('NOT_FOUND', 'No learner with this id', ['input', 'learnerId']);
        if (await em.count(Registration, { learner, session })) throw alreadyRegistered();
        const registration = em.create(Registration, {
          session,
          learner,
          dunExempt: Boolean(input.dunEnrolled),
          createdAt: ctx.clock.now(),
          createdBy: actorOf(ctx.viewer),
        });
        audit(em, ctx, 'registration.start', { type: 'Registration', id: registration.id }, { sessionId, learnerId, dunExempt: registration.dunExempt });
        await em.flush();
        return registration;
      });
    } catch (err) {
      // Two simultaneous activations: the unique constraint keeps one (R-REG-6).
      if (err instanceof UniqueConstraintViolationException) throw alreadyRegistered();
      throw err;
    }
  }

  /** Step 1 (R-REG-1, R-TEC): the learner acknowledges the technical requirements. */
  acknowledgeRequirements(ctx: ServiceContext, registrationId: string): Promise<Registration> {
    return this.step(ctx, registrationId, ['registrationId'], 'ACKNOWLEDGE_REQUIREMENTS', (em, r) => {
      r.requirementsAcknowledgedAt = ctx.clock.now();
      audit(em, ctx, 'registration.requirements.acknowledge', { type: 'Registration', id: r.id });
    });
  }

  /** Step 2: FUN and ProctorU terms, stored with their version and instant. */
  acceptTerms(ctx: ServiceContext, input: { registrationId: string; termsVersion: string }): Promise<Registration> {
    const termsVersion = v.text(input.termsVersion, ['input', 'termsVersion'], { max: 64 });
    return this.step(ctx, input.registrationId, ['input', 'registrationId'], 'ACCEPT_TERMS', (em, r) => {
      r.termsVersion = termsVersion;
      r.termsAcceptedAt = ctx.clock.now();
      audit(em, ctx, 'registration.terms.accept', { type: 'Registration', id: r.id }, { termsVersion });
    });
  }

  /**
   * Step 3 (R-REG-2, R-REG-3): the name is normalised (no case change), copied and locked for good.
   * DUN-exempt registrations are ACTIVE from here (R-REG-4).
   */
  lockName(ctx: ServiceContext, input: { registrationId: string; givenName: string; familyName: string }): Promise<Registration> {
    const givenName = normalizeName(v.text(input.givenName, ['input', 'givenName']));
    const familyName = normalizeName(v.text(input.familyName, ['input', 'familyName']));
    return this.step(ctx, input.registrationId, ['input', 'registrationId'], 'LOCK_NAME', (em, r) => {
      r.lockedGivenName = givenName;
      r.lockedFamilyName = familyName;
      r.nameLockedAt = ctx.clock.now();
      if (r.dunExempt) r.status = 'ACTIVE';
      audit(em, ctx, 'registration.name.lock', { type: 'Registration', id: r.id }, { status: r.status });
    });
  }

  private async step(
    ctx: ServiceContext,
    registrationId: string,
    field: string[],
    expected: RegistrationStep,
    apply: (em: EntityManager, r: Registration) => void,
  ): Promise<Registration> {
    const id = v.uuid(registrationId, field);
    return ctx.em.transactional(async (em) => {
      const r = await this.load(em, ctx, id, field, LockMode.PESSIMISTIC_WRITE);
      if (r.status === 'CANCELLED') throw new DomainError('REGISTRATION_CANCELLED', 'This registration is cancelled', field);
      const step = registrationStep(r);
      if (expected === 'LOCK_NAME' && r.nameLockedAt) throw new DomainError('NAME_LOCKED', 'The name is locked and can no longer change (R-REG-2)', ['input', 'givenName']);
      if (step !== expected) {
        const done = ['ACKNOWLEDGE_REQUIREMENTS', 'ACCEPT_TERMS', 'LOCK_NAME', 'PAY', 'DONE'];
        const message = done.indexOf(step) > done.indexOf(expected) ? `This step is done already; the next step is ${step}` : `Do the step ${step} first`;
        throw new DomainError('STEP_OUT_OF_ORDER', message, field);
      }
      apply(em, r);
      return r;
    });
  }

  /** Loads a registration the viewer may see (a learner sees only their own; others' look absent). */
  async load(em: EntityManager, ctx: ServiceContext, id: string, field: string[], lockMode?: LockMode): Promise<Registration> {
    const r = v.isUuid(id) ? await em.findOne(Registration, { id }, lockMode ? { lockMode } : {}) : null;
    if (!r || (ctx.viewer.kind === 'LEARNER' && ctx.viewer.learnerId !== r.learner.id)) {
      throw new DomainError('NOT_FOUND', 'No registration with this id', field);
    }
    return r;
  }

  async get(ctx: ServiceContext, id: string): Promise<Registration | null> {
    try {
      return await this.load(ctx.em, ctx, id, ['id']);
    } catch (err) {
      if (err instanceof DomainError) return null;
      throw err;
    }
  }

  /** Staff list (R-SUP-1 search on the learner), oldest first; a learner lists their own. Plain rows (output only), with the related rows `include` names (resolvers/prefetch.ts). */
  list(ctx: ServiceContext, filter: RegistrationFilter, page: PageArgs, include: readonly PageInclude[] = []) {
    const q: SqlFilter = { where: [], params: [] };
    if (filter.sessionId) {
      q.where.push('e.session_id = ?');
      q.params.push(v.filterId(filter.sessionId));
    }
    if (filter.status) {
      q.where.push('e.status = ?');
      q.params.push(filter.status);
    }
    const term = filter.search?.trim().toLowerCase();
    if (term && term.length > 255) v.fail(['filter', 'search'], 'search must be at most 255 characters');
    if (ctx.viewer.kind === 'LEARNER') {
      q.where.push('e.learner_id = ?');
      q.params.push(ctx.viewer.learnerId);
    } else if (term) {
      const like = `%${likeEscape(term)}%`;
      q.join = 'join learner l on l.id = e.learner_id';
      q.where.push('(l.email ilike ? or l.username ilike ? or l.given_name ilike ? or l.family_name ilike ? or l.external_id ilike ?)');
      q.params.push(like, like, like, like, like);
    }
    return paginateSql(ctx.em, Registration, q, [{ createdAt: 'asc' }, { id: 'asc' }], page, include);
  }
}

function alreadyRegistered(): DomainError {
  return new DomainError('ALREADY_REGISTERED', 'This learner is already registered to this session (R-REG-6)', ['input', 'learnerId']);
}
