import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { DateTime as LuxonDateTime } from 'luxon';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) {
    throw new GraphQLError('DateTime must be an ISO-8601 instant with a zone, e.g. 2017-03-02T14:00:00Z');
  }
  const d = LuxonDateTime.fromISO(value, { setZone: true });
  if (!d.isValid) throw new GraphQLError(`DateTime ${value} is not a valid instant`);
  return d.toJSDate();
}

/** An instant: ISO-8601, UTC, "Z" on output (contract conventions). */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, ISO-8601 in UTC ("Z"), e.g. 2017-03-02T14:00:00.000Z.',
  serialize(value) {
    const d = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(d.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return d.toISOString();
  },
  parseValue: parseInstant,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseInstant(ast.value);
  },
});

function parseDay(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || !LuxonDateTime.fromISO(value, { zone: 'UTC' }).isValid) {
    throw new GraphQLError('Date must be a calendar day YYYY-MM-DD');
  }
  return value;
}

/** A calendar day, YYYY-MM-DD (kept as a string: a day has no instant). */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar day, YYYY-MM-DD.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDay(value);
  },
  parseValue: parseDay,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date must be a string');
    return parseDay(ast.value);
  },
});

export const JSONScalar = GraphQLJSON;
