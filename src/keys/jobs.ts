// Job handlers of the keys area (filled in by that work).
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';

export function keysJobHandlers(_ctx: AppContext): JobHandler[] {
  return [];
}

/** Recurring jobs of the area, if any. */
export function keysJobRecurring(_registry: JobRegistry): void {}
