// Job handlers of the notes area (filled in by that work).
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';

export function noteJobHandlers(_ctx: AppContext): JobHandler[] {
  return [];
}

/** Recurring jobs of the area, if any. */
export function noteJobRecurring(_registry: JobRegistry): void {}
