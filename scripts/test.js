// `npm test`: build (child-process tests run the compiled CLI and worker), run vitest, and print the
// plain summary line CI reads: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';

const build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json", "--noEmitOnError"], { stdio: "inherit" });
if (build.status !== 0) {
  console.error('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// Type-aware lint is part of the suite, so CI refuses what the linter refuses.
const lint = spawnSync('npx', ['eslint', '.'], { stdio: 'inherit' });
if (lint.status !== 0) {
  console.error('lint failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
mkdirSync('test-artifacts', { recursive: true });
const report = 'test-artifacts/vitest-report.json';
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const run = spawnSync('npx', args, { stdio: 'inherit' });
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  failed = r.numFailedTests ?? 0;
  if (run.status !== 0 && failed === 0) failed = 1; // a suite that failed to load counts too
} else if (run.status !== 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
