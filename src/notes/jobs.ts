// Job of the notes area: queued publications of embargoed notes proceed once their report is disclosed.
// The check runs every minute (a report opens at its embargo's end by a job of its own, or early by the
// VMT; either way the next run publishes). Exactly once: the work commits with the job.
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';
import { publishWaitingNotes } from './publish.js';

export const PUBLISH_WAITING_JOB = 'notes.publish_waiting';

export function noteJobHandlers(ctx: AppContext): JobHandler[] {
  return [
    {
      kind: PUBLISH_WAITING_JOB,
      run: async ({ commit }) => {
        const result = await commit(publishWaitingNotes);
        if (result.published.length || result.returned.length) ctx.log.info(result, 'queued note publications handled');
      },
    },
  ];
}

/** Recurring jobs of the area. */
export function noteJobRecurring(registry: JobRegistry): void {
  registry.every({ kind: PUBLISH_WAITING_JOB, everyMs: 60_000 });
}
