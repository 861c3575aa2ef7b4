import { LockMode, raw } from '@mikro-orm/core';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { Learner } from '../entities';
import { windowsZoneOf } from '../providers/proctoru/zones';
import { type PageArgs, paginate } from '../schema/connection';
import { audit } from './audit.service';

export interface UpsertLearnerInput {
  externalId: string;
  email: string;
  username: string;
  givenName: string;
  familyName: string;
}

export interface ProctoringProfileInput {
  learnerId: string;
  phone: string;
  address: string;
  city: string;
  timeZone: string;
  country: string;
}

/** The expression of the `learner_search_trgm` index (R-SUP-1): keep both identical. */
const SEARCH_EXPR = `(lower(email) || ' ' || lower(username) || ' ' || lower(given_name) || ' ' || lower(family_name) || ' ' || lower(external_id))`;

export function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const f = (name: string) => ['input', name];

/** A learner only ever reaches their own data (R-SEC-1); another learner's id looks like no id at all. */
export function assertOwnLearner(ctx: ServiceContext, learnerId: string, field: string[]): void {
  if (ctx.viewer.kind === 'LEARNER' && ctx.viewer.learnerId !== learnerId) {
    throw new DomainError('NOT_FOUND', 'No learner with this id', field);
  }
}

export class LearnerService {
  /**
   * Creates or updates the learner of a platform account (keyed by `externalId`). Changing the
   * account's name never touches a locked registration name (R-REG-2): those are copies.
   */
  async upsert(ctx: ServiceContext, input: UpsertLearnerInput): Promise<Learner> {
    const data = {
      externalId: v.text(input.externalId, f('externalId'), { max: 128 }),
      email: v.email(input.email, f('email')),
      username: v.text(input.username, f('username'), { max: 150 }),
      givenName: v.text(input.givenName, f('givenName')).replace(/\s+/g, ' '),
      familyName: v.text(input.familyName, f('familyName')).replace(/\s+/g, ' '),
    };
    return ctx.em.transactional(async (em) => {
      const now = ctx.clock.now();
      // Insert-or-update in one statement: two concurrent upserts of one account make one learner.
      const rows = await em.execute<{ id: string; inserted: boolean }[]>(
        `insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?)
         on conflict (external_id) do update set email = excluded.email, username = excluded.username,
           given_name = excluded.given_name, family_name = excluded.family_name,
           updated_at = case when (learner.email, learner.username, learner.given_name, learner.family_name)
             is distinct from (excluded.email, excluded.username, excluded.given_name, excluded.family_name)
             then excluded.updated_at else learner.updated_at end
         returning id, (xmax = 0) as inserted`,
        [data.externalId, data.email, data.username, data.givenName, data.familyName, now, now],
      );
      const { id, inserted } = rows[0];
      const learner = await em.findOneOrFail(Learner, { id }, { refresh: true });
      audit(em, ctx, inserted ? 'learner.create' : 'learner.update', { type: 'Learner', id }, { externalId: data.externalId });
      return learner;
    });
  }

  /** R-REG-5: entered once, reused for every later exam. */
  async setProctoringProfile(ctx: ServiceContext, input: ProctoringProfileInput): Promise<Learner> {
    const learnerId = v.uuid(input.learnerId, f('learnerId'));
    assertOwnLearner(ctx, learnerId, f('learnerId'));
    const data = {
      phone: v.phone(input.phone, f('phone')),
      address: v.text(input.address, f('address'), { max: 500 }),
      city: v.text(input.city, f('city'), { max: 120 }),
      timeZone: v.timeZone(input.timeZone, f('timeZone')),
      country: v.country(input.country, f('country')),
    };
    // R-REG-5: ProctorU names zones the Windows way; a zone it cannot receive is refused now, not at booking.
    if (!windowsZoneOf(data.timeZone)) {
      throw new DomainError('TIME_ZONE_NOT_SUPPORTED_BY_PROCTORU', `ProctorU has no time zone for ${data.timeZone}; choose the zone of a nearby city`, f('timeZone'));
    }
    return ctx.em.transactional(async (em) => {
      const learner = await em.findOne(Learner, { id: learnerId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!learner) throw new DomainError('NOT_FOUND', 'No learner with this id', f('learnerId'));
      em.assign(learner, { ...data, updatedAt: ctx.clock.now() });
      // The values are personal data: the audit names the fields, not their content.
      audit(em, ctx, 'learner.profile.set', { type: 'Learner', id: learner.id }, { fields: Object.keys(data) });
      return learner;
    });
  }

  /** Staff search (R-SUP-1): a substring of e-mail, user name, given or family name, or external id. */
  list(ctx: ServiceContext, search: string | null | undefined, page: PageArgs) {
    const term = search?.trim().toLowerCase();
    if (term && term.length > 255) v.fail(['search'], 'search must be at most 255 characters');
    if (term?.includes('\u0000')) v.fail(['search'], 'search contains a NUL character');
    const where = term ? { [raw(SEARCH_EXPR)]: { $like: `%${likeEscape(term)}%` } } : {};
    return paginate(ctx.em, Learner, where, [{ familyName: 'asc' }, { givenName: 'asc' }, { id: 'asc' }], page);
  }

  async get(ctx: ServiceContext, id: string): Promise<Learner | null> {
    if (!v.isUuid(id)) return null;
    if (ctx.viewer.kind === 'LEARNER' && ctx.viewer.learnerId !== id.toLowerCase()) return null;
    return ctx.em.findOne(Learner, { id });
  }
}
