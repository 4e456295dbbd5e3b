// Job handlers of incoming mail: a sweep that processes incoming messages that were stored
// but never processed (the listener or `mail ingest` stopped in between). Stored mail is never lost.
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';
import { unprocessedMessageIds } from './inbound-store.js';
import { processInboundMessage, type MailIntake } from './inbound-process.js';

export const INBOUND_SWEEP_JOB = 'mail.inbound_sweep';
/** Younger messages may still be in the hands of the process that stored them. */
const SWEEP_GRACE_MS = 2 * 60_000;

/** `intake`: reports/intake-mail/, wired in jobs/registry.ts. */
export function inboundMailJobHandlers(ctx: AppContext, intake: MailIntake): JobHandler[] {
  return [
    {
      kind: INBOUND_SWEEP_JOB,
      leaseMs: 5 * 60_000,
      run: async ({ clock }) => {
        const ids = await unprocessedMessageIds(ctx.storage.db, new Date(clock.now().getTime() - SWEEP_GRACE_MS));
        for (const id of ids) await processInboundMessage(ctx, id, intake);
      },
    },
  ];
}

/** Recurring jobs of the area. */
export function inboundMailJobRecurring(registry: JobRegistry): void {
  registry.every({ kind: INBOUND_SWEEP_JOB, everyMs: 5 * 60_000 });
}
