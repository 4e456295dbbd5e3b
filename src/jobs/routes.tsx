// The job queue for admins: counts, the workers and what each takes, jobs still to run or failed for good, and
// retrying a dead job.
import { change, type AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { route, type RouteDef } from '../http/route.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { EmptyForm, Params } from '../http/schemas.js';
import { JobsPage } from './jobs-page.js';
import { jobCounts, retryDeadJob } from './queue.js';
import { unfinishedAndDeadJobs } from './store.js';
import { DEFAULT_DEAD_AFTER_MS, listWorkers } from './workers.js';

export function jobRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/admin/jobs',
      audience: 'jobs.read',
      handler: async (req, reply) => {
        const [counts, jobs, workers] = await Promise.all([jobCounts(db), unfinishedAndDeadJobs(db, 100), listWorkers(db, app.clock.now(), DEFAULT_DEAD_AFTER_MS)]);
        return sendPage(app, req, reply, 'Jobs', (ctx) => <JobsPage ctx={ctx} d={{ counts, jobs, workers }} />, { wide: true });
      },
    },
    route({
      method: 'POST',
      url: '/admin/jobs/:jobId/retry',
      audience: 'jobs.write',
      leak: { params: { jobId: 'job' } },
      schema: { params: Params('jobId'), body: EmptyForm },
      handler: async (req, reply, scope) => {
        const id = Number(req.params.jobId);
        if (!Number.isSafeInteger(id) || id <= 0) throw errors.notFound('job');
        const ok = await change(scope, async ({ trx, now, audit }) => {
          const retried = await retryDeadJob(trx, now, id);
          if (retried) await audit('job.retried', 'job', id);
          return retried;
        });
        if (!ok) throw errors.notFound('job');
        return redirectWithFlash(reply, '/admin/jobs', 'success', `Job ${id} queued again.`);
      },
    }),
  ];
}
