#!/usr/bin/env node
// `npm start` builds only when a source file is newer than the last build (tsc -p tsconfig.build.json).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.tsbuildinfo');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(root, 'src')), existsSync(join(root, 'bench')) ? newest(join(root, 'bench')) : 0, statSync(join(root, 'tsconfig.json')).mtimeMs, statSync(join(root, 'package-lock.json')).mtimeMs);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  console.error('building (tsc)...');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

// The admin web app (admin/, built into dist/admin by `npm run build:admin`), for `npm start` only
// (`--admin`): rebuilt when a source is newer. A failed build leaves the server usable (/admin/ answers 503).
function newestAny(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).filter((n) => n !== 'node_modules').map((n) => newestAny(join(path, n))));
}
const adminStamp = join(root, 'dist', 'admin', 'index.html');
const adminSources = Math.max(newestAny(join(root, 'admin')), newestAny(join(root, 'src', 'schema', 'schema.graphql')), statSync(join(root, 'package-lock.json')).mtimeMs);
if (process.argv.includes('--admin') && existsSync(join(root, 'admin')) && (!existsSync(adminStamp) || statSync(adminStamp).mtimeMs < adminSources)) {
  console.error('building the admin web app (vite)...');
  try {
    execFileSync('npm', ['run', '--silent', 'build:admin'], { cwd: root, stdio: 'inherit' });
  } catch {
    console.error('the admin web app did not build: the server starts without it (see the output above)');
  }
}
