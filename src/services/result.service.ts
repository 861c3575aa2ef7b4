import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { type AnswerKey, grade, type GradedPart } from '../domain/grading';
import { attemptsUnderOpenFraudReview } from './result-publication';

export const RESULT_BATCH = 500;

interface AttemptRow {
  id: string;
  session_id: string;
  parts: GradedPart[];
}

interface Grading {
  key: AnswerKey;
  passMarkPercent: number;
}

export interface ComputeOptions {
  batchSize?: number;
  /** Stops between batches (the job's abort signal). */
  signal?: AbortSignal;
  /** Demo only: leave new results PENDING, as between the two passes of a run. */
  publish?: boolean;
}

/**
 * R-RES-1, R-RES-2, the COMPUTE_RESULTS job. Two passes, each in batches of 500 per transaction
 * (memory stays flat however many attempts ended):
 *   1. grade every SUBMITTED attempt that has no result yet; publish at once unless a fraud review is
 *      open on it (then PENDING);
 *   2. publish PENDING results whose review has closed.
 * Idempotent: a second run finds nothing to do (graded attempts leave the queue; one result per
 * attempt, unique), and a published result is never rewritten (a trigger refuses it).
 */
export class ResultService {
  async computeAll(ctx: ServiceContext, opts: ComputeOptions = {}): Promise<number> {
    const batch = opts.batchSize ?? RESULT_BATCH;
    const gradings = new Map<string, Grading | null>();
    let items = 0;
    for (;;) {
      if (opts.signal?.aborted) return items;
      const step = await ctx.em.fork().transactional((em) => this.computeBatch(em, ctx, batch, gradings, opts.publish ?? true));
      items += step.done;
      if (step.picked < batch) break;
    }
    if (opts.publish === false) return items;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      if (opts.signal?.aborted) return items;
      const step = await ctx.em.fork().transactional((em) => this.publishBatch(em, ctx, after, batch));
      items += step.done;
      if (step.last === null) break;
      after = step.last;
    }
    return items;
  }

  /**
   * Takes up to `limit` ended attempts not graded yet (a partial index is the queue: graded ones leave
   * it, so a run costs what is new, not what ever ended), marks them graded, grades them and inserts
   * their results, in one transaction. The rows stay locked until commit: a provider fault voiding
   * one of them (R-INC-2) waits, then sees its result (published: left alone; pending: voided too).
   */
  private async computeBatch(em: EntityManager, ctx: ServiceContext, limit: number, gradings: Map<string, Grading | null>, publish: boolean) {
    const now = ctx.clock.now();
    const rows = await em.execute<AttemptRow[]>(
      `update exam_attempt a set graded_at = ? from (
         select id from exam_attempt where status = 'SUBMITTED' and graded_at is null order by id limit ? for update skip locked
       ) q where a.id = q.id
       returning a.id, a.session_id, a.parts`,
      [now, limit],
    );
    if (rows.length === 0) return { done: 0, picked: 0 };
    const missing = [...new Set(rows.map((r) => r.session_id))].filter((s) => !gradings.has(s));
    if (missing.length) {
      const found = await em.execute<{ id: string; pass_mark_percent: number; answer_key: AnswerKey | null }[]>(
        `select s.id, s.pass_mark_percent, c.answer_key from certification_session s left join exam_content c on c.session_id = s.id where s.id = any(?::uuid[])`,
        [`{${missing.join(',')}}`],
      );
      for (const s of missing) gradings.set(s, null);
      for (const f of found) gradings.set(f.id, f.answer_key ? { key: f.answer_key, passMarkPercent: f.pass_mark_percent } : null);
    }
    const underReview = publish ? await attemptsUnderOpenFraudReview(em, rows.map((r) => r.id)) : new Set<string>();
    const results = [];
    for (const r of rows) {
      const g = gradings.get(r.session_id);
      if (!g) continue; // cannot happen: an attempt needs content to be unlocked
      const { partScores, totalScore, percent, passed } = grade(r.parts, g.key, g.passMarkPercent);
      const published = publish && !underReview.has(r.id);
      results.push({ attempt_id: r.id, part_scores: partScores, total_score: totalScore, percent, passed, status: published ? 'PUBLISHED' : 'PENDING' });
    }
    // Results and their audit events (R-SEC-2) in one statement.
    const inserted = await em.execute<{ n: number }[]>(
      `with inserted as (
         insert into exam_result (id, attempt_id, part_scores, total_score, max_score, percent, passed, status, computed_at, published_at)
         select gen_random_uuid(), x.attempt_id, x.part_scores, x.total_score, 30, x.percent, x.passed, x.status, ?::timestamptz,
                case when x.status = 'PUBLISHED' then ?::timestamptz end
         from jsonb_to_recordset(?::jsonb) as x(attempt_id uuid, part_scores int[], total_score int, percent float8, passed boolean, status text)
         on conflict (attempt_id) do nothing
         returning id, attempt_id, status, total_score, passed
       ), audited as (
         insert into audit_event (at, actor, action, subject_type, subject_id, details, request_id)
         select ?, ?, 'result.compute', 'Result', i.id::text,
                jsonb_build_object('attemptId', i.attempt_id, 'status', i.status, 'totalScore', i.total_score, 'passed', i.passed), ?
         from inserted i
       )
       select count(*)::int as n from inserted`,
      [now, now, JSON.stringify(results), now, actorOf(ctx.viewer), ctx.requestId],
    );
    const done = inserted[0].n;
    return { done, picked: rows.length };
  }

  private async publishBatch(em: EntityManager, ctx: ServiceContext, after: string, limit: number) {
    const rows = await em.execute<{ id: string; attempt_id: string }[]>(
      `select id, attempt_id from exam_result where status = 'PENDING' and id > ? order by id limit ? for update skip locked`,
      [after, limit],
    );
    if (rows.length === 0) return { done: 0, last: null };
    const underReview = await attemptsUnderOpenFraudReview(em, rows.map((r) => r.attempt_id));
    const ids = rows.filter((r) => !underReview.has(r.attempt_id)).map((r) => r.id);
    if (ids.length) {
      const published = await em.execute<{ id: string }[]>(
        `update exam_result set status = 'PUBLISHED', published_at = ? where id = any(?::uuid[]) and status = 'PENDING' returning id`,
        [ctx.clock.now(), `{${ids.join(',')}}`],
      );
      await this.auditRows(em, ctx, 'result.publish', published.map((p) => ({ id: p.id, details: {} })));
    }
    return { done: ids.length, last: rows[rows.length - 1].id };
  }

  /** One audit event per result (R-SEC-2), written in one statement with the batch. */
  private async auditRows(em: EntityManager, ctx: ServiceContext, action: string, rows: { id: string; details: Record<string, unknown> }[]): Promise<void> {
    if (rows.length === 0) return;
    await em.execute(
      `insert into audit_event (at, actor, action, subject_type, subject_id, details, request_id)
       select ?, ?, ?, 'Result', x.id, x.details, ? from jsonb_to_recordset(?::jsonb) as x(id text, details jsonb)`,
      [ctx.clock.now(), actorOf(ctx.viewer), action, ctx.requestId, JSON.stringify(rows)],
    );
  }
}
