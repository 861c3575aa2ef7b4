import {
  type FieldNode,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  type GraphQLResolveInfo,
  Kind,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** What `selects` reads of a field's resolve info. */
export type Selection = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues'>;

/**
 * Whether the query asks for `path` under the field being resolved, e.g. `selects(info, 'edges', 'node',
 * 'payment')` in a list resolver: by field name, whatever the alias (and under several aliases), through
 * inline fragments and named fragment spreads, honouring `@skip` and `@include` (literal or variable).
 * Type conditions are not checked: on these object types a fragment applies or the query is invalid,
 * and a wrong "yes" would only read rows the query does not show (never the reverse).
 * A list resolver asks this to read its page's relations with the page (resolvers/prefetch.ts).
 */
export function selects(info: Selection, ...path: string[]): boolean {
  return below(info, ...path) !== null;
}

/** The selection at `path` under the field being resolved (to ask `selects` of it), or null when not selected. */
export function below(info: Selection, ...path: string[]): Selection | null {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    const next: FieldNode[] = [];
    for (const node of nodes) if (node.selectionSet) collect(node.selectionSet, name, info, next, new Set());
    if (!next.length) return null;
    nodes = next;
  }
  return { fieldNodes: nodes, fragments: info.fragments, variableValues: info.variableValues };
}

function collect(
  set: SelectionSetNode,
  name: string,
  info: Omit<Selection, 'fieldNodes'>,
  out: FieldNode[],
  seen: Set<string>,
): void {
  for (const selection of set.selections) {
    if (!included(selection, info.variableValues)) continue;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) out.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, name, info, out, seen);
    } else {
      // A fragment spread, each fragment once (validation already refuses cycles).
      const fragment = info.fragments[selection.name.value];
      if (fragment && !seen.has(fragment.name.value)) {
        seen.add(fragment.name.value);
        collect(fragment.selectionSet, name, info, out, seen);
      }
    }
  }
}

/** `@skip(if: true)` or `@include(if: false)` leave a selection out, as graphql-js's execution does. */
function included(node: SelectionNode, variables: GraphQLResolveInfo['variableValues']): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
