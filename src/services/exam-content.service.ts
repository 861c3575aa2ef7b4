import { LockMode } from '@mikro-orm/core';
import { actorOf } from '../auth/viewer';
import { hashPassword } from '../auth/passwords';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { type PartInput, validateExamContent } from '../domain/exam-content';
import * as v from '../domain/validate';
import { CertificationSession, ExamContent } from '../entities';
import { audit } from './audit.service';

export interface SetExamContentInput {
  sessionId: string;
  parts: PartInput[];
  proctorPassword: string;
}

/** R-EXA-1, R-EXA-2: a session's exam questions and proctor password (CERTIFICATION). */
export class ExamContentService {
  async set(ctx: ServiceContext, input: SetExamContentInput): Promise<CertificationSession> {
    const sessionId = v.uuid(input.sessionId, ['input', 'sessionId']);
    const { parts, answerKey } = validateExamContent(input.parts);
    const password = input.proctorPassword;
    if (password.trim().length < 8 || password.length > 128) v.fail(['input', 'proctorPassword'], 'The proctor password has 8 to 128 characters');
    // argon2id (R-EXA-2), before the transaction: no row lock is held while hashing.
    const hash = await hashPassword(password);
    return ctx.em.transactional(async (em) => {
      // One writer per session (FOR NO KEY UPDATE: an unlock's foreign-key check on the session is not
      // blocked); an unlock holds the content row FOR SHARE until it commits, so the count below sees its attempt.
      const locked = await em.execute<{ id: string }[]>('select id from certification_session where id = ? for no key update', [sessionId]);
      const session = locked.length ? await em.findOne(CertificationSession, { id: sessionId }) : null;
      if (!session) throw new DomainError('NOT_FOUND', 'No certification session with this id', ['input', 'sessionId']);
      const existing = await em.findOne(ExamContent, { sessionId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      // Through the session's registrations (indexed both ways): no index of its own on exam_attempt.session_id.
      const attempts = existing
        ? await em.execute<{ any: boolean }[]>(
            'select exists (select 1 from registration r join exam_attempt a on a.registration_id = r.id where r.session_id = ?) as any',
            [sessionId],
          )
        : [];
      if (attempts[0]?.any) {
        throw new DomainError('EXAM_CONTENT_INVALID', 'The exam content is frozen: attempts exist for this session', ['input', 'sessionId']);
      }
      const now = ctx.clock.now();
      const actor = actorOf(ctx.viewer);
      if (existing) {
        existing.parts = parts;
        existing.answerKey = answerKey;
        existing.proctorPasswordHash = hash;
        existing.updatedAt = now;
        existing.updatedBy = actor;
      } else {
        em.create(ExamContent, { sessionId, parts, answerKey, proctorPasswordHash: hash, updatedAt: now, updatedBy: actor });
      }
      audit(em, ctx, existing ? 'exam.content.replace' : 'exam.content.set', { type: 'CertificationSession', id: sessionId }, {
        parts: parts.map((p) => ({ title: p.title, questions: p.questions.length })),
      });
      return session;
    });
  }
}
