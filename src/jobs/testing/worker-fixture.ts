// A worker process for the exactly-once tests: real Worker, real database, two test job kinds whose only
// effect is an audit event written in the job's completing transaction.
import { openStorage } from '../../storage/database.js';
import { systemClock } from '../../clock.js';
import { testConfig } from '../../config/config.js';
import { JobRegistry, Worker } from '../worker.js';

const storage = openStorage({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? '/tmp' });
const registry = new JobRegistry();

registry.register({
  kind: 'test.record',
  run: async ({ payload, commit, job }) => {
    await commit(({ audit }) => audit('test.job_effect', 'test', String((payload as { n: number }).n), undefined, { worker: job.locked_by }));
  },
});
registry.register({
  kind: 'test.slow',
  run: async ({ payload, commit, job }) => {
    process.stdout.write(`started ${job.id}\n`);
    await new Promise((r) => setTimeout(r, (payload as { ms: number }).ms));
    await commit(({ audit }) => audit('test.job_effect', 'test', 'slow', undefined, { worker: job.locked_by }));
  },
});

const worker = new Worker({
  storage,
  config: testConfig(),
  clock: systemClock,
  registry,
  concurrency: Number(process.env.CONCURRENCY ?? 4),
  pollMs: 50,
  leaseMs: Number(process.env.LEASE_MS ?? 30_000),
  workerId: process.env.WORKER_ID,
});
worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.stop().then(() => storage.close()).then(() => process.exit(0));
});
