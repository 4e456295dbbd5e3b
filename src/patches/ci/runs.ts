// CI runs (issue 20): one per branch × series version × branch head, queued in the transaction that records
// that the series applies (the apply check of its last patch), or by a re-run. The job is in run-job.ts.
import type { Selectable } from 'kysely';
import type { ChangeContext } from '../../context.js';
import { enqueueJob } from '../../jobs/queue.js';
import type { Db } from '../../storage/database.js';
import { activeSeries } from '../store.js';
import { ciSettings, recipeFor, type Recipe } from './recipes.js';
import type { CiRunReason, CiRunsTable, CiRunStatus } from './tables.js';

/** Sandboxed runs: only workers that can sandbox take them. */
export const CI_RUN_JOB = 'patches.ci_run';
/** Runs of a project an admin allowed unsandboxed: any worker takes them (sandboxed where it can). */
export const CI_RUN_UNSANDBOXED_JOB = 'patches.ci_run_unsandboxed';

export interface CiRunPayload {
  runId: number;
}

export type CiRunRow = Selectable<CiRunsTable>;

export interface CiArtifact {
  path: string;
  bytes: number;
}

export interface SeriesKey {
  reportId: number;
  projectId: number;
  repository: string;
  branch: string;
}

const finished: readonly CiRunStatus[] = ['passed', 'failed', 'errored', 'timed_out'];
export const isFinished = (status: CiRunStatus): boolean => finished.includes(status);

/** Insert a queued run and its job (in the caller's transaction). */
async function insertRun(
  { trx, now, audit }: ChangeContext,
  key: SeriesKey,
  series: { versionId: number; version: number }[],
  headSha: string,
  recipe: Recipe,
  reason: CiRunReason,
  requestedBy: number | null,
): Promise<number> {
  const settings = (await ciSettings(trx, [key.projectId])).get(key.projectId);
  const row = await trx
    .insertInto('ci_runs')
    .values({
      report_id: key.reportId,
      project_id: key.projectId,
      repository: key.repository,
      branch: key.branch,
      version_ids: JSON.stringify(series.map((m) => m.versionId)),
      last_version_id: series[series.length - 1]!.versionId,
      series_label: series.map((m, i) => `${i + 1}: v${m.version}`).join(', '),
      head_sha: headSha,
      reason,
      status: 'queued',
      recipe: JSON.stringify(recipe),
      requested_by: requestedBy,
      created_at: now.toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const kind = settings?.allowUnsandboxed ? CI_RUN_UNSANDBOXED_JOB : CI_RUN_JOB;
  const payload: CiRunPayload = { runId: row.id };
  await enqueueJob(trx, now, kind, payload, { maxAttempts: 2, dedupeKey: `ci-run:${row.id}` });
  await audit(reason === 'rerun' ? 'patch.ci_rerun_requested' : 'patch.ci_run_queued', 'ci_run', row.id, undefined, { branch: key.branch, head_sha: headSha, series: series.map((m) => m.versionId) });
  return row.id;
}

/**
 * After an apply check recorded that a version applies: when it is the last patch of its series (its check
 * covers the whole series) and the project has a recipe for the branch, queue a run of the series at that
 * head, once per series version and head. The check's own change context, so both commit together.
 */
export async function queueRunAfterCheck(change: ChangeContext, versionId: number, headSha: string | null): Promise<number | null> {
  const { trx } = change;
  if (!headSha) return null;
  const version = await trx
    .selectFrom('patch_versions')
    .innerJoin('patches', 'patches.id', 'patch_versions.patch_id')
    .select(['patches.report_id', 'patches.project_id', 'patches.repository', 'patches.branch', 'patches.state', 'patch_versions.superseded_at'])
    .where('patch_versions.id', '=', versionId)
    .executeTakeFirst();
  if (!version || version.repository === null || version.state !== 'active' || version.superseded_at !== null) return null;
  const key: SeriesKey = { reportId: version.report_id, projectId: version.project_id, repository: version.repository, branch: version.branch };
  const recipe = await recipeFor(trx, key.projectId, key.branch);
  if (!recipe) return null;
  const series = await activeSeries(trx, key);
  if (!series.length || series[series.length - 1]!.versionId !== versionId) return null;
  const versionIds = JSON.stringify(series.map((m) => m.versionId));
  const earlier = await trx.selectFrom('ci_runs').select('id').where('last_version_id', '=', versionId).where('head_sha', '=', headSha).where('version_ids', '=', versionIds).where('reason', '=', 'applied').executeTakeFirst();
  if (earlier) return null;
  return insertRun(change, key, series, headSha, recipe, 'applied', null);
}

/** Run a finished (or stuck) run's series again at the same head, with the recipe in force now. */
export async function queueRerun(change: ChangeContext, run: CiRunRow, requestedBy: number): Promise<number | null> {
  const recipe = await recipeFor(change.trx, run.project_id, run.branch);
  if (!recipe) return null;
  const ids = JSON.parse(run.version_ids) as number[];
  const rows = await change.trx.selectFrom('patch_versions').select(['id', 'version']).where('id', 'in', ids).execute();
  const series = ids.map((id) => ({ versionId: id, version: rows.find((r) => r.id === id)?.version ?? 0 }));
  return insertRun(change, { reportId: run.report_id, projectId: run.project_id, repository: run.repository, branch: run.branch }, series, run.head_sha, recipe, 'rerun', requestedBy);
}

export async function loadRun(db: Db, reportId: number, runId: number): Promise<CiRunRow | undefined> {
  if (!Number.isSafeInteger(runId) || runId <= 0) return undefined;
  return db.selectFrom('ci_runs').selectAll().where('id', '=', runId).where('report_id', '=', reportId).executeTakeFirst();
}

export async function runById(db: Db, runId: number): Promise<CiRunRow | undefined> {
  return db.selectFrom('ci_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** Every run of a report, newest first, without the logs. */
export async function runsOfReport(db: Db, reportId: number): Promise<Omit<CiRunRow, 'log'>[]> {
  return db
    .selectFrom('ci_runs')
    .select(['id', 'report_id', 'project_id', 'repository', 'branch', 'version_ids', 'last_version_id', 'series_label', 'head_sha', 'reason', 'status', 'step', 'exit_code', 'log_truncated', 'limit_hit', 'duration_ms', 'sandboxed', 'artifacts', 'recipe', 'requested_by', 'created_at', 'finished_at'])
    .where('report_id', '=', reportId)
    .orderBy('id', 'desc')
    .execute();
}

export interface RunResult {
  status: Exclude<CiRunStatus, 'queued' | 'running'>;
  step: 'setup' | 'test' | null;
  exitCode: number | null;
  log: string;
  logTruncated: boolean;
  limitHit: string | null;
  durationMs: number;
  sandboxed: boolean;
  artifacts: CiArtifact[];
  headSha: string | null;
}

/** Record what a run came to (in the job's completing transaction). */
export async function recordRunResult({ trx, now, audit }: ChangeContext, runId: number, r: RunResult): Promise<void> {
  await trx
    .updateTable('ci_runs')
    .set({
      status: r.status,
      step: r.step,
      exit_code: r.exitCode,
      log: r.log,
      log_truncated: r.logTruncated ? 1 : 0,
      limit_hit: r.limitHit,
      duration_ms: r.durationMs,
      sandboxed: r.sandboxed ? 1 : 0,
      artifacts: JSON.stringify(r.artifacts),
      ...(r.headSha ? { head_sha: r.headSha } : {}),
      finished_at: now.toISOString(),
    })
    .where('id', '=', runId)
    .execute();
  await audit('patch.ci_run_finished', 'ci_run', runId, undefined, { status: r.status, sandboxed: r.sandboxed, limit_hit: r.limitHit, duration_ms: r.durationMs });
}

/** The patches of a run's series (as far as they still exist on the report), in the run's order. */
export async function seriesOfRun(db: Db, run: Pick<CiRunRow, 'report_id' | 'version_ids'>): Promise<{ id: number; subject: string; version: number }[]> {
  const ids = JSON.parse(run.version_ids) as number[];
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('patch_versions')
    .innerJoin('patches', 'patches.id', 'patch_versions.patch_id')
    .select(['patch_versions.id', 'patch_versions.patch_id', 'patch_versions.subject', 'patch_versions.version'])
    .where('patch_versions.id', 'in', ids)
    .where('patches.report_id', '=', run.report_id)
    .execute();
  return ids.map((id) => rows.find((v) => v.id === id)).filter((v) => v !== undefined).map((v) => ({ id: v.patch_id, subject: v.subject, version: v.version }));
}

/** Queue a first run for every current series of the project whose last patch applies and was never tested. */
export async function queueRunsForProject(change: ChangeContext, projectId: number): Promise<number> {
  const { trx } = change;
  const versions = await trx
    .selectFrom('patches')
    .innerJoin('patch_versions', (j) => j.onRef('patch_versions.patch_id', '=', 'patches.id').onRef('patch_versions.version', '=', 'patches.current_version'))
    .select('patch_versions.id')
    .where('patches.project_id', '=', projectId)
    .where('patches.state', '=', 'active')
    .where('patches.repository', 'is not', null)
    .execute();
  let queued = 0;
  for (const v of versions) {
    const latest = await trx.selectFrom('patch_checks').select(['status', 'head_sha']).where('patch_version_id', '=', v.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!latest || (latest.status !== 'applies_cleanly' && latest.status !== 'applies_with_3way')) continue;
    if ((await queueRunAfterCheck(change, v.id, latest.head_sha)) !== null) queued++;
  }
  return queued;
}

/** The run has a worker now (the matrix says "tests running"); its own small change, before the tests start. */
export async function markRunning({ trx, audit }: ChangeContext, runId: number): Promise<void> {
  const r = await trx.updateTable('ci_runs').set({ status: 'running' }).where('id', '=', runId).where('status', 'in', ['queued', 'running']).executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) await audit('patch.ci_run_started', 'ci_run', runId);
}
