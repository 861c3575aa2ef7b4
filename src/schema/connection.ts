import { type EntityManager, type EntityName, type FilterQuery, type FindByCursorOptions, type QueryOrderMap } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { type ClassType, Field, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * Relay connection types for a node type: `<Name>Edge` and `<Name>Connection` (contract conventions).
 */
export function ConnectionType<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionTypeClass {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return ConnectionTypeClass;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export function checkPageArgs(args: PageArgs): number {
  const first = args.first ?? DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw new GraphQLError(`first must be an integer from 0 to ${MAX_PAGE}`, { extensions: { code: 'BAD_USER_INPUT', field: ['first'] } });
  }
  return first;
}

/**
 * One page of a keyset-paginated list: MikroORM's cursor pagination over `orderBy` (which must end
 * with a unique key), with an opaque `after` cursor and the total count.
 */
export async function paginate<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  orderBy: QueryOrderMap<T>[],
  args: PageArgs,
  options: Omit<FindByCursorOptions<T>, 'first' | 'after' | 'orderBy' | 'includeCount'> = {},
): Promise<Connection<T>> {
  const first = checkPageArgs(args);
  const tag = listTag(entity, orderBy);
  const inner = args.after != null ? decodeCursor(args.after, tag, orderBy.reduce<number>((n, o) => n + Object.keys(o).length, 0)) : undefined;
  // first = 0 still tells the total count.
  const cursor = await em.findByCursor(entity, where, { ...options, first: Math.max(first, 1), after: inner, orderBy, includeCount: true } as FindByCursorOptions<T>);
  const items = first === 0 ? [] : cursor.items;
  const edges = items.map((node) => ({ cursor: encodeCursor(tag, cursor.from(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: first === 0 ? cursor.totalCount > 0 : cursor.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: cursor.totalCount,
  };
}

/** Names the list a cursor belongs to: the entity and its sort keys. */
function listTag<T extends object>(entity: EntityName<T>, orderBy: QueryOrderMap<T>[]): string {
  const name = typeof entity === 'string' ? entity : (entity as { name: string }).name;
  return `${name}:${orderBy.map((o) => Object.keys(o).join('+')).join(',')}`;
}

/** Our opaque cursor: the list's tag and the sort values of its last row (base64url JSON). */
export function encodeListCursor(tag: string, values: unknown[]): string {
  return Buffer.from(JSON.stringify({ l: tag, v: values })).toString('base64url');
}

/** Our opaque cursor from MikroORM's (base64url JSON of the sort values). */
function encodeCursor(tag: string, mikroCursor: string): string {
  return encodeListCursor(tag, JSON.parse(Buffer.from(mikroCursor, 'base64url').toString('utf8')) as unknown[]);
}

function badCursor(): GraphQLError {
  return new GraphQLError('after is not a cursor of this list', { extensions: { code: 'BAD_USER_INPUT', field: ['after'] } });
}

/** The sort values of a cursor, refusing anything this list did not issue (other list, wrong shape, operators). */
export function decodeListCursor(after: string, tag: string, keys: number): (string | number | boolean)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const c = parsed as { l?: unknown; v?: unknown };
  if (!c || typeof c !== 'object' || c.l !== tag || !Array.isArray(c.v) || c.v.length !== keys) throw badCursor();
  if (!c.v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) throw badCursor();
  return c.v as (string | number | boolean)[];
}

/** Back to MikroORM's cursor. */
function decodeCursor(after: string, tag: string, keys: number): string {
  return Buffer.from(JSON.stringify(decodeListCursor(after, tag, keys))).toString('base64url');
}
