import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The automatic JSX runtime, as in tsconfig.json; the alias serves it from source under test.
  esbuild: { jsx: 'automatic', jsxDev: false, jsxImportSource: 'cordon' },
  resolve: { alias: { 'cordon/jsx-runtime': fileURLToPath(new URL('./src/web/jsx-runtime.ts', import.meta.url)) } },
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
