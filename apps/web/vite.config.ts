import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The SPA is served by the Decentra server from dist/. The server's CSP allows only
 * same-origin scripts and styles, so everything is emitted as files (no inline code).
 * The service worker is a second entry, emitted at the root as dist/sw.js (served as /sw.js, so its
 * scope can be the whole origin without a Service-Worker-Allowed header); it imports nothing at run
 * time, so it shares no chunk with the page and stays one classic script.
 */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      input: { index: 'index.html', sw: 'src/features/notifications/service-worker/sw.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8765',
      '/ws': { target: 'ws://127.0.0.1:8765', ws: true },
    },
  },
});
