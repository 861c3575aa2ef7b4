import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/** Where `npm run build:admin` puts the admin web app (admin/vite.config.ts). */
export function adminDistDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'admin');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

export interface AdminOptions {
  /** GraphiQL at GET /graphql (browsers) and /admin/graphiql; off in production unless GRAPHIQL=1. */
  graphiql: boolean;
  /** Default: dist/admin of the project. */
  distDir?: string;
}

function sendFile(reply: FastifyReply, file: string, cache: 'immutable' | 'no-cache'): FastifyReply {
  const size = statSync(file).size;
  return reply
    .code(200)
    .header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
    .header('content-length', size)
    .header('cache-control', cache === 'immutable' ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(createReadStream(file));
}

function notBuilt(reply: FastifyReply): FastifyReply {
  return reply.code(503).type('text/plain; charset=utf-8').send('The admin web app is not built: run `npm run build:admin`.');
}

/** A browser asking for /graphql (HTML, no query): GraphiQL; anything else goes on to Apollo. */
function wantsGraphiql(request: FastifyRequest): boolean {
  if (request.method !== 'GET') return false;
  const [path, search = ''] = request.url.split('?');
  if (path !== '/graphql') return false;
  if (new URLSearchParams(search).has('query')) return false;
  return String(request.headers.accept ?? '').includes('text/html');
}

/**
 * The admin web app at /admin/ (built files streamed from disk; hashed assets cached for a year,
 * pages never; client routes fall back to index.html) and GraphiQL (its own page of the build).
 * Registered on the root instance: its onRequest hook sees GET /graphql before Apollo does.
 */
export function registerAdmin(fastify: FastifyInstance, opts: AdminOptions): void {
  const dist = opts.distDir ?? adminDistDir();
  const page = (name: string) => join(dist, name);

  if (opts.graphiql) {
    fastify.addHook('onRequest', async (request, reply) => {
      if (!wantsGraphiql(request)) return;
      if (!existsSync(page('graphiql.html'))) return notBuilt(reply);
      return sendFile(reply, page('graphiql.html'), 'no-cache');
    });
  }

  fastify.get('/admin', async (_request, reply) => reply.redirect('/admin/'));
  fastify.get('/admin/*', async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    if (!existsSync(page('index.html'))) return notBuilt(reply);
    const rest = decodeURIComponent(request.params['*'] ?? '');
    if (rest === 'graphiql' || rest === 'graphiql.html') {
      return opts.graphiql ? sendFile(reply, page('graphiql.html'), 'no-cache') : reply.code(404).send({ error: 'GraphiQL is off' });
    }
    const file = normalize(join(dist, rest));
    if (rest && file.startsWith(dist + sep) && existsSync(file) && statSync(file).isFile()) {
      return sendFile(reply, file, rest.startsWith('assets/') ? 'immutable' : 'no-cache');
    }
    // A missing asset is a 404 (not the page): the browser must not run HTML as a script.
    if (rest.startsWith('assets/') || extname(rest)) return reply.code(404).send({ error: 'not found' });
    return sendFile(reply, page('index.html'), 'no-cache');
  });
}
