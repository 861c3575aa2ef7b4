import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from '../../src/http/lazy-schema-compilers';

/** src/http/app.ts creates fastify with lazily loaded schema compilers: a route with schemas still validates and serializes. */
describe('lazy fastify schema compilers', () => {
  it('a body schema is still enforced and a response schema still applied', async () => {
    const app = Fastify({ schemaController: lazySchemaCompilers() });
    app.post(
      '/echo',
      {
        schema: {
          body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } }, additionalProperties: false },
          response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
        },
      },
      async (request) => ({ n: (request.body as { n: number }).n, secret: 'not serialized' }),
    );
    app.get('/plain', async () => ({ ok: true }));
    try {
      const ok = await app.inject({ method: 'POST', url: '/echo', payload: { n: 3 } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ n: 3 });
      const bad = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'three' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'FST_ERR_VALIDATION' });
      expect((await app.inject({ method: 'GET', url: '/plain' })).json()).toEqual({ ok: true });
    } finally {
      await app.close();
    }
  });
});
