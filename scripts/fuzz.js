// `npm run fuzz [-- filter…]`: the fuzz targets (src/**/*.fuzz.test.ts) run long. FUZZ_RUNS (default
// 20000) cases per fast target (slow targets take a share), a random FUZZ_SEED unless one is given,
// FUZZ_TIME_MS per target (default 10 minutes). One file at a time (a single worker), so the machine
// stays usable. The seed is printed: rerun with FUZZ_SEED=<seed> to reproduce a failure, then commit the
// saved counterexample (test-artifacts/fuzz-failures/<target>/) to the target's __fuzz__/<target>/ folder.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';

const seed = process.env.FUZZ_SEED?.trim() || String(randomInt(1, 2 ** 31 - 1));
const runs = process.env.FUZZ_RUNS?.trim() || '20000';
// Filters pick fuzz files by path (`npm run fuzz -- src/cvss src/mail`); other tests never run here.
const filters = process.argv.slice(2);
const targets = readdirSync('src', { recursive: true })
  .map((f) => `src/${String(f)}`)
  .filter((f) => f.endsWith('.fuzz.test.ts') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort();
if (targets.length === 0) {
  console.error(`[fuzz] no fuzz target matches ${filters.join(' ')}`);
  process.exit(1);
}
console.log(`[fuzz] FUZZ_SEED=${seed} FUZZ_RUNS=${runs}${process.env.FUZZ_TIME_MS ? ` FUZZ_TIME_MS=${process.env.FUZZ_TIME_MS}` : ''}`);
const run = spawnSync('npx', ['vitest', 'run', '--maxWorkers=1', '--testTimeout=0', '--hookTimeout=120000', ...targets], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
console.log(`[fuzz] seed was ${seed}`);
process.exit(run.status ?? 1);
