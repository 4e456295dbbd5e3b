// Asking for apply checks: a job per patch version, queued in the transaction of the change that makes
// the check necessary (outbox, DESIGN.md §4). The job itself is in checks.ts.
import { enqueueJob } from '../jobs/queue.js';
import type { Db } from '../storage/database.js';
import { activeSeries } from './store.js';

export const APPLY_CHECK_JOB = 'patches.apply_check';

export type CheckReason = 'upload' | 'series_changed' | 'branch_moved' | 'requested';

export interface ApplyCheckPayload {
  versionId: number;
  /** checks_requested of the version this job answers. */
  seq: number;
  reason: CheckReason;
  /** For branch_moved: the head that made the check necessary. */
  headSha?: string;
}

/** Queue a check of one version (in the caller's transaction). Returns false when deduplicated. */
export async function requestCheck(trx: Db, now: Date, versionId: number, reason: CheckReason, headSha?: string): Promise<boolean> {
  const row = await trx.selectFrom('patch_versions').select('checks_requested').where('id', '=', versionId).executeTakeFirstOrThrow();
  const seq = row.checks_requested + 1;
  const payload: ApplyCheckPayload = { versionId, seq, reason, ...(headSha ? { headSha } : {}) };
  // A moved branch queues one check per version and head, however often a sync sees it.
  const dedupeKey = headSha ? `patch-check:${versionId}:head:${headSha}` : undefined;
  const id = await enqueueJob(trx, now, APPLY_CHECK_JOB, payload, { maxAttempts: 3, ...(dedupeKey ? { dedupeKey } : {}) });
  if (id === null) return false;
  await trx.updateTable('patch_versions').set({ checks_requested: seq }).where('id', '=', versionId).execute();
  return true;
}

/** Queue checks for the current versions of a series from `fromIndex` (0-based place) on: their prefix changed. */
export async function requestSeriesChecks(
  trx: Db,
  now: Date,
  series: { reportId: number; projectId: number; repository: string | null; branch: string },
  fromIndex: number,
  reason: CheckReason,
): Promise<number> {
  const members = await activeSeries(trx, series);
  let queued = 0;
  for (const m of members.slice(Math.max(0, fromIndex))) if (await requestCheck(trx, now, m.versionId, reason)) queued++;
  return queued;
}
