// Job handlers of the advisories area (filled in by that work).
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';

export function advisoryJobHandlers(_ctx: AppContext): JobHandler[] {
  return [];
}

/** Recurring jobs of the area, if any. */
export function advisoryJobRecurring(_registry: JobRegistry): void {}
