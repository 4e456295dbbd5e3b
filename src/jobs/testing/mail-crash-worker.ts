// A worker process for the mail crash test in src/mail/outbox-crash.test.ts: the product's job registry
// and Worker, except that a mail job stops after the mail went out and before its delivery is recorded
// (the commit), prints "holding <job id>" and waits there to be killed. LEASE_MS shortens the lease.
import { loadConfig } from '../../config/config.js';
import { systemClock } from '../../clock.js';
import { buildJobRegistry } from '../registry.js';
import { JobRegistry } from '../worker.js';
import { MAIL_JOB } from '../../mail/outbox.js';
import { runFixtureWorker } from '../../testing/worker-processes.js';
import { openContext } from '../../server.js';

const ctx = await openContext(loadConfig(process.env), systemClock);
const product = buildJobRegistry(ctx);
const registry = new JobRegistry();
for (const kind of product.kinds()) {
  const handler = product.get(kind)!;
  if (kind !== MAIL_JOB) {
    registry.register(handler);
    continue;
  }
  registry.register({
    ...handler,
    run: (jc) =>
      handler.run({
        ...jc,
        commit: async () => {
          process.stdout.write(`holding ${jc.job.id}\n`);
          await new Promise((resolve) => setTimeout(resolve, 600_000)); // until killed
          throw new Error('the crash test should have killed this worker');
        },
      }),
  });
}

runFixtureWorker(ctx, registry);
