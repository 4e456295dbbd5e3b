// Reading a report's patches: the series per target with each current version's latest check and
// review verdict, and one patch with all its versions. Callers have already passed the policy.
import type { Selectable } from 'kysely';
import type { Db } from '../storage/database.js';
import { defaultReviewRule, reviewVerdict, type CastVote, type ReviewRule, type ReviewVerdict } from './review-rule.js';
import type { PatchChecksTable, PatchCheckStatus, PatchesTable, PatchVersionsTable } from './tables.js';
import type { PatchFileSummary, PatchTrailer } from './types.js';

export type PatchRow = Selectable<PatchesTable>;
export type VersionRow = Omit<Selectable<PatchVersionsTable>, 'raw'>;

export interface CheckView {
  id: number;
  status: PatchCheckStatus;
  branch: string;
  conflictingFiles: string[];
  gitMessage: string | null;
  headSha: string | null;
  failedPatch: { position: number; subject: string } | null;
  alreadyApplied: boolean;
  checkedAt: string;
  requestSeq: number;
}

export interface VersionView extends VersionRow {
  trailerList: PatchTrailer[];
  fileList: PatchFileSummary[];
  check: CheckView | null;
  /** A check was asked for and has not answered yet. */
  checkPending: boolean;
  review: ReviewVerdict;
}

export interface PatchSummary {
  patch: PatchRow;
  project: { id: number; slug: string; name: string };
  current: VersionView;
}

const versionColumns = [
  'id',
  'patch_id',
  'version',
  'input_kind',
  'apply_with',
  'commit_sha',
  'author_name',
  'author_email',
  'author_date_raw',
  'author_date',
  'subject',
  'message',
  'trailers',
  'files',
  'lines_added',
  'lines_removed',
  'raw_sha256',
  'uploaded_by',
  'uploaded_label',
  'uploaded_email',
  'created_at',
  'superseded_at',
  'checks_requested',
] as const;

function checkView(row: Selectable<PatchChecksTable>): CheckView {
  const details = JSON.parse(row.details) as { failedPatch?: CheckView['failedPatch']; alreadyApplied?: boolean };
  return {
    id: row.id,
    status: row.status,
    branch: row.branch,
    conflictingFiles: JSON.parse(row.conflicting_files) as string[],
    gitMessage: row.git_message,
    headSha: row.head_sha,
    failedPatch: details.failedPatch ?? null,
    alreadyApplied: details.alreadyApplied ?? false,
    checkedAt: row.checked_at,
    requestSeq: row.request_seq,
  };
}

export async function reviewRules(db: Db, projectIds: readonly number[]): Promise<Map<number, ReviewRule>> {
  const rules = new Map<number, ReviewRule>(projectIds.map((id) => [id, defaultReviewRule]));
  if (!projectIds.length) return rules;
  const rows = await db.selectFrom('patch_review_rules').selectAll().where('project_id', 'in', [...projectIds]).execute();
  for (const r of rows) rules.set(r.project_id, { coresecApprovals: r.coresec_approvals, coreReviewerApprovals: r.core_reviewer_approvals });
  return rules;
}

/** Versions with their latest check and review verdict. */
async function viewsOf(db: Db, versions: VersionRow[], ruleOf: (versionId: number) => ReviewRule): Promise<VersionView[]> {
  const ids = versions.map((v) => v.id);
  if (!ids.length) return [];
  const [checks, votes] = await Promise.all([
    db.selectFrom('patch_checks').selectAll().where('patch_version_id', 'in', ids).orderBy('id').execute(),
    db.selectFrom('patch_votes').selectAll().where('patch_version_id', 'in', ids).orderBy('id').execute(),
  ]);
  const latestCheck = new Map<number, Selectable<PatchChecksTable>>();
  for (const c of checks) latestCheck.set(c.patch_version_id, c);
  return versions.map((v) => {
    const check = latestCheck.get(v.id);
    const cast: CastVote[] = votes
      .filter((x) => x.patch_version_id === v.id)
      .map((x) => ({ id: x.id, userId: x.user_id, voterLabel: x.voter_label, role: x.role, score: x.score, comment: x.comment, createdAt: x.created_at }));
    return {
      ...v,
      trailerList: JSON.parse(v.trailers) as PatchTrailer[],
      fileList: JSON.parse(v.files) as PatchFileSummary[],
      check: check ? checkView(check) : null,
      checkPending: (check?.request_seq ?? 0) < v.checks_requested,
      review: reviewVerdict(cast, ruleOf(v.id)),
    };
  });
}

/** The project and branch of each active patch of a report, once each (a reminder when drafting its advisory). */
export async function activeBranchesOfReport(db: Db, reportId: number): Promise<{ slug: string; branch: string }[]> {
  return db
    .selectFrom('patches')
    .innerJoin('projects', 'projects.id', 'patches.project_id')
    .select(['projects.slug', 'patches.branch'])
    .where('patches.report_id', '=', reportId)
    .where('patches.state', '=', 'active')
    .distinct()
    .orderBy('patches.branch')
    .execute();
}

/** Every patch of a report (abandoned ones too), with its current version, ordered by target and position. */
export async function patchesOfReport(db: Db, reportId: number): Promise<PatchSummary[]> {
  const rows = await db
    .selectFrom('patches')
    .innerJoin('projects', 'projects.id', 'patches.project_id')
    .selectAll('patches')
    .select(['projects.slug as project_slug', 'projects.name as project_name'])
    .where('patches.report_id', '=', reportId)
    .orderBy('projects.name')
    .orderBy('patches.repository')
    .orderBy('patches.branch')
    .orderBy('patches.position')
    .orderBy('patches.id')
    .execute();
  if (!rows.length) return [];
  const versions = await db
    .selectFrom('patch_versions')
    .innerJoin('patches', 'patches.id', 'patch_versions.patch_id')
    .select(versionColumns.map((c) => `patch_versions.${c}` as const))
    .where('patches.report_id', '=', reportId)
    .whereRef('patch_versions.version', '=', 'patches.current_version')
    .execute();
  const rules = await reviewRules(db, [...new Set(rows.map((r) => r.project_id))]);
  const projectOfPatch = new Map(rows.map((r) => [r.id, r.project_id]));
  const projectOfVersion = new Map(versions.map((v) => [v.id, projectOfPatch.get(v.patch_id) ?? 0]));
  const views = await viewsOf(db, versions, (id) => rules.get(projectOfVersion.get(id) ?? 0) ?? defaultReviewRule);
  const byPatch = new Map(views.map((v) => [v.patch_id, v]));
  return rows.flatMap(({ project_slug, project_name, ...patch }) => {
    const current = byPatch.get(patch.id);
    return current ? [{ patch, project: { id: patch.project_id, slug: project_slug, name: project_name }, current }] : [];
  });
}

export interface PatchComment {
  id: number;
  versionId: number;
  author: string;
  body: string;
  filePath: string | null;
  side: 'old' | 'new' | null;
  line: number | null;
  createdAt: string;
}

export interface PatchDetail {
  patch: PatchRow;
  project: { id: number; slug: string; name: string };
  /** Oldest first. */
  versions: VersionView[];
  comments: PatchComment[];
  rule: ReviewRule;
}

/** One patch of one report (undefined when the id names a patch of another report). */
export async function loadPatch(db: Db, reportId: number, patchId: number): Promise<PatchDetail | undefined> {
  if (!Number.isSafeInteger(patchId) || patchId <= 0) return undefined;
  const row = await db
    .selectFrom('patches')
    .innerJoin('projects', 'projects.id', 'patches.project_id')
    .selectAll('patches')
    .select(['projects.slug as project_slug', 'projects.name as project_name'])
    .where('patches.id', '=', patchId)
    .where('patches.report_id', '=', reportId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { project_slug, project_name, ...patch } = row;
  const [versions, rules] = await Promise.all([
    db.selectFrom('patch_versions').select([...versionColumns]).where('patch_id', '=', patch.id).orderBy('version').execute(),
    reviewRules(db, [patch.project_id]),
  ]);
  const rule = rules.get(patch.project_id) ?? defaultReviewRule;
  const views = await viewsOf(db, versions, () => rule);
  const comments = views.length
    ? await db.selectFrom('patch_comments').selectAll().where('patch_version_id', 'in', views.map((v) => v.id)).orderBy('id').execute()
    : [];
  return {
    patch,
    project: { id: patch.project_id, slug: project_slug, name: project_name },
    versions: views,
    comments: comments.map((c) => ({ id: c.id, versionId: c.patch_version_id, author: c.author_label, body: c.body, filePath: c.file_path, side: c.side, line: c.line, createdAt: c.created_at })),
    rule,
  };
}

/** The raw bytes of versions, by id. */
export async function rawOfVersions(db: Db, versionIds: readonly number[]): Promise<Map<number, Buffer>> {
  if (!versionIds.length) return new Map();
  const rows = await db.selectFrom('patch_versions').select(['id', 'raw']).where('id', 'in', [...versionIds]).execute();
  return new Map(rows.map((r) => [r.id, Buffer.from(r.raw)]));
}

/** The active patches of one series (report, project, repository, branch) with their current version ids, in order. */
export async function activeSeries(
  db: Db,
  where: { reportId: number; projectId: number; repository: string | null; branch: string },
): Promise<{ patchId: number; position: number; versionId: number; version: number }[]> {
  let q = db
    .selectFrom('patches')
    .innerJoin('patch_versions', (j) => j.onRef('patch_versions.patch_id', '=', 'patches.id').onRef('patch_versions.version', '=', 'patches.current_version'))
    .select(['patches.id as patchId', 'patches.position', 'patch_versions.id as versionId', 'patch_versions.version'])
    .where('patches.report_id', '=', where.reportId)
    .where('patches.project_id', '=', where.projectId)
    .where('patches.branch', '=', where.branch)
    .where('patches.state', '=', 'active');
  q = where.repository === null ? q.where('patches.repository', 'is', null) : q.where('patches.repository', '=', where.repository);
  return q.orderBy('patches.position').orderBy('patches.id').execute();
}
