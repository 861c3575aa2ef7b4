import { isDomainError } from '../domain/errors';
import { recordUserError } from '../http/metrics';
import { type ErrorCode, type UserError } from '../schema/user-error.type';

export type Payload<K extends string, T> = { [P in K]?: T | null } & { errors: UserError[] };

/**
 * Runs a service call for a mutation: its result under `key`, or its business refusal as
 * `{ errors: [UserError] }` (the service's transaction has rolled back). Anything else is unexpected
 * and propagates, to be logged and masked.
 */
export async function payload<K extends string, T>(key: K, call: () => Promise<T>): Promise<Payload<K, T>> {
  try {
    const value = await call();
    return { [key]: value, errors: [] } as unknown as Payload<K, T>;
  } catch (err) {
    if (isDomainError(err)) {
      recordUserError(err.code);
      const extra = (err.data ?? {}) as Record<string, unknown>;
      return { ...extra, errors: [{ code: err.code as ErrorCode, message: err.message, field: err.field ?? null }] } as Payload<K, T>;
    }
    throw err;
  }
}
