import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'transform', jsxFactory: 'h', jsxFragment: 'Fragment' },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Skips suites titled with a reason (src/testing/skips.ts), e.g. the PostgreSQL case without a database.
    runner: './src/testing/vitest-runner.ts',
    // Browser and PostgreSQL suites start real processes; two cores is the CI machine.
    maxWorkers: 2,
  },
});
