import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';

// The web UI: sources in web/, built to web/dist, which `autocoder serve` serves with an SPA
// fallback. `@shared` is src/shared (zod schemas shared with the server; browser-safe).
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  plugins: [react(), tailwindcss()],
  resolve: { alias: { '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // Fonts stay files served from the app's own origin (the CSP's font-src 'self' has no data:); other small
    // assets are inlined as usual.
    assetsInlineLimit: (file) => (/\.woff2?$/.test(file) ? false : undefined),
  },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://127.0.0.1:8888',
      '/ws': { target: 'ws://127.0.0.1:8888', ws: true },
    },
  },
});
