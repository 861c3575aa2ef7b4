import { type TestServer } from './server';

/**
 * Counts the SQL statements a request costs (issue 10): knex's `query` event on the server's ORM,
 * every statement MikroORM sends, transactions and raw SQL included. Requests run one at a time, so
 * the statements seen while `during` runs are that request's.
 */
export function statementCounter(s: TestServer): { during<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> } {
  let current: string[] | undefined;
  s.orm.em
    .getConnection()
    .getKnex()
    .on('query', (q: { sql: string }) => current?.push(q.sql));
  return {
    async during<T>(fn: () => Promise<T>) {
      const statements: string[] = [];
      current = statements;
      try {
        return { result: await fn(), statements };
      } finally {
        current = undefined;
      }
    },
  };
}
