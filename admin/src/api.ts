import { useCallback, useEffect, useRef, useState } from 'react';
import type { TypedDocumentString } from './gql/graphql';

/** The staff session token, kept in this browser (GraphiQL reads it too). */
export const TOKEN_KEY = 'cbo.admin.token';

export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

let onUnauthenticated: () => void = () => undefined;
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

/** One GraphQL call over POST /graphql with the staff token; top-level errors become ApiError. */
export async function request<R, V>(doc: TypedDocumentString<R, V>, variables?: V): Promise<R> {
  const token = localStorage.getItem(TOKEN_KEY);
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: doc.toString(), variables }),
  });
  let body: { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`HTTP ${res.status}`, 'HTTP');
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    const code = e.extensions?.code ?? 'ERROR';
    if (code === 'UNAUTHENTICATED') onUnauthenticated();
    throw new ApiError(e.message, code);
  }
  return body.data as R;
}

export interface QueryState<R> {
  data: R | undefined;
  error: ApiError | undefined;
  loading: boolean;
  refetch: () => Promise<void>;
}

/** Runs a query when its variables change (compared as JSON); `skip` holds it. */
export function useQuery<R, V>(doc: TypedDocumentString<R, V>, variables: V, opts: { skip?: boolean } = {}): QueryState<R> {
  const [data, setData] = useState<R>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(!opts.skip);
  const key = JSON.stringify(variables);
  const seq = useRef(0);
  const run = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const r = await request(doc, JSON.parse(key) as V);
      if (mine === seq.current) {
        setData(r);
        setError(undefined);
      }
    } catch (e) {
      if (mine === seq.current) setError(e instanceof ApiError ? e : new ApiError(String(e), 'NETWORK'));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [doc, key]);
  useEffect(() => {
    if (!opts.skip) void run();
  }, [run, opts.skip]);
  return { data, error, loading, refetch: run };
}

interface Connection<N> {
  edges: { node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  totalCount: number;
}

/** A connection read page by page ("load more"): `pick` finds the connection in the result. */
export function usePaged<R, V extends { after?: string | null }, N>(doc: TypedDocumentString<R, V>, variables: V, pick: (r: R) => Connection<N>, opts: { skip?: boolean } = {}) {
  const first = useQuery(doc, variables, opts);
  const [more, setMore] = useState<{ nodes: N[]; page: Connection<N>['pageInfo'] }>();
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => setMore(undefined), [first.data]);
  const conn = first.data ? pick(first.data) : undefined;
  const nodes = [...(conn?.edges.map((e) => e.node) ?? []), ...(more?.nodes ?? [])];
  const page = more?.page ?? conn?.pageInfo;
  const loadMore = async () => {
    if (!page?.endCursor) return;
    setLoadingMore(true);
    try {
      const r = pick(await request(doc, { ...variables, after: page.endCursor }));
      setMore({ nodes: [...(more?.nodes ?? []), ...r.edges.map((e) => e.node)], page: r.pageInfo });
    } finally {
      setLoadingMore(false);
    }
  };
  return { ...first, nodes, totalCount: conn?.totalCount ?? 0, hasMore: !!page?.hasNextPage, loadMore, loadingMore };
}

export interface UserError {
  code: string;
  message: string;
  field?: string[] | null;
}

/** A mutation returning a payload with `errors`: the state keeps the UserErrors for the form. */
export function useMutation<R, V>(doc: TypedDocumentString<R, V>, payloadOf: (r: R) => { errors: UserError[] }) {
  const [running, setRunning] = useState(false);
  const [errors, setErrors] = useState<UserError[]>([]);
  const [failure, setFailure] = useState<string>();
  const run = async (variables: V): Promise<R | undefined> => {
    setRunning(true);
    setFailure(undefined);
    try {
      const r = await request(doc, variables);
      const p = payloadOf(r);
      setErrors(p.errors);
      return p.errors.length ? undefined : r;
    } catch (e) {
      setErrors([]);
      setFailure(e instanceof Error ? e.message : String(e));
      return undefined;
    } finally {
      setRunning(false);
    }
  };
  /** The message for an input field (last path element), e.g. fieldError('comment'). */
  const fieldError = (name: string) => errors.find((e) => e.field?.[e.field.length - 1] === name)?.message;
  /** Errors not tied to a field the form shows. */
  const otherErrors = (shown: string[]) => errors.filter((e) => !e.field || !shown.includes(e.field[e.field.length - 1]));
  return { run, running, errors, failure, fieldError, otherErrors, reset: () => (setErrors([]), setFailure(undefined)) };
}

export const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
