// Job handlers of the patches area (filled in by that work).
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';

export function patchJobHandlers(_ctx: AppContext): JobHandler[] {
  return [];
}

/** Recurring jobs of the area, if any. */
export function patchJobRecurring(_registry: JobRegistry): void {}
