// The admin's job queue page: counts by status, the workers and what each takes (and why not), jobs still to run
// or failed for good, a retry on each dead one.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, EmptyState, Time } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { JobRow } from '../storage/tables.js';
import type { WorkerView } from './workers.js';

export interface JobsPageData {
  counts: Record<string, number>;
  jobs: JobRow[];
  workers: WorkerView[];
}

/** The kinds some worker describes that no live worker takes: those jobs wait, whatever else runs. */
function leftToNobody(workers: WorkerView[]): { kind: string; label: string }[] {
  const live = workers.filter((w) => !w.silent);
  const all = new Map(workers.flatMap((w) => w.capabilities ?? []).map((c) => [c.kind, c.label]));
  return [...all].filter(([kind]) => !live.some((w) => w.capabilities?.some((c) => c.kind === kind && c.takes))).map(([kind, label]) => ({ kind, label }));
}

function Workers({ workers }: { workers: WorkerView[] }): SafeHtml {
  if (workers.length === 0) return <p class="muted">No worker has announced itself: jobs stay queued until one runs (<code>cordon worker</code>, or the server's own with IN_PROCESS_WORKER).</p>;
  return (
    <>
      {leftToNobody(workers).map((k) => (
        <p class="flash error">
          No running worker takes {k.label} (<code>{k.kind}</code>): they stay queued until one that can is running. Each worker's reason is below.
        </p>
      ))}
      <table class="stack-on-phone">
        <thead>
          <tr>
            <th>Worker</th>
            <th>Host</th>
            <th>Last heartbeat</th>
            <th>What it takes</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => (
            <tr data-worker={w.id}>
              <td>
                <code>{w.id}</code>
              </td>
              <td data-label="Host">
                {w.host} (pid {String(w.pid)})
              </td>
              <td data-label="Last heartbeat">
                <Time iso={w.heartbeat_at} /> {w.silent ? <Badge tone="danger">silent</Badge> : null}
              </td>
              <td data-label="What it takes">
                {w.capabilities === null ? (
                  <span class="muted">not recorded (an older worker)</span>
                ) : w.capabilities.length === 0 ? (
                  'leaves nothing queued'
                ) : (
                  w.capabilities.map((c) => (
                    <div>
                      <Badge tone={c.takes ? 'ok' : 'warn'}>{c.takes ? `takes ${c.label}` : `leaves ${c.label} queued`}</Badge> {c.note}
                    </div>
                  ))
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function JobsPage({ ctx, d }: { ctx: PageContext; d: JobsPageData }): SafeHtml {
  return (
    <>
      <h1>Jobs</h1>
      <h2>Workers</h2>
      <Workers workers={d.workers} />
      <h2>Queue</h2>
      <p>
        {['queued', 'running', 'done', 'dead', 'cancelled'].map((s) => (
          <>
            <Badge tone={s === 'dead' ? 'danger' : s === 'done' ? 'ok' : 'info'}>{`${s}: ${d.counts[s] ?? 0}`}</Badge>{' '}
          </>
        ))}
      </p>
      {d.jobs.length === 0 ? (
        <EmptyState>No job is waiting, running or failed for good.</EmptyState>
      ) : (
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
            {d.jobs.map((j) => (
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
      )}
    </>
  );
}
