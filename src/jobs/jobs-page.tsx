// The admin's job queue page: counts by status, jobs still to run or failed for good, a retry on each dead one.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, Time } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { JobRow } from '../storage/tables.js';

export interface JobsPageData {
  counts: Record<string, number>;
  jobs: JobRow[];
  /** Kinds this process's worker leaves queued, and why (waiting-notes.ts). */
  waiting: { kind: string; note: string }[];
}

export function JobsPage({ ctx, d }: { ctx: PageContext; d: JobsPageData }): SafeHtml {
  return (
    <>
      <h1>Jobs</h1>
      {d.waiting.map((w) => (
        <p class="flash info">
          <code>{w.kind}</code>: {w.note}
        </p>
      ))}
      <p>
        {['queued', 'running', 'done', 'dead', 'cancelled'].map((s) => (
          <>
            <Badge tone={s === 'dead' ? 'danger' : s === 'done' ? 'ok' : 'info'}>{`${s}: ${d.counts[s] ?? 0}`}</Badge>{' '}
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
    </>
  );
}
