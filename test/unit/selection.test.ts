import { execute, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { below, selects } from '../../src/resolvers/selection';

/**
 * Issue 10: a list resolver reads a page's relations with the page when the query selects them
 * (resolvers/prefetch.ts). `selects` must see a field whatever its alias, through inline and named
 * fragments, and must leave out what `@skip` / `@include` leave out, as graphql-js's execution does.
 */
const Learner = new GraphQLObjectType({ name: 'Learner', fields: { id: { type: GraphQLString }, email: { type: GraphQLString } } });
const Node = new GraphQLObjectType({
  name: 'Node',
  fields: { id: { type: GraphQLString }, payment: { type: GraphQLString }, learner: { type: Learner }, status: { type: GraphQLString } },
});
const Edge = new GraphQLObjectType({ name: 'Edge', fields: { cursor: { type: GraphQLString }, node: { type: Node } } });
const PATHS = [['edges', 'node', 'payment'], ['edges', 'node', 'learner'], ['edges', 'node', 'learner', 'email'], ['edges', 'cursor'], ['edges', 'node', 'missing']];

/** Runs `query` and returns which of PATHS the list resolver saw selected. */
async function seen(query: string, variableValues?: Record<string, unknown>): Promise<string[]> {
  let found: string[] = [];
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        list: {
          type: new GraphQLObjectType({ name: 'Connection', fields: { edges: { type: new GraphQLList(Edge) } } }),
          resolve: (_root, _args, _ctx, info) => {
            found = PATHS.filter((p) => selects(info, ...p)).map((p) => p.join('.'));
            return { edges: [] };
          },
        },
      },
    }),
  });
  const r = await execute({ schema, document: parse(query), variableValues });
  expect(r.errors).toBeUndefined();
  return found;
}

describe('selects (list prefetch, issue 10)', () => {
  it('sees fields by name, under an alias, and not fields that are not asked for', async () => {
    expect(await seen('{ list { edges { node { id pay: payment learner { email } } } } }')).toEqual(['edges.node.payment', 'edges.node.learner', 'edges.node.learner.email']);
    expect(await seen('{ list { edges { cursor node { id } } } }')).toEqual(['edges.cursor']);
    expect(await seen('{ list { e: edges { n: node { l: learner { id } } } } }')).toEqual(['edges.node.learner']);
  });

  it('merges a field asked for twice under one name, and a sub-field under several aliases', async () => {
    expect(await seen('{ list { edges { node { learner { id } } } } list { edges { node { id } } } }')).toEqual(['edges.node.learner']);
    expect(await seen('{ list { x: edges { node { learner { id } } } y: edges { node { learner { email } } } } }')).toEqual([
      'edges.node.learner',
      'edges.node.learner.email',
    ]);
  });

  it('looks through inline fragments and named fragments, nested and spread twice', async () => {
    const q = `{ list { edges { ...E ...E } } }
      fragment E on Edge { node { ... on Node { ...N } } }
      fragment N on Node { payment learner { ... { email } } }`;
    expect(await seen(q)).toEqual(['edges.node.payment', 'edges.node.learner', 'edges.node.learner.email']);
  });

  it('honours @skip and @include, literal or from variables, on fields and fragments', async () => {
    expect(await seen('{ list { edges { node { payment @skip(if: true) learner @include(if: false) { id } } } } }')).toEqual([]);
    const q = 'query($yes: Boolean!, $no: Boolean!) { list { edges { node { payment @include(if: $yes) ... on Node @skip(if: $no) { learner { email } } } } } }';
    expect(await seen(q, { yes: true, no: false })).toEqual(['edges.node.payment', 'edges.node.learner', 'edges.node.learner.email']);
    expect(await seen(q, { yes: false, no: true })).toEqual([]);
    expect(await seen('{ list { edges @skip(if: true) { node { payment } } } }')).toEqual([]);
  });

  it('below gives the selection at a path, or null', async () => {
    let at: ReturnType<typeof below> = null;
    let none: ReturnType<typeof below> = null;
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          list: {
            type: new GraphQLObjectType({ name: 'Connection', fields: { edges: { type: new GraphQLList(Edge) } } }),
            resolve: (_r, _a, _c, info) => {
              at = below(info, 'edges', 'node');
              none = below(info, 'edges', 'cursor');
              return { edges: [] };
            },
          },
        },
      }),
    });
    await execute({ schema, document: parse('{ list { edges { node { status } } } }') });
    expect(at && selects(at, 'status')).toBe(true);
    expect(at && selects(at, 'payment')).toBe(false);
    expect(none).toBeNull();
  });
});
