// Job handlers of the patches area: the apply check of one patch version, and the mirror refresh that
// runs every 15 minutes and queues checks for patches whose branch moved (DESIGN.md §4).
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';
import { APPLY_CHECK_JOB } from './check-requests.js';
import { applyCheckJob } from './checks.js';
import { recordSyncOutcomes, syncMirrors } from './mirrors.js';
import { ciJobHandlers } from './ci/run-job.js';

export const SYNC_MIRRORS_JOB = 'patches.sync_mirrors';
export const SYNC_EVERY_MS = 15 * 60_000;

export function patchJobHandlers(ctx: AppContext): JobHandler[] {
  return [
    // A check may take up to its 2-minute git limit (plus making the mirror); the lease is renewed while it runs.
    { kind: APPLY_CHECK_JOB, leaseMs: 5 * 60_000, run: (job) => applyCheckJob(ctx, job) },
    {
      kind: SYNC_MIRRORS_JOB,
      leaseMs: 15 * 60_000,
      run: async ({ commit }) => {
        const outcomes = await syncMirrors(ctx.storage.db, ctx.config);
        await commit((change) => recordSyncOutcomes(change, outcomes));
      },
    },
    // Private CI runs (issue 20): queued when a series applies, taken only by workers that can sandbox.
    ...ciJobHandlers(ctx),
  ];
}

/** Recurring jobs of the area. */
export function patchJobRecurring(registry: JobRegistry): void {
  registry.every({ kind: SYNC_MIRRORS_JOB, everyMs: SYNC_EVERY_MS });
}
