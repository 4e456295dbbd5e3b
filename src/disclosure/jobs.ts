// Job handlers of the embargoed-disclosure area: the disclosure hour (disclosure.run).
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';
import { DISCLOSURE_RUN_JOB, runDisclosureSteps, type RunHooks, type RunPayload } from './run.js';

/** The disclosure-hour job; steps commit on their own, the job's own commit marks the plan done. */
export function disclosureRunHandler(app: AppContext, hooks: RunHooks = {}): JobHandler {
  return {
    kind: DISCLOSURE_RUN_JOB,
    leaseMs: 10 * 60_000,
    run: async (ctx) => {
      const payload = ctx.payload as RunPayload;
      await runDisclosureSteps(app, payload, hooks);
      await ctx.commit(async ({ trx }) => {
        await trx
          .updateTable('disclosure_plans')
          .set({ state: 'done', updated_at: ctx.clock.now().toISOString() })
          .where('id', '=', payload.planId)
          .where('version', '=', payload.version)
          .where('state', '=', 'scheduled')
          .execute();
      });
    },
  };
}

export function disclosureJobHandlers(ctx: AppContext): JobHandler[] {
  return [disclosureRunHandler(ctx)];
}

export function disclosureJobRecurring(_registry: JobRegistry): void {}
