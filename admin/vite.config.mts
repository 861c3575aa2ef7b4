import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The admin web app: two pages (the app, and GraphiQL) built into dist/admin, served by
 * src/http/admin.route.ts at /admin/. Everything is bundled (no CDN): it runs on an isolated network.
 */
export default defineConfig({
  root: here,
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/admin', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    // No inline scripts or data: URLs for scripts: the app runs under a strict CSP (script-src 'self').
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { main: `${here}index.html`, graphiql: `${here}graphiql.html` },
      // GraphiQL's "use no memo" directives are harmless once bundled.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
});
