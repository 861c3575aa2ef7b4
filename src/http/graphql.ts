import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { type Context } from '../context';
import { isDomainError } from '../domain/errors';
import { graphqlMetricsPlugin } from './metrics';
import { graphqlArmor } from './security';

/** Codes whose message is meant for the caller; anything else is masked. */
const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Errors leave the server in three shapes: a business refusal in a query (DomainError) becomes
 * BAD_USER_INPUT with its stable code and field; client errors keep their message; everything else is
 * INTERNAL_SERVER_ERROR with a generic message and the request id (logged in full server-side).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isDomainError(original)) {
    return { message: original.message, path: formatted.path, extensions: { code: 'BAD_USER_INPUT', errorCode: original.code, field: original.field ?? null } };
  }
  if (isBadTextError(original)) {
    return { message: 'Text inputs must be valid UTF-8 without NUL characters', path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
  }
  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (CLIENT_CODES.has(code)) {
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/**
 * PostgreSQL refuses text it cannot store (a NUL character: SQLSTATE 22021 / 22P05, or 08P01 in a bound parameter). Inputs are
 * validated field by field in services; this is the net for any string that reaches SQL unchecked.
 */
function isBadTextError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  // A NUL inside a bound parameter breaks the wire message itself: 08P01 "invalid message format".
  return e.code === '22021' || e.code === '22P05' || (e.code === '08P01' && /invalid message format/i.test(String(e.message)));
}

/** Logs every unexpected error with the request id, and adds the id to the masked error. */
const errorLogging: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors, operationName }) {
        for (const err of errors) {
          const original = unwrapResolverError(err);
          const code = String(err.extensions?.code ?? '');
          if (isDomainError(original) || isBadTextError(original) || CLIENT_CODES.has(code)) continue;
          contextValue.log.error({ err: original, path: err.path, operationName, requestId: contextValue.requestId }, 'unexpected GraphQL error');
        }
      },
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        for (const e of response.body.singleResult.errors ?? []) {
          if (e.extensions?.code === 'INTERNAL_SERVER_ERROR') (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
        }
      },
    };
  },
};

export async function registerGraphQL(
  app: FastifyInstance,
  schema: GraphQLSchema,
  opts: { production: boolean; buildContext: (request: FastifyRequest) => Promise<Context> },
): Promise<ApolloServer<Context>> {
  const armor = graphqlArmor(opts.production);
  const apollo = new ApolloServer<Context>({
    schema,
    validationRules: armor.validationRules,
    parseOptions: armor.parseOptions,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: !opts.production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // No cache hints in this API: Apollo's default cache-control plugin would only wrap every field
    // resolver to compute one (a `willResolveField` call per field: ~3 % of a 200-row page, bench/README.md).
    plugins: [fastifyApolloDrainPlugin(app), errorLogging, graphqlMetricsPlugin, ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ...armor.plugins],
  });
  await apollo.start();
  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: fastifyApolloHandler(apollo, { context: (request) => opts.buildContext(request) }),
  });
  return apollo;
}
