// Boot: open storage, migrate, build the app, print the one-time setup link when there are no accounts,
// and (by default) run a job worker in the same process.
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/config.js';
import { systemScope, type AppContext } from './context.js';
import { buildApp } from './http/app.js';
import { openContext } from './open-context.js';
import { startMetricsListener } from './http/metrics.js';
import { ensureSetupLink } from './accounts/invites.js';
import { countUsers } from './accounts/users.js';
import { Worker } from './jobs/worker.js';
import { buildJobRegistry } from './jobs/registry.js';
import { storageFault } from './errors/storage-faults.js';
import { startSettingsRefresh } from './instance/settings.js';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  worker: Worker | null;
  url: string;
  close(): Promise<void>;
}
export { openContext };

export function startWorker(ctx: AppContext): Worker {
  const worker = new Worker({
    storage: ctx.storage,
    config: ctx.config,
    clock: ctx.clock,
    registry: buildJobRegistry(ctx),
    concurrency: ctx.config.workerConcurrency,
    onError: (job, error, outcome) => ctx.log.warn({ job: job.id, kind: job.kind, outcome, err: error }, 'job attempt failed'),
    onLoopError: (error, retryInMs) => ctx.log.warn({ err: error, fault: storageFault(error), retryInMs }, 'worker cannot reach the job table; retrying'),
    onDeadWorker: ({ workerId, jobs }) => ctx.log.warn({ deadWorker: workerId, releasedJobs: jobs }, 'a worker stopped beating; its jobs were released to the others'),
  });
  worker.start();
  return worker;
}

export async function startServer(config: Config, clock: Clock = systemClock): Promise<RunningServer> {
  const ctx = await openContext(config, clock);
  const { app, metrics } = await buildApp(ctx);
  const setupLink = await ensureSetupLink(systemScope(ctx));
  await app.listen({ port: config.port, host: config.host });
  const url = config.publicUrl;
  ctx.log.info({ url, database: ctx.storage.describe }, 'Cordon is serving');
  if (!setupLink && (await countUsers(ctx.storage.db)) === 0) {
    process.stdout.write(`\n  Cordon is running at ${url}\n\n  No accounts exist yet. Another node printed the one-time setup link moments ago; it stands.\n  (\`cordon setup-link\` prints a fresh one and retires the old.)\n\n`);
  }
  if (setupLink) {
    // Printed, never logged to a file sink only: this is the only way in on a fresh instance.
    process.stdout.write(
      `\n  Cordon is running at ${url}\n\n  No accounts exist yet. Create the first admin with this one-time link:\n\n    ${setupLink}\n\n  (A new link, retiring this one, is printed at every later start until the first admin exists.)\n\n`,
    );
  }
  const metricsListener = config.metricsListen ? await startMetricsListener(ctx, metrics, config.metricsListen) : null;
  if (metricsListener) ctx.log.info({ host: metricsListener.host, port: metricsListener.port }, 'metrics listener');
  const worker = config.inProcessWorker ? startWorker(ctx) : null;
  // Another app node may change the settings: re-read them now and then (this node applies its own at once).
  const stopSettingsRefresh = startSettingsRefresh(ctx);
  return {
    app,
    ctx,
    worker,
    url,
    close: async () => {
      stopSettingsRefresh();
      await worker?.stop();
      await metricsListener?.close();
      await app.close();
      await ctx.storage.close();
    },
  };
}
