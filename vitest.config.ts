import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'transform', jsxFactory: 'h', jsxFragment: 'Fragment' },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser and PostgreSQL suites start real processes; two cores is the CI machine.
    maxWorkers: 2,
  },
});
