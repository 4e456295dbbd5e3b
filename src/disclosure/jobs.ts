// Job handlers of the embargoed-disclosure area.
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';

export function disclosureJobHandlers(_ctx: AppContext): JobHandler[] {
  return [];
}

export function disclosureJobRecurring(_registry: JobRegistry): void {}
