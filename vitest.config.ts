import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)) } },
  test: {
    // Web component tests choose jsdom with a `@vitest-environment jsdom` comment; the rest run in node.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}', 'web/test/**/*.test.{ts,tsx}'],
    pool: 'forks',
    maxWorkers: 2,
    // End-to-end runs drive the real Claude Code binary; on a loaded 2-core machine one can take ~30 s.
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
