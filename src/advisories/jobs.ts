// Job handlers of the advisories area: signing the public site's files after a publication. Signing
// needs the unlocked team key and takes time per file, so it runs after the publishing transaction,
// in batches; without a team key the files stay unsigned and the job says why in the log.
import type { AppContext } from '../context.js';
import { enqueueJob } from '../jobs/queue.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';
import { SIGN_JOB } from './publish.js';
import { signPendingFiles, unsignedCount } from '../publication/site-files.js';
import { loadTeamSigner } from '../publication/signer.js';

/** Files signed per job run; the job queues its successor while more are waiting. */
export const SIGN_BATCH = 300;

export function advisoryJobHandlers(ctx: AppContext): JobHandler[] {
  return [
    {
      kind: SIGN_JOB,
      leaseMs: 10 * 60_000,
      run: async ({ commit, clock, storage }) => {
        const { signer, note } = await loadTeamSigner(ctx);
        if (!signer) {
          ctx.log.warn({ job: SIGN_JOB }, note);
          await commit(async () => undefined);
          return;
        }
        const signed = await signPendingFiles(storage, signer, clock.now(), SIGN_BATCH);
        const left = await unsignedCount(storage.db);
        await commit(async (trx) => {
          if (left > 0 && signed > 0) await enqueueJob(trx, clock.now(), SIGN_JOB, { reason: 'more files to sign' });
        });
      },
    },
  ];
}

/** Recurring jobs of the area, if any. */
export function advisoryJobRecurring(_registry: JobRegistry): void {}
