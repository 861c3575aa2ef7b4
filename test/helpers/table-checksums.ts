import { type TestServer } from './server';

/** Bookkeeping a refused call rightly writes: migrations, and the brute-force counters (a failure is what they count). */
const BOOKKEEPING = new Set(['schema_migration', 'rate_limit_event']);

let statement: Promise<string> | undefined;

/**
 * One checksum per table of the public schema (row count and an order-independent hash of every row),
 * read in one statement: a refused call must leave every one of them unchanged.
 */
export async function tableChecksums(s: TestServer): Promise<Record<string, string>> {
  const conn = s.orm.em.fork().getConnection();
  statement ??= conn
    .execute<{ table_name: string }[]>(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`)
    .then((rows) =>
      rows
        .filter((r) => !BOOKKEEPING.has(r.table_name))
        .map((r) => `select '${r.table_name}' as t, count(*) || ':' || coalesce(md5(string_agg(md5(x::text), '' order by md5(x::text))), '') as c from "${r.table_name}" x`)
        .join(' union all '),
    );
  const rows = await conn.execute<{ t: string; c: string }[]>(await statement);
  return Object.fromEntries(rows.map((r) => [r.t, r.c]));
}
