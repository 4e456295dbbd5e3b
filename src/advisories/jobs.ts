// Job handlers of the advisories area: signing the public site's files after a publication. Signing
// needs the unlocked team key and takes time per file, so it runs after the publishing transaction,
// in batches; without a team key the files stay unsigned and the job says why in the log.
import type { AppContext } from '../context.js';
import type { JobHandler, JobRegistry } from '../jobs/worker.js';
import { SIGN_JOB } from './publish.js';
import { rebuildWholeSite, signPendingFiles, siteContextFor, unsignedCount } from '../publication/site-files.js';
import { loadTeamSigner, teamPublicKey } from '../publication/signer.js';

/**
 * Rebuilds the whole public site from the published records, then signs it. Queued by migration 0021
 * so a site published under the old layout (`csaf/…`) moves to `/.well-known/csaf/` with its new files.
 */
export const REBUILD_JOB = 'publication.rebuild';

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
        await commit(async ({ enqueue }) => {
          if (left > 0 && signed > 0) await enqueue(SIGN_JOB, { reason: 'more files to sign' });
        });
      },
    },
    {
      kind: REBUILD_JOB,
      leaseMs: 10 * 60_000,
      run: async ({ commit, storage, payload }) => {
        const teamKey = await teamPublicKey(storage.db);
        await commit(async ({ trx, now, audit, enqueue }) => {
          // Queued to move or repair what is stored (migration 0021): every advisory is rendered again.
          const r = await rebuildWholeSite(trx, now, await siteContextFor(ctx, teamKey, trx), { force: true });
          await audit('publication.rebuilt', 'site', null, undefined, { ...r, reason: (payload as { reason?: string } | null)?.reason ?? null });
          await enqueue(SIGN_JOB, { reason: 'site rebuilt' });
        });
      },
    },
  ];
}

/** Recurring jobs of the area, if any. */
export function advisoryJobRecurring(_registry: JobRegistry): void {}
