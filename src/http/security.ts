import { type ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { type FastifyInstance } from 'fastify';
import { GraphQLError, type ParseOptions, type ValidationRule } from 'graphql';
import { type Config } from '../config';

/** GraphQL abuse limits (SECURITY.md, "GraphQL abuse"). Checked during parsing and validation, before any resolver runs. */
export const GRAPHQL_LIMITS = {
  maxDepth: 10,
  maxAliases: 15,
  maxTokens: 3000,
  maxCost: 50_000,
  maxDirectives: 20,
} as const;

/** The graphql-armor plugins and validation rules, merged into Apollo's own (see registerGraphQL). */
export function graphqlArmor(production: boolean): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[]; parseOptions: ParseOptions } {
  const armor = new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth, flattenFragments: true },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
    // Tokens are counted by graphql-js's own parser (parseOptions, below): armor's Apollo plugin throws from a hook, which Apollo answers 500.
    maxTokens: { enabled: false },
    // armor's count skips the directives of a repeated fragment spread (`...F @include(if: true)` × n): ours counts the whole document.
    maxDirectives: { enabled: false },
    costLimit: { maxCost: GRAPHQL_LIMITS.maxCost, flattenFragments: true },
    // "Did you mean …?" reveals the schema field by field: off in production, where introspection is off too.
    blockFieldSuggestion: { enabled: production },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins: plugins as ApolloServerPlugin[], validationRules: [...validationRules, maxDirectivesRule(GRAPHQL_LIMITS.maxDirectives)], parseOptions: { maxTokens: GRAPHQL_LIMITS.maxTokens } };
}

/** At most `n` directives in the whole document (operations and fragments, every spread's own included). */
function maxDirectivesRule(n: number): ValidationRule {
  return (context) => {
    let count = 0;
    return {
      Directive() {
        if (++count === n + 1) context.reportError(new GraphQLError(`Syntax Error: Directives limit of ${n} exceeded.`));
      },
    };
  };
}

/**
 * Security headers (helmet) and CORS. The content security policy is production-only (development
 * tools may inline scripts); CORS answers only the origins listed in CORS_ORIGINS (none by default).
 */
export async function registerHttpSecurity(app: FastifyInstance, config: Pick<Config, 'production' | 'corsOrigins'>): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: config.production ? undefined : false,
    hsts: config.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  const allowed = new Set(config.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight'],
    maxAge: 600,
  });
}
