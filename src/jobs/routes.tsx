// The job queue for admins: counts, jobs still to run or failed for good, and retrying a dead job.
import { change, type AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { RouteDef } from '../http/route.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { Badge, Button, CsrfField, Time } from '../web/components.js';
import { jobCounts, retryDeadJob } from './queue.js';


export function jobRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/admin/jobs',
      audience: 'jobs.read',
      handler: async (req, reply) => {
        const counts = await jobCounts(db);
        const problems = await db.selectFrom('jobs').selectAll().where('status', 'in', ['dead', 'queued', 'running']).orderBy('id', 'desc').limit(100).execute();
        return sendPage(app, req, reply, 'Jobs', (ctx) => (
          <>
            <h1>Jobs</h1>
            <p>
              {['queued', 'running', 'done', 'dead', 'cancelled'].map((s) => (
                <>
                  <Badge tone={s === 'dead' ? 'danger' : s === 'done' ? 'ok' : 'info'}>{`${s}: ${counts[s] ?? 0}`}</Badge>{' '}
                </>
              ))}
            </p>
            <table>
              <thead>
                <tr>
                  <th>#</th>
                  <th>Kind</th>
                  <th>Status</th>
                  <th>Run at</th>
                  <th>Attempts</th>
                  <th>Last error</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {problems.map((j) => (
                  <tr>
                    <td>{j.id}</td>
                    <td>
                      <code>{j.kind}</code>
                    </td>
                    <td>
                      <Badge tone={j.status === 'dead' ? 'danger' : 'info'}>{j.status}</Badge>
                    </td>
                    <td>
                      <Time iso={j.run_at} />
                    </td>
                    <td>
                      {j.attempts}/{j.max_attempts}
                    </td>
                    <td>{j.last_error ? <pre class="log">{j.last_error}</pre> : null}</td>
                    <td>
                      {j.status === 'dead' ? (
                        <form method="post" action={`/admin/jobs/${j.id}/retry`}>
                          <CsrfField token={ctx.csrfToken} />
                          <Button kind="secondary">Retry</Button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ), { wide: true });
      },
    },
    {
      method: 'POST',
      url: '/admin/jobs/:jobId/retry',
      audience: 'jobs.write',
      leak: { params: { jobId: 'job' } },
      handler: async (req, reply, scope) => {
        const id = Number((req.params as { jobId: string }).jobId);
        const ok = await change(scope, async ({ trx, now, audit }) => {
          const retried = await retryDeadJob(trx, now, id);
          if (retried) await audit('job.retried', 'job', id);
          return retried;
        });
        if (!ok) throw errors.notFound('job');
        return redirectWithFlash(reply, '/admin/jobs', 'success', `Job ${id} queued again.`);
      },
    },
  ];
}
