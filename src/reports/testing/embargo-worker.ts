// A worker process for the restart test in embargo-workers.test.ts: the product's own job registry and
// Worker over the real database, with two test-only knobs. LEASE_MS shortens the lease (the CLI's is a
// minute), so a killed worker's job is taken over within seconds. HOLD_OPEN_AT=n stops inside the n-th
// embargo-opening transaction (one opening, or a batch of them — BATCH_SIZE sets the batch lane's size),
// after its effects and before the commit, prints "holding <first job id>" and waits there, so the test
// can kill the process while openings are written but not committed.
import { loadConfig } from '../../config/config.js';
import { systemClock } from '../../clock.js';
import type { ChangeContext } from '../../context.js';
import { EMBARGO_OPEN_JOB } from '../embargo/schedule.js';
import { buildJobRegistry } from '../../jobs/registry.js';
import { JobRegistry, type JobContext } from '../../jobs/worker.js';
import { runFixtureWorker } from '../../testing/worker-processes.js';
import { openContext } from '../../server.js';

const ctx = await openContext(loadConfig(process.env), systemClock);
const product = buildJobRegistry(ctx);
const holdAt = Number(process.env.HOLD_OPEN_AT ?? 0);
const batchSize = process.env.BATCH_SIZE ? Number(process.env.BATCH_SIZE) : undefined;
let openings = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wraps a commit (of one opening, or of a batch of openings) so the holdAt-th one stops before committing. */
function holding(commit: JobContext['commit'], jobId: number): JobContext['commit'] {
  return async <T>(fn: (change: ChangeContext) => Promise<T>): Promise<T> =>
    commit(async (change) => {
      const result = await fn(change);
      openings += 1;
      if (openings === holdAt) {
        process.stdout.write(`holding ${jobId}\n`);
        await sleep(600_000); // until killed
      }
      return result;
    });
}

const registry = new JobRegistry();
for (const kind of product.kinds()) {
  const handler = product.get(kind)!;
  if (kind !== EMBARGO_OPEN_JOB) {
    registry.register(handler);
    continue;
  }
  const batch = handler.batch!;
  registry.register({
    ...handler,
    run: (jc) => handler.run({ ...jc, commit: holding(jc.commit, jc.job.id) }),
    batch: { size: batchSize ?? batch.size, run: (bc) => batch.run({ ...bc, commit: holding(bc.commit, bc.jobs[0]!.id) }) },
  });
}

runFixtureWorker(ctx, registry);
