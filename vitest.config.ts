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
    // Unit tests get vitest's default timeout (5 s). Slow tests say so themselves: the end-to-end
    // and browser files (vi.setConfig at their top), and single tests that spawn processes (a
    // timeout after the test function). Hooks create projects with git and start servers.
    hookTimeout: 30_000,
  },
});
