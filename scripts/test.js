// `npm test`: type-check everything (test files included), build (child-process tests run the compiled
// CLI and worker), lint, run vitest, and print what ran where. The LAST line is the one CI reads:
// "N passed, N failed[, N skipped]". Just before it: how many tests ran on each database and in the browser.
// Suites that could not run here are listed with their reason (src/testing/skips.ts); with CI=true a
// missing database or browser fails the run instead (the suites throw).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

// Same text as SKIP_MARK in src/testing/skips.ts (this script runs before anything is compiled).
const SKIP_MARK = ' — skipped: ';

const seconds = (started) => `${((Date.now() - started) / 1000).toFixed(1)}s`;

function fail(name) {
  console.error(`${name} failed`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

/** Runs the commands side by side (tsc is single-threaded; CI has two cores) and prints each one's time. */
async function stage(commands) {
  const results = await Promise.all(
    commands.map(
      ([name, command, args]) =>
        new Promise((resolve) => {
          const started = Date.now();
          const child = spawn(command, args, { stdio: 'inherit' });
          child.on('close', (code) => {
            console.log(`== ${name}: ${seconds(started)}${code === 0 ? '' : ' (failed)'}`);
            resolve({ name, ok: code === 0 });
          });
        }),
    ),
  );
  const failed = results.find((r) => !r.ok);
  if (failed) fail(failed.name);
}

await stage([
  // Test files are type-checked here, not only by `npm run lint` (the build leaves them out).
  ['type-check (tsconfig.json, tests included)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['build', 'npx', ['tsc', '-p', 'tsconfig.build.json', '--noEmitOnError']],
]);
// Type-aware lint is part of the suite, so CI refuses what the linter refuses.
await stage([['lint', 'npx', ['eslint', '.']]]);

mkdirSync('test-artifacts', { recursive: true });
const report = 'test-artifacts/vitest-report.json';
rmSync(report, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const started = Date.now();
const run = spawnSync('npx', args, { stdio: 'inherit' });
console.log(`== vitest: ${seconds(started)}`);

const count = { passed: 0, failed: 0, skipped: 0 };
const ran = { sqlite: 0, postgres: 0, browser: 0, other: 0 };
const skippedBecause = new Map(); // reason -> { suites: Set, tests: n }
const skippedWithoutReason = [];
const brokenFiles = [];

/** Where a test ran: its describe.each(testDialects()) case ("… on sqlite" / "… on postgres"), or the browser. */
function placeOf(file, ancestors) {
  if (/\.browser\.test\.tsx?$/.test(file)) return 'browser';
  const titles = ancestors.join(' > ');
  if (/\bon postgres(ql)?\b/i.test(titles)) return 'postgres';
  if (/\bon sqlite\b/i.test(titles)) return 'sqlite';
  return 'other';
}

if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  for (const file of r.testResults ?? []) {
    const rel = path.relative(process.cwd(), file.name);
    const tests = file.assertionResults ?? [];
    // A file that fails to load (or fails in a hook outside any test) has no failed test to show for it.
    if (file.status === 'failed' && !tests.some((t) => t.status === 'failed')) brokenFiles.push(`${rel}: ${(file.message ?? '').split('\n')[0]}`);
    for (const t of tests) {
      if (t.status === 'passed' || t.status === 'failed') {
        count[t.status] += 1;
        ran[placeOf(rel, t.ancestorTitles ?? [])] += 1;
        continue;
      }
      count.skipped += 1;
      const marked = [...(t.ancestorTitles ?? []), t.title].find((title) => title.includes(SKIP_MARK));
      if (!marked) {
        skippedWithoutReason.push(`${rel} > ${[...(t.ancestorTitles ?? []), t.title].join(' > ')} (${t.status})`);
        continue;
      }
      const [suite, reason] = [marked.slice(0, marked.indexOf(SKIP_MARK)), marked.slice(marked.indexOf(SKIP_MARK) + SKIP_MARK.length)];
      const entry = skippedBecause.get(reason) ?? { suites: new Set(), tests: 0 };
      entry.suites.add(`${rel} > ${suite}`);
      entry.tests += 1;
      skippedBecause.set(reason, entry);
    }
  }
}
count.failed += brokenFiles.length;
if (!existsSync(report) || (run.status !== 0 && count.failed === 0)) count.failed += 1; // vitest failed without saying where

if (brokenFiles.length) {
  console.log(`\nFiles that failed outside a test (${brokenFiles.length}):`);
  for (const f of brokenFiles) console.log(`  ${f}`);
}
for (const [reason, { suites, tests }] of skippedBecause) {
  console.log(`\nSkipped ${tests} tests in ${suites.size} suites: ${reason}`);
  for (const s of [...suites].sort()) console.log(`  ${s}`);
}
if (skippedWithoutReason.length) {
  console.log(`\nSkipped without a reason (${skippedWithoutReason.length}):`);
  for (const s of skippedWithoutReason) console.log(`  ${s}`);
}
console.log(`\nsqlite: ${ran.sqlite}, postgres: ${ran.postgres}, browser: ${ran.browser}, other: ${ran.other}`);
console.log(`${count.passed} passed, ${count.failed} failed${count.skipped ? `, ${count.skipped} skipped` : ''}`);
process.exit(run.status === 0 && count.failed === 0 ? 0 : 1);
