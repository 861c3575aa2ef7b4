/**
 * Loads `pg` first (main.ts imports this before anything else) without its Cloudflare Workers probe:
 * pg 8.23 asks `navigator.userAgent` and, where `navigator` does not exist (Node 20; Node ≥ 21 has
 * it), builds a `Response`, which loads Node's fetch implementation at start-up (≈ 30–130 ms) for
 * nothing. A `navigator` exists for the synchronous `require` only; every later `import 'pg'` gets
 * the module from the cache.
 */
const g = globalThis as { navigator?: { userAgent: string } };
const absent = g.navigator === undefined;
if (absent) g.navigator = { userAgent: `Node.js/${process.versions.node}` };
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('pg');
} finally {
  if (absent) delete g.navigator;
}

export {};
