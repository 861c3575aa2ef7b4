import { createRequire } from 'node:module';
import { type FastifyServerOptions } from 'fastify';

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Builder = (...args: unknown[]) => unknown;

/**
 * Fastify builds its JSON-schema compilers' factories (ajv for validation, fast-json-stringify for
 * serialization: ≈ 40–55 ms of module loading) when the server is created, though only a route with a
 * schema uses them, and no route here declares one. These load the same packages, from fastify's own
 * location, the first time a schema is compiled, and pass every call through unchanged. The one
 * difference: fastify takes them for custom compilers, so it would not lower-case the property names
 * of a `headers` schema (none exists).
 */
function lazyFactory(pkg: string): Builder {
  let factory: Builder | undefined;
  return (...args) => {
    factory ??= (createRequire(require.resolve('fastify'))(pkg) as () => Builder)();
    return factory(...args);
  };
}

export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  return {
    compilersFactory: {
      buildValidator: lazyFactory('@fastify/ajv-compiler') as unknown as Factories['buildValidator'],
      buildSerializer: lazyFactory('@fastify/fast-json-stringify-compiler') as unknown as Factories['buildSerializer'],
    },
  };
}
