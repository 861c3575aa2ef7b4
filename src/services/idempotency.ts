import { createHash } from 'node:crypto';
import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';

/** JSON with object keys sorted, so equal inputs hash equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val) && !(val instanceof Date)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

export type IdempotencyClaim<O extends Record<string, unknown>> =
  | { kind: 'new'; record(outcome: O): Promise<void> }
  | { kind: 'replay'; outcome: O };

/**
 * Claims an idempotency key inside the caller's transaction (R-REF-7). The first call gets `new` and
 * records its outcome before its transaction commits; a concurrent call with the same key waits on
 * the unique key until that commit, then gets `replay` with the same outcome. The same key with
 * another input is IDEMPOTENCY_KEY_REUSED. A refusal rolls the claim back with everything else, so
 * a retry after a refusal is evaluated again.
 */
export async function claimIdempotencyKey<O extends Record<string, unknown>>(
  em: EntityManager,
  ctx: ServiceContext,
  scope: string,
  key: string,
  input: unknown,
  field: string[] = ['input', 'idempotencyKey'],
): Promise<IdempotencyClaim<O>> {
  const k = v.text(key, field, { max: 200 });
  const hash = requestHash(input);
  // em.execute runs inside the caller's transaction.
  const inserted = await em.execute<{ scope: string }[]>(
    `insert into idempotency_record (scope, key, request_hash, outcome, actor, created_at)
     values (?, ?, ?, '{}'::jsonb, ?, ?) on conflict (scope, key) do nothing returning scope`,
    [scope, k, hash, actorOf(ctx.viewer), ctx.clock.now()],
  );
  if (inserted.length === 1) {
    return {
      kind: 'new',
      record: async (outcome: O) => {
        await em.execute(`update idempotency_record set outcome = ? where scope = ? and key = ?`, [JSON.stringify(outcome), scope, k], 'run');
      },
    };
  }
  const rows = await em.execute<{ request_hash: string; outcome: O }[]>(`select request_hash, outcome from idempotency_record where scope = ? and key = ?`, [scope, k]);
  if (rows.length === 0 || rows[0].request_hash !== hash) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used with another input', field);
  }
  return { kind: 'replay', outcome: rows[0].outcome };
}
