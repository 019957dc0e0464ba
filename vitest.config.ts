import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/fixtures/**', 'node_modules/**'],
    // Generous: the first case of a rule table builds a typed program cold, and CLI tests start Node; on a loaded
    // 2-core machine both take several times their usual time. Timeouts catch hangs, not slowness.
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
