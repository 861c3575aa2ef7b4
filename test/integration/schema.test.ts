import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, printEmittedSchema } from '../../src/schema/build-schema';
import { startTestServer, type TestServer } from '../helpers/server';

/** The only operations an anonymous caller may use (contract/HTTP.md, Authentication). */
const PUBLIC_FIELDS = new Set(['viewer', 'serverTime', 'login', 'verifyCertificate']);

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildSchema({ testClock: true });
});

function rootFields(): { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] {
  const out: { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] = [];
  for (const f of Object.values(schema.getQueryType()!.getFields())) out.push({ operation: 'query', field: f });
  for (const f of Object.values(schema.getMutationType()?.getFields() ?? {})) out.push({ operation: 'mutation', field: f });
  return out;
}

describe('the committed schema', () => {
  it('src/schema/schema.graphql is the schema the code emits', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'src', 'schema', 'schema.graphql'), 'utf8');
    const emitted = await printEmittedSchema();
    expect(emitted, 'src/schema/schema.graphql is out of date: run `npm run schema:emit` and commit the result').toBe(committed);
  });
});

describe('R-SEC-1: every query and mutation checks the caller role', () => {
  it('R-SEC-1: every root field but the public ones has a role guard (@Authorized)', () => {
    const storage = getMetadataStorage();
    const unguarded: string[] = [];
    const publicGuarded: string[] = [];
    for (const { operation, field } of rootFields()) {
      const defs = operation === 'query' ? storage.queries : storage.mutations;
      const def = defs.find((d) => d.schemaName === field.name);
      expect(def, `no type-graphql metadata for ${operation} ${field.name}`).toBeDefined();
      const guarded =
        storage.authorizedFields.some((a) => a.target === def!.target && a.fieldName === def!.methodName) ||
        storage.authorizedResolver.some((a) => a.target === def!.target);
      if (PUBLIC_FIELDS.has(field.name)) {
        if (guarded) publicGuarded.push(`${operation} ${field.name}`);
      } else if (!guarded) unguarded.push(`${operation} ${field.name}`);
    }
    expect(unguarded, 'root fields without @Authorized').toEqual([]);
    expect(publicGuarded, 'public root fields with @Authorized').toEqual([]);
  });

  describe('against the running server', () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer();
    });
    afterAll(() => s?.close());

    /** A value the variable coercion accepts, so that the call reaches the role check. */
    function dummyValue(type: GraphQLInputType, depth = 0): unknown {
      const t = getNullableType(type) as GraphQLInputType;
      if (isListType(t)) return [dummyValue(t.ofType, depth + 1)];
      if (isEnumType(t)) return t.getValues()[0].name;
      if (isInputObjectType(t)) {
        const obj: Record<string, unknown> = {};
        for (const f of Object.values(t.getFields())) {
          if (isNonNullType(f.type) && f.defaultValue === undefined) obj[f.name] = dummyValue(f.type, depth + 1);
        }
        return obj;
      }
      if (isScalarType(t)) {
        switch (t.name) {
          case 'Int':
            return 1;
          case 'Float':
            return 1.5;
          case 'Boolean':
            return true;
          case 'ID':
            return '00000000-0000-4000-8000-000000000000';
          case 'DateTime':
            return '2031-01-01T00:00:00Z';
          case 'Date':
            return '2031-01-01';
          case 'JSON':
            return {};
          default:
            return 'x';
        }
      }
      throw new Error(`no dummy value for ${String(t)}`);
    }

    function operationFor(operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>) {
      const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
      const decl = required.length ? `(${required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ')})` : '';
      const args = required.length ? `(${required.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
      const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
      const variables = Object.fromEntries(required.map((a) => [a.name, dummyValue(a.type)]));
      return { query: `${operation}${decl} { ${field.name}${args}${selection} }`, variables };
    }

    it('R-SEC-1: an anonymous call of any non-public root field is UNAUTHENTICATED', async () => {
      const fields = rootFields().filter(({ field }) => !PUBLIC_FIELDS.has(field.name));
      expect(fields.length).toBeGreaterThan(5);
      const wrong: string[] = [];
      for (const { operation, field } of fields) {
        const { query, variables } = operationFor(operation, field);
        const r = await s.gql(query, variables);
        const code = r.errors?.[0]?.extensions?.code;
        if (code !== 'UNAUTHENTICATED') wrong.push(`${operation} ${field.name}: ${JSON.stringify(r.errors ?? r.data)}`);
      }
      expect(wrong).toEqual([]);
    });

    it('R-SEC-1: the public root fields answer an anonymous caller', async () => {
      const viewer = await s.gql<{ viewer: { kind: string }; serverTime: string }>('{ viewer { kind } serverTime }');
      expect(viewer.errors).toBeUndefined();
      expect(viewer.data!.viewer.kind).toBe('ANONYMOUS');
      const login = await s.gql<{ login: { token: string | null; errors: { code: string }[] } }>(
        'mutation($i: LoginInput!) { login(input: $i) { token errors { code } } }',
        { i: { email: 'nobody@test.local', password: 'wrong-password-123' } },
      );
      expect(login.errors).toBeUndefined();
      expect(login.data!.login.token).toBeNull();
      expect(login.data!.login.errors[0].code).toBe('INVALID_CREDENTIALS');
    });
  });
});

describe('setTestClock exists only with TEST_CLOCK=1', () => {
  it('is part of the schema built with the test clock on', () => {
    expect(schema.getMutationType()!.getFields().setTestClock).toBeDefined();
  });

  describe('a server with TEST_CLOCK=0', () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer({ env: { TEST_CLOCK: '0' } });
    });
    afterAll(() => s?.close());

    it('does not know the setTestClock mutation (GRAPHQL_VALIDATION_FAILED)', async () => {
      const r = await s.gql('mutation { setTestClock(now: "2031-01-01T00:00:00Z") }', {}, await s.tokenFor('ADMIN'));
      expect(r.data ?? null).toBeNull();
      expect(r.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.errors?.[0].message).toMatch(/setTestClock/);
    });

    it('does not list it in introspection', async () => {
      const r = await s.gql<{ __schema: { mutationType: { fields: { name: string }[] } } }>('{ __schema { mutationType { fields { name } } } }');
      expect(r.errors).toBeUndefined();
      const names = r.data!.__schema.mutationType.fields.map((f) => f.name);
      expect(names).toContain('login');
      expect(names).not.toContain('setTestClock');
    });
  });
});

describe('NODE_ENV=production', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { NODE_ENV: 'production', TEST_CLOCK: '0' } });
  });
  afterAll(() => s?.close());

  it('refuses introspection', async () => {
    for (const q of ['{ __schema { types { name } } }', '{ __type(name: "Query") { name fields { name } } }']) {
      const r = await s.gql(q, {}, await s.tokenFor('ADMIN'));
      expect(r.data ?? null, q).toBeNull();
      expect(r.errors?.[0].extensions?.code, q).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.errors?.[0].message, q).toMatch(/introspection/i);
    }
  });

  it('still answers ordinary queries', async () => {
    const r = await s.gql<{ viewer: { kind: string } }>('{ viewer { kind } __typename }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.viewer.kind).toBe('ANONYMOUS');
  });

  it('has no setTestClock', async () => {
    const r = await s.gql('mutation { setTestClock(now: "2031-01-01T00:00:00Z") }', {}, await s.tokenFor('ADMIN'));
    expect(r.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
