// Loading what the patch pages, the API and the downloads show, for an actor who may read the report
// (reportForActor answers 404 otherwise, and a patch of another report is 404 too).
import type { Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { reportForActor, type ReportForActor } from '../reports/load-for-actor.js';
import type { DiffView } from './diff-view.js';
import { buildDiffView } from './diff-view.js';
import { parsedVersion, patchVersionFileName, seriesFileName, versionsAsMbox, type DownloadNaming } from './downloads.js';
import { patchMatrix, type MatrixRow } from './present.js';
import { patchesOfReport, loadPatch, rawOfVersions, reviewRules, activeSeries, type PatchDetail, type PatchSummary, type VersionView } from './store.js';
import { choiceFromKey, reportTargets, resolveTarget, type PatchTarget } from './targets.js';
import type { ReviewRule } from './review-rule.js';
import { testCell, type RunSummary } from './ci/present.js';
import { ciSettings, projectsWithRecipes } from './ci/recipes.js';
import { runsOfReport } from './ci/runs.js';

export interface ReportPatches {
  report: ReportForActor;
  targets: PatchTarget[];
  rows: MatrixRow[];
  abandoned: PatchSummary[];
  all: PatchSummary[];
  rules: Map<number, ReviewRule>;
  /** Every CI run of the report, newest first (issue 20). */
  runs: RunSummary[];
}

export async function loadReportPatches(scope: Scope, ref: string): Promise<ReportPatches> {
  const report = await reportForActor(scope, ref);
  const db = scope.app.storage.db;
  const [targets, all, rules] = await Promise.all([
    reportTargets(db, report.projects),
    patchesOfReport(db, report.row.id),
    reviewRules(db, report.projects.map((p) => p.id)),
  ]);
  // Patches aimed at a target the project no longer lists (a branch dropped since) still show.
  const known = new Set(targets.map((t) => t.key));
  for (const s of all) {
    const key = `${s.project.slug}|${s.patch.repository ?? ''}|${s.patch.branch}`;
    if (s.patch.state === 'active' && !known.has(key)) {
      known.add(key);
      targets.push({ projectId: s.project.id, projectSlug: s.project.slug, projectName: s.project.name, repository: s.patch.repository, branch: s.patch.branch, key });
    }
  }
  const projectIds = report.projects.map((p) => p.id);
  const [runs, withRecipes, settings] = await Promise.all([runsOfReport(db, report.row.id), projectsWithRecipes(db, projectIds), ciSettings(db, projectIds)]);
  const testsOf = (t: PatchTarget, series: PatchSummary[]) =>
    t.repository === null ? null : testCell(runs, t, series.map((s) => s.current.id), withRecipes.has(t.projectId), settings.get(t.projectId)?.requirePassing ?? false);
  return { report, targets, rows: patchMatrix(targets, all, testsOf), abandoned: all.filter((s) => s.patch.state === 'abandoned'), all, rules, runs };
}

export function parsePatchId(raw: string): number {
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw errors.notFound('patch');
  return id;
}

export interface LoadedPatch {
  report: ReportForActor;
  detail: PatchDetail;
}

export async function loadPatchFor(scope: Scope, ref: string, patchIdParam: string): Promise<LoadedPatch> {
  const report = await reportForActor(scope, ref);
  const detail = await loadPatch(scope.app.storage.db, report.row.id, parsePatchId(patchIdParam));
  if (!detail) throw errors.notFound('patch');
  return { report, detail };
}

/** The version asked for (`?version=N`), or the current one; 404 for a version that does not exist. */
export function pickVersion(detail: PatchDetail, raw: unknown): VersionView {
  const wanted = typeof raw === 'string' && /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : detail.patch.current_version;
  const version = detail.versions.find((v) => v.version === wanted);
  if (!version) throw errors.notFound('patch version');
  return version;
}

export async function diffOf(scope: Scope, version: VersionView): Promise<DiffView> {
  const raw = (await rawOfVersions(scope.app.storage.db, [version.id])).get(version.id);
  if (!raw) throw errors.notFound('patch version');
  return buildDiffView(parsedVersion({ ...version, raw }));
}

export async function placeInSeries(scope: Scope, loaded: LoadedPatch): Promise<{ n: number; of: number } | null> {
  const p = loaded.detail.patch;
  if (p.state !== 'active') return null;
  const series = await activeSeries(scope.app.storage.db, { reportId: loaded.report.row.id, projectId: p.project_id, repository: p.repository, branch: p.branch });
  const i = series.findIndex((m) => m.patchId === p.id);
  return i < 0 ? null : { n: i + 1, of: series.length };
}

function naming(report: ReportForActor, projectSlug: string, branch: string): DownloadNaming {
  return { id: report.cves[0] ?? report.row.ref, projectSlug, severalProjects: report.projects.length > 1, branch };
}

export interface Download {
  fileName: string;
  body: string;
}

export async function patchDownload(scope: Scope, loaded: LoadedPatch, versionParam: unknown): Promise<Download> {
  const version = pickVersion(loaded.detail, versionParam);
  const raw = (await rawOfVersions(scope.app.storage.db, [version.id])).get(version.id);
  if (!raw) throw errors.notFound('patch version');
  const place = await placeInSeries(scope, loaded);
  const p = loaded.detail.patch;
  const fileName = patchVersionFileName(
    naming(loaded.report, loaded.detail.project.slug, p.branch),
    place && place.of > 1 ? place.n : null,
    version.version === p.current_version ? null : version.version,
  );
  return { fileName, body: versionsAsMbox([{ ...version, raw }]) };
}

/** The active series of one target as one mbox; 404 when the target has no patch. */
export async function seriesDownloadFor(scope: Scope, ref: string, targetParam: unknown): Promise<Download> {
  const report = await reportForActor(scope, ref);
  const choice = typeof targetParam === 'string' ? choiceFromKey(targetParam) : null;
  if (!choice) throw errors.field('target', 'Name the series as project|repository|branch (the link on the patches page does).');
  const db = scope.app.storage.db;
  const target = resolveTarget(await reportTargets(db, report.projects), choice, 'target');
  const series = await activeSeries(db, { reportId: report.row.id, projectId: target.projectId, repository: target.repository, branch: target.branch });
  if (!series.length) throw errors.notFound('patch series');
  const rows = await db
    .selectFrom('patch_versions')
    .select(['id', 'raw', 'apply_with', 'uploaded_label', 'uploaded_email', 'created_at'])
    .where('id', 'in', series.map((m) => m.versionId))
    .execute();
  const versions = series.map((m) => rows.find((r) => r.id === m.versionId)).filter((r) => r !== undefined).map((r) => ({ ...r, raw: Buffer.from(r.raw) }));
  return { fileName: seriesFileName(naming(report, target.projectSlug, target.branch)), body: versionsAsMbox(versions) };
}
