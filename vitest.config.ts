import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // End-to-end runs drive the real Claude Code binary; on a loaded 2-core machine one can take ~30 s.
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
