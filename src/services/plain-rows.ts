import { type EntityClass, type EntityMetadata, type EntityProperty, ReferenceKind } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { checkPageArgs, type Connection, decodeListCursor, type Edge, encodeListCursor, type PageArgs } from '../schema/connection';

/**
 * Read-only rows for GraphQL output (issue 10): an entity's columns as a plain object with the
 * entity's property names, each to-one relation as `{ id }` (or null), and the entity's getters
 * (e.g. `Learner.profileComplete`) — what the field resolvers read, without MikroORM's hydration,
 * identity map or reference entities, which dominated the staff pages' profiles. Lazy columns are
 * left out, as `em.find` leaves them. Never persist or change a row: load the entity to change it.
 */
export interface Ref {
  id: string;
}
type RowValue<V> = V extends Date ? V : V extends { id: string } ? Ref : V;
export type Row<T> = { [K in keyof T as K extends string ? K : never]: RowValue<T[K]> };

interface Field {
  name: string;
  column: string;
  ref: boolean;
  convert?: (value: unknown) => unknown;
}

interface RowMapper<T> {
  table: string;
  /** The primary key's column. */
  primaryKey: string;
  /** `e."col", …`: the columns under alias `e`. */
  columns: string;
  /** The column of a property. */
  column(prop: string): string;
  map(raw: Record<string, unknown>): Row<T>;
  /** `a."col" as "a.col", …`: the columns of a joined table under alias `a`, prefixed so they name no other table's. */
  columnsAs(alias: string): string;
  /** The row `columnsAs(alias)` selected, or null where the join found none (its primary key is null). */
  mapAs(raw: Record<string, unknown>, alias: string): Row<T> | null;
}

const mappers = new WeakMap<EntityMetadata, RowMapper<unknown>>();

function converter(em: EntityManager, prop: EntityProperty): ((value: unknown) => unknown) | undefined {
  const platform = em.getPlatform();
  const custom = prop.customType;
  // What hydration does: custom types (json, bigint as number, int[]) convert, dates parse (the
  // connection returns timestamps as text).
  if (custom) return (value) => (value == null ? value : custom.convertToJSValue(value, platform));
  if (prop.runtimeType === 'Date') return (value) => (value == null || value instanceof Date ? value : platform.parseDate(value as string));
  return undefined;
}

/** The row mapper of an entity, built once from its metadata. */
export function rowMapper<T extends object>(em: EntityManager, entity: EntityClass<T>): RowMapper<T> {
  const meta = em.getMetadata().get<T>(entity.name);
  const known = mappers.get(meta) as RowMapper<T> | undefined;
  if (known) return known;
  const fields: Field[] = [];
  for (const prop of meta.props) {
    if (prop.persist === false || prop.lazy || prop.fieldNames?.length !== 1) continue;
    if (prop.kind === ReferenceKind.SCALAR) fields.push({ name: prop.name, column: prop.fieldNames[0], ref: false, convert: converter(em, prop) });
    else if (prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) {
      fields.push({ name: prop.name, column: prop.fieldNames[0], ref: true });
    }
  }
  // The entity's own getters (not MikroORM's `__` helpers), so a row answers what the entity would.
  const proto: object = {};
  for (const name of Object.getOwnPropertyNames(entity.prototype)) {
    const d = Object.getOwnPropertyDescriptor(entity.prototype, name);
    if (d?.get && !name.startsWith('__') && !(name in meta.properties)) Object.defineProperty(proto, name, { get: d.get, enumerable: false });
  }
  const pk = meta.getPrimaryProps()[0]?.fieldNames?.[0] ?? 'id';
  // The prefixed result names of each alias, built once (a property read by a computed name per row and column cost more).
  const prefixed = new Map<string, { id: string; names: string[] }>();
  const namesOf = (alias: string) => {
    let known = prefixed.get(alias);
    if (!known) prefixed.set(alias, (known = { id: `${alias}.${pk}`, names: fields.map((f) => `${alias}.${f.column}`) }));
    return known;
  };
  const build = (raw: Record<string, unknown>, names: readonly string[] | null) => {
    const row = Object.create(proto) as Record<string, unknown>;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const value = raw[names ? names[i] : f.column];
      row[f.name] = f.ref ? (value == null ? null : { id: value }) : f.convert ? f.convert(value) : value;
    }
    return row as Row<T>;
  };
  const mapper: RowMapper<T> = {
    table: meta.tableName,
    primaryKey: pk,
    columns: fields.map((f) => `e."${f.column}"`).join(', '),
    column(prop) {
      const f = fields.find((x) => x.name === prop);
      if (!f) throw new Error(`${meta.className}.${prop} is not a column`);
      return f.column;
    },
    map(raw) {
      return build(raw, null);
    },
    columnsAs(alias) {
      return fields.map((f) => `${alias}."${f.column}" as "${alias}.${f.column}"`).join(', ');
    },
    mapAs(raw, alias) {
      const { id, names } = namesOf(alias);
      return raw[id] == null ? null : build(raw, names);
    },
  };
  mappers.set(meta, mapper as RowMapper<unknown>);
  return mapper;
}

export interface RowQuery {
  /** `from` clause; the entity's table is aliased `e` (default: just that table). */
  from?: string;
  /** SQL with `?` placeholders (an array parameter expands to a list: `e.id in (?)`). */
  where: string;
  params?: unknown[];
  orderBy?: string;
  /** One more SQL expression, returned with each row as its key, e.g. a joined row's id. */
  key?: string;
}

/** Rows of `entity` (alias `e`) in one statement, on the context's connection (its transaction, if any). */
export async function selectRows<T extends object>(em: EntityManager, entity: EntityClass<T>, q: RowQuery): Promise<Row<T>[]> {
  return (await selectKeyedRows(em, entity, q)).map((r) => r.row);
}

/** `selectRows` with each row's `key` (`q.key`'s value, as the driver returns it). */
export async function selectKeyedRows<T extends object, K = unknown>(em: EntityManager, entity: EntityClass<T>, q: RowQuery): Promise<{ key: K; row: Row<T> }[]> {
  const m = rowMapper(em, entity);
  const sql = `select ${m.columns}${q.key ? `, ${q.key} as "__key"` : ''} from ${q.from ?? `"${m.table}" e`} where ${q.where}${q.orderBy ? ` order by ${q.orderBy}` : ''}`;
  const raw = await em.getConnection().execute<Record<string, unknown>[]>(sql, q.params ?? [], 'all', em.getTransactionContext());
  return raw.map((r) => ({ key: r.__key as K, row: m.map(r) }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `'id1', 'id2', …` for `in (…)`, or null when no key is a uuid. A key that is not a uuid cannot match
 * a uuid column and is left out, so the list needs no escaping: MikroORM's escaping of a page's 200 ids,
 * character by character, allocated more than the rows it loaded.
 */
export function uuidList(keys: readonly string[]): string | null {
  const ok = keys.filter((k) => UUID.test(k));
  return ok.length ? `'${ok.join("', '")}'` : null;
}

type Order = Record<string, 'asc' | 'desc'>;

/** A list's filter in SQL on the entity's table (alias `e`), with `join`s for conditions on related tables. */
export interface SqlFilter {
  /** e.g. `join learner l on l.id = e.learner_id`. */
  join?: string;
  /** Conditions, and-ed, with `?` placeholders. */
  where: string[];
  params: unknown[];
}

/**
 * Related rows read by a page's own statement, so that a list resolver can hand them to the field
 * resolvers (resolvers/prefetch.ts) without a statement, a DataLoader and a promise per row each
 * (bench/README.md, "Read path"). `one`: at most one row per page row (the join is on a unique key),
 * left-joined inside the page; `many`: any number per page row, left-joined to the page's rows after the
 * limit (at most one `many` per page: two would multiply each other's rows).
 */
export interface PageInclude {
  /** The joined table's alias in SQL (not `e`, `p`, `c` nor an alias of the filter's join); also its key in `one` / `many`. */
  alias: string;
  entity: EntityClass<object>;
  kind: 'one' | 'many';
  /** The join condition: a `one` sees the page's table as `e` (`x.id = e.payment_id`), a `many` the page's rows as `p`, by column (`x.attempt_id = p."attempt_id"`). */
  on: string;
  /** More SQL expressions returned with each joined row, under `extra[name]` (e.g. a flag). */
  extra?: Record<string, string>;
  /** `many`: the order of a page row's joined rows (SQL on the alias); default its primary key. */
  orderBy?: string;
}

/** A joined row and its `extra` values, as the driver returned them. */
export interface Included<X extends object = object> {
  row: Row<X>;
  extra: Record<string, unknown>;
}

/** A page of plain rows, with the rows its includes joined, aligned with `edges`. */
export interface Page<T> extends Connection<T> {
  /** Per `one` alias: each edge's joined row, or null. */
  one: Record<string, (Included | null)[]>;
  /** Per `many` alias: each edge's joined rows. */
  many: Record<string, Included[][]>;
}

/** A page's `one` rows under `alias` (empty if it was not included), typed. */
export function includedOne<X extends object>(page: Page<unknown>, alias: string): (Included<X> | null)[] | undefined {
  return page.one[alias] as (Included<X> | null)[] | undefined;
}

/** A page's `many` rows under `alias` (undefined if it was not included), typed. */
export function includedMany<X extends object>(page: Page<unknown>, alias: string): Included<X>[][] | undefined {
  return page.many[alias] as Included<X>[][] | undefined;
}

/** An edge whose cursor is encoded only if the query reads it (most pages read `pageInfo.endCursor` only). */
class PageEdge<T> implements Edge<T> {
  constructor(
    readonly node: T,
    private readonly tag: string,
    private readonly values: unknown[],
  ) {}

  get cursor(): string {
    return encodeListCursor(this.tag, this.values);
  }
}

/**
 * `paginate` (schema/connection.ts) in plain SQL, returning rows: the same keyset pagination (the rows
 * after the cursor in `orderBy` order, property names, which must end with a unique key), the same
 * opaque cursors (a cursor of one works with the other) and the total count, in one statement, with the
 * related rows `include` asks for (see `PageInclude`).
 * MikroORM's query building alone cost more than running the statements (bench/README.md, "Read path").
 */
export async function paginateSql<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  filter: SqlFilter,
  orderBy: Order[],
  args: PageArgs,
  include: readonly PageInclude[] = [],
): Promise<Page<Row<T>>> {
  const first = checkPageArgs(args);
  const m = rowMapper(em, entity);
  const keys = orderBy.flatMap((o) => Object.entries(o)).map(([prop, dir]) => ({ prop, dir, col: m.column(prop), column: `e."${m.column(prop)}"` }));
  const tag = `${entity.name}:${orderBy.map((o) => Object.keys(o).join('+')).join(',')}`;
  const from = `"${m.table}" e${filter.join ? ` ${filter.join}` : ''}`;
  const where = [...filter.where];
  const params = [...filter.params];
  if (args.after != null) {
    const after = afterCondition(keys, decodeCursor(args.after, tag, keys.length));
    where.push(after.sql);
    params.push(...after.params);
  }
  const joins = include.map((inc) => ({ ...inc, mapper: rowMapper(em, inc.entity as EntityClass<object>), extras: Object.entries(inc.extra ?? {}) }));
  const ones = joins.filter((j) => j.kind === 'one');
  const many = joins.filter((j) => j.kind === 'many');
  if (many.length > 1) throw new Error('paginateSql: at most one `many` include');
  const selectOf = (j: (typeof joins)[number]) => `, ${j.mapper.columnsAs(j.alias)}${j.extras.map(([name, sql]) => `, (${sql}) as "${j.alias}.__${name}"`).join('')}`;
  const joinOf = (j: (typeof joins)[number]) => ` left join "${j.mapper.table}" ${j.alias} on ${j.on}`;
  const sqlWhere = (w: string[]) => (w.length ? ` where ${w.join(' and ')}` : '');
  // One statement for the total and the page (a round trip less than two): the count's single row,
  // joined to the page's rows, if any. first = 0 still tells the total count.
  const sql =
    `select c.n as "__total", p.*${many.map(selectOf).join('')} from (select count(*) as n from ${from}${sqlWhere(filter.where)}) c left join lateral ` +
    `(select true as "__row", ${m.columns}${ones.map(selectOf).join('')} from ${from}${ones.map(joinOf).join('')}${sqlWhere(where)} ` +
    `order by ${keys.map((k) => `${k.column} ${k.dir}`).join(', ')} limit ${Math.max(first, 1) + 1}) p on true${many.map(joinOf).join('')} ` +
    `order by ${[...keys.map((k) => `p."${k.col}" ${k.dir}`), ...many.map((j) => j.orderBy ?? `${j.alias}."${j.mapper.primaryKey}"`)].join(', ')}`;
  const raw = await em.getConnection().execute<Record<string, unknown>[]>(sql, [...filter.params, ...params], 'all', em.getTransactionContext());
  const totalCount = Number(raw[0].__total);
  const rows: Row<T>[] = [];
  const one: Page<Row<T>>['one'] = Object.fromEntries(ones.map((j) => [j.alias, []]));
  const manyRows: Page<Row<T>>['many'] = Object.fromEntries(many.map((j) => [j.alias, []]));
  const included = (r: Record<string, unknown>, j: (typeof joins)[number]): Included | null => {
    const row = j.mapper.mapAs(r, j.alias);
    return row && { row, extra: Object.fromEntries(j.extras.map(([name]) => [name, r[`${j.alias}.__${name}`]])) };
  };
  let last: unknown;
  for (const r of raw) {
    if (!r.__row) continue;
    // A `many` repeats its page row once per joined row, consecutively (the page's order comes first).
    const id = r[m.primaryKey];
    if (!rows.length || id !== last) {
      last = id;
      rows.push(m.map(r));
      for (const j of ones) one[j.alias].push(included(r, j));
      for (const j of many) manyRows[j.alias].push([]);
    }
    for (const j of many) {
      const x = included(r, j);
      if (x) manyRows[j.alias].at(-1)!.push(x);
    }
  }
  const n = first === 0 ? 0 : Math.min(first, rows.length);
  const edges = rows.slice(0, n).map((node) => new PageEdge(node, tag, keys.map((k) => cursorValue((node as Record<string, unknown>)[k.prop]))));
  for (const j of ones) one[j.alias].length = n;
  for (const j of many) manyRows[j.alias].length = n;
  return {
    edges,
    pageInfo: { hasNextPage: first === 0 ? totalCount > 0 : rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
    one,
    many: manyRows,
  };
}

/**
 * After (v1, v2, …) in the order (k1, k2, …), as MikroORM's cursor writes it: k1 ≥ v1 (a range the
 * index serves) and (k1 beyond v1, or the same after the remaining keys).
 */
function afterCondition(keys: { column: string; dir: 'asc' | 'desc' }[], values: unknown[]): { sql: string; params: unknown[] } {
  const [{ column, dir }, ...rest] = keys;
  const op = dir === 'desc' ? '<' : '>';
  if (rest.length === 0) return { sql: `${column} ${op} ?`, params: [values[0]] };
  const next = afterCondition(rest, values.slice(1));
  return { sql: `${column} ${op}= ? and (${column} ${op} ? or (${next.sql}))`, params: [values[0], values[0], ...next.params] };
}

function cursorValue(value: unknown): unknown {
  return value && typeof value === 'object' && !(value instanceof Date) && 'id' in value ? (value as Ref).id : value;
}

/** As `paginate` reads a cursor (schema/connection.ts), ISO instants back to dates. */
function decodeCursor(after: string, tag: string, keys: number): unknown[] {
  return decodeListCursor(after, tag, keys).map((x) => (typeof x === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}/.test(x) ? new Date(x) : x));
}
