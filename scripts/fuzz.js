// `npm run fuzz [-- filter…]`: the fuzz targets (src/**/*.fuzz.test.ts) run long. FUZZ_RUNS (default
// 20000) cases per fast target (slow targets take a share), a random FUZZ_SEED unless one is given,
// FUZZ_TIME_MS per target (default 10 minutes). One file at a time (a single worker), so the machine
// stays usable. The seed is printed: rerun with FUZZ_SEED=<seed> to reproduce a failure, then commit the
// saved counterexample (test-artifacts/fuzz-failures/<target>/) to the target's __fuzz__/<target>/ folder.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const seed = process.env.FUZZ_SEED?.trim() || String(randomInt(1, 2 ** 31 - 1));
const runs = process.env.FUZZ_RUNS?.trim() || '20000';
const filters = process.argv.slice(2);
console.log(`[fuzz] FUZZ_SEED=${seed} FUZZ_RUNS=${runs}${process.env.FUZZ_TIME_MS ? ` FUZZ_TIME_MS=${process.env.FUZZ_TIME_MS}` : ''}`);
const run = spawnSync('npx', ['vitest', 'run', '--maxWorkers=1', '--testTimeout=0', '--hookTimeout=120000', ...(filters.length ? filters : ['.fuzz.test.ts'])], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
console.log(`[fuzz] seed was ${seed}`);
process.exit(run.status ?? 1);
