// Apply checks as durable jobs (DESIGN.md §4): every new patch version queues a check of its place in
// the series; the job checks the series up to that patch against the head of the target branch in
// the project mirror with the real git, and records the answer in the transaction that completes it.
import type { AppContext } from '../context.js';
import { projectRepository } from '../projects/projects.js';
import { AppError } from '../errors/catalogue.js';
import type { JobContext } from '../jobs/worker.js';
import { checkPatchApplies, type ApplyCheckResult } from './apply-check.js';
import { checkInput, storedPatchLimits } from './downloads.js';
import { PatchRejectedError } from './errors.js';
import { ensureMirror, mirrorDirFor } from './mirrors.js';
import { activeSeries } from './store.js';
import type { ApplyCheckPayload } from './check-requests.js';
import type { PatchCheckStatus } from './tables.js';
import { queueRunAfterCheck } from './ci/runs.js';

interface CheckOutcome {
  status: PatchCheckStatus;
  conflictingFiles: string[];
  gitMessage: string | null;
  headSha: string | null;
  details: Record<string, unknown>;
}

const noResult = (status: PatchCheckStatus, gitMessage: string | null = null): CheckOutcome => ({ status, conflictingFiles: [], gitMessage, headSha: null, details: {} });

/** git's answer for the whole prefix, told from the point of view of its last patch. */
function outcomeOf(result: ApplyCheckResult, seriesLength: number): CheckOutcome {
  const blocked = result.status === 'conflicts' && result.failedPatch !== null && result.failedPatch.position < seriesLength;
  return {
    status: blocked ? 'blocked_by_earlier' : result.status,
    conflictingFiles: result.conflictingFiles,
    gitMessage: result.gitMessage,
    headSha: result.headSha,
    details: {
      failedPatch: result.failedPatch,
      alreadyApplied: result.alreadyApplied.some((p) => p.position === seriesLength),
      seriesLength,
    },
  };
}

async function runCheck(ctx: AppContext, payload: ApplyCheckPayload): Promise<{ outcome: CheckOutcome; branch: string } | null> {
  const db = ctx.storage.db;
  const version = await db
    .selectFrom('patch_versions')
    .innerJoin('patches', 'patches.id', 'patch_versions.patch_id')
    .innerJoin('projects', 'projects.id', 'patches.project_id')
    .select(['patch_versions.id', 'patch_versions.superseded_at', 'patches.report_id', 'patches.project_id', 'patches.repository', 'patches.branch', 'patches.state', 'projects.slug'])
    .where('patch_versions.id', '=', payload.versionId)
    .executeTakeFirst();
  // Superseded or abandoned since the check was queued: the old result stays as history.
  if (!version || version.superseded_at !== null || version.state !== 'active') return null;
  const branch = version.branch;
  if (version.repository === null) return { outcome: noResult('no_repository'), branch };
  const repo = await projectRepository(db, version.project_id, version.repository);
  if (!repo) return { outcome: noResult('no_repository'), branch };

  const series = await activeSeries(db, { reportId: version.report_id, projectId: version.project_id, repository: version.repository, branch });
  const place = series.findIndex((m) => m.versionId === version.id);
  if (place < 0) return null;
  const prefixIds = series.slice(0, place + 1).map((m) => m.versionId);
  const rows = await db.selectFrom('patch_versions').select(['id', 'raw', 'apply_with', 'uploaded_label', 'uploaded_email', 'created_at']).where('id', 'in', prefixIds).execute();
  const prefix = prefixIds.map((id) => rows.find((r) => r.id === id)).filter((r) => r !== undefined).map((r) => ({ ...r, raw: Buffer.from(r.raw) }));

  const mirrorDir = mirrorDirFor(ctx.config, version.slug, repo.name);
  try {
    await ensureMirror(mirrorDir, repo.remote_url);
  } catch (error) {
    // git's words may name the remote (an internal address): they go to the log, not to the patch page.
    ctx.log.warn({ err: error, project: version.slug, repository: repo.name }, 'patch mirror unavailable');
    return { outcome: noResult('mirror_unavailable', 'The project repository could not be mirrored. An administrator can see why with "cordon patches sync".'), branch };
  }
  try {
    const result = await checkPatchApplies({ mirrorDir, branch, patch: checkInput(prefix), limits: storedPatchLimits });
    return { outcome: outcomeOf(result, prefix.length), branch };
  } catch (error) {
    if (error instanceof PatchRejectedError) return { outcome: noResult('does_not_parse', error.message), branch };
    if (error instanceof AppError && error.fields.some((f) => f.field === 'branch')) return { outcome: noResult('branch_missing', error.message), branch };
    throw error;
  }
}

/** The job: check, then record the answer in the transaction that completes the job (exactly once). */
export async function applyCheckJob(ctx: AppContext, job: JobContext): Promise<void> {
  const payload = job.payload as ApplyCheckPayload;
  const checked = await runCheck(ctx, payload);
  if (!checked) return;
  await job.commit(async (change) => {
    const { trx, now, audit } = change;
    const row = await trx
      .insertInto('patch_checks')
      .values({
        patch_version_id: payload.versionId,
        request_seq: payload.seq,
        branch: checked.branch,
        status: checked.outcome.status,
        conflicting_files: JSON.stringify(checked.outcome.conflictingFiles),
        git_message: checked.outcome.gitMessage,
        head_sha: checked.outcome.headSha,
        details: JSON.stringify(checked.outcome.details),
        checked_at: now.toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit('patch.checked', 'patch_version', payload.versionId, undefined, { check_id: row.id, status: checked.outcome.status, head_sha: checked.outcome.headSha, reason: payload.reason });
    // The series applies: where the project has a test recipe, its tests run on the patched tree (issue 20).
    if (checked.outcome.status === 'applies_cleanly' || checked.outcome.status === 'applies_with_3way') await queueRunAfterCheck(change, payload.versionId, checked.outcome.headSha);
  });
}
