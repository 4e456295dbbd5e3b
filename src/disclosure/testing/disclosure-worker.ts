// A worker process for the restart case of run-workers.test.ts: the product's own job registry and Worker
// over the real database, with two test-only knobs. LEASE_MS shortens the lease (the disclosure job's own
// is ten minutes), so a killed worker's job is taken over within seconds. HOLD_AFTER_STEP=<step> stops the
// first disclosure-hour job right after that step committed (the RunHooks.afterStep seam of run.ts),
// prints "holding <job id>" and blocks there, so the test can SIGKILL the process between two steps.
import { loadConfig } from '../../config/config.js';
import { systemClock } from '../../clock.js';
import { buildJobRegistry } from '../../jobs/registry.js';
import { JobRegistry } from '../../jobs/worker.js';
import { runFixtureWorker } from '../../testing/worker-processes.js';
import { openContext } from '../../server.js';
import { disclosureRunHandler } from '../jobs.js';
import { DISCLOSURE_RUN_JOB } from '../run.js';
import type { DisclosureStep } from '../tables.js';

const ctx = await openContext(loadConfig(process.env), systemClock);
const product = buildJobRegistry(ctx);
const holdAfter = (process.env.HOLD_AFTER_STEP ?? '') as DisclosureStep | '';
const leaseMs = Number(process.env.LEASE_MS ?? 60_000);
let currentJob = 0;
let held = false;

/** Blocks the whole process (the event loop too, so no lease heartbeat) until it is killed. */
function holdForever(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
}

const disclosure = disclosureRunHandler(ctx, {
  afterStep: (step) => {
    if (held || step !== holdAfter) return;
    held = true;
    process.stdout.write(`holding ${currentJob}\n`); // stdout to a pipe is synchronous on Linux
    holdForever();
  },
});

const registry = new JobRegistry();
for (const kind of product.kinds()) {
  if (kind === DISCLOSURE_RUN_JOB) {
    registry.register({
      ...disclosure,
      leaseMs,
      run: (jc) => {
        currentJob = jc.job.id;
        return disclosure.run(jc);
      },
    });
  } else registry.register(product.get(kind)!);
}

runFixtureWorker(ctx, registry, leaseMs);
