// Every job kind the product runs, registered in one place.
import type { AppContext } from '../context.js';
import { mailJobHandler } from '../mail/outbox.js';
import { JobRegistry } from './worker.js';
import { deleteSessionsExpiredBefore } from '../accounts/sessions.js';
import { refreshStatistics } from '../storage/statistics.js';
import { compactReportCounts } from '../reports/counts.js';
import { deadlineJobHandlers } from '../reports/embargo/deadline-jobs.js';
import { inboundMailJobHandlers, inboundMailJobRecurring } from '../mail/inbound-jobs.js';
import { mailDirectory } from '../reports/address-keys.js';
import { mailIntake } from '../reports/intake-mail/mail-intake.js';
import { patchJobHandlers, patchJobRecurring } from '../patches/jobs.js';
import { advisoryJobHandlers, advisoryJobRecurring } from '../advisories/jobs.js';
import { noteJobHandlers, noteJobRecurring } from '../notes/jobs.js';
import { disclosureJobHandlers, disclosureJobRecurring } from '../disclosure/jobs.js';
import { bringDisclosuresForward } from '../disclosure/run.js';
import { webhookJobHandlers } from '../webhooks/jobs.js';

export function buildJobRegistry(ctx: AppContext): JobRegistry {
  const registry = new JobRegistry();
  registry.register(mailJobHandler(ctx.config, mailDirectory));
  for (const handler of [...deadlineJobHandlers(ctx, { afterOpening: bringDisclosuresForward }), ...inboundMailJobHandlers(ctx, mailIntake), ...patchJobHandlers(ctx), ...advisoryJobHandlers(ctx), ...noteJobHandlers(ctx), ...disclosureJobHandlers(ctx), ...webhookJobHandlers(ctx)]) {
    registry.register(handler);
  }
  for (const recurring of [inboundMailJobRecurring, patchJobRecurring, advisoryJobRecurring, noteJobRecurring, disclosureJobRecurring]) recurring(registry);
  // Housekeeping: forget expired sessions and spent one-time links once a day.
  registry.register({
    kind: 'housekeeping.expire_sessions',
    run: async ({ commit, clock }) => {
      const cutoff = new Date(clock.now().getTime() - 30 * 86_400_000).toISOString();
      await commit(({ trx }) => deleteSessionsExpiredBefore(trx, cutoff));
    },
  });
  registry.every({ kind: 'housekeeping.expire_sessions', everyMs: 86_400_000 });
  // Planner statistics follow the data as it grows (src/storage/statistics.ts; cheap with analysis_limit),
  // and the queue counters' deltas are folded into one row per key (src/reports/counts.ts).
  registry.register({
    kind: 'housekeeping.statistics',
    run: async () => {
      await compactReportCounts(ctx.storage.db);
      await refreshStatistics(ctx.storage);
    },
  });
  registry.every({ kind: 'housekeeping.statistics', everyMs: 3_600_000 });
  return registry;
}
