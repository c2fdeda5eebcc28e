import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The SPA is served by the Decentra server from dist/. The server's CSP allows only
 * same-origin scripts and styles, so everything is emitted as files (no inline code).
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
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8765',
      '/ws': { target: 'ws://127.0.0.1:8765', ws: true },
    },
  },
});
