// What people and API clients see of patches: words and tones for check results and review states, the
// readiness of each branch for disclosure day, and the JSON shapes of the API.
import type { PatchTarget } from './targets.js';
import type { CheckView, PatchComment, PatchDetail, PatchSummary, VersionView } from './store.js';
import type { PatchCheckStatus } from './tables.js';
import { describeRule } from './review-rule.js';
import { runJson, testReasons, type TestCell } from './ci/present.js';

export type Tone = 'ok' | 'warn' | 'danger' | 'muted' | 'info';

export function checkLabel(check: CheckView | null, pending: boolean): { text: string; tone: Tone } {
  if (!check) return pending ? { text: 'check queued', tone: 'info' } : { text: 'not checked', tone: 'muted' };
  const words: Record<PatchCheckStatus, [string, Tone]> = {
    applies_cleanly: ['applies cleanly', 'ok'],
    applies_with_3way: ['applies with 3-way merge', 'ok'],
    conflicts: [`conflicts in ${check.conflictingFiles.join(', ') || 'the patch'}`, 'danger'],
    does_not_parse: ['git cannot read it', 'danger'],
    timed_out: ['check timed out', 'warn'],
    blocked_by_earlier: [`blocked: patch ${check.failedPatch?.position ?? 'before it'} does not apply`, 'warn'],
    no_repository: ['not checked: the project lists no repository', 'muted'],
    branch_missing: ['the branch is not in the repository', 'danger'],
    mirror_unavailable: ['not checked: repository unreachable', 'warn'],
  };
  const [text, tone] = words[check.status];
  return { text: pending ? `${text} (re-checking)` : text, tone };
}

export function reviewLabel(v: VersionView): { text: string; tone: Tone } {
  if (v.review.state === 'pre_approved') return { text: 'pre-approved', tone: 'ok' };
  if (v.review.state === 'blocked') return { text: `blocked (-2 by ${v.review.blockedBy.join(', ')})`, tone: 'danger' };
  return { text: v.review.votes.length ? `in review: ${v.review.missing.join(', ')}` : 'needs review', tone: 'muted' };
}

const applyingStatuses: readonly PatchCheckStatus[] = ['applies_cleanly', 'applies_with_3way'];

export type BranchReadiness = 'ready' | 'not_ready' | 'no_patches';

/** A branch is ready for disclosure day when it has patches and each applies (checked, not pending) and is pre-approved. */
export function branchReadiness(series: readonly PatchSummary[], tests: TestCell | null = null): { state: BranchReadiness; reasons: string[] } {
  if (!series.length) return { state: 'no_patches', reasons: ['no patch yet'] };
  const reasons: string[] = [];
  series.forEach((s, i) => {
    const c = s.current;
    if (c.checkPending || !c.check) reasons.push(`patch ${i + 1} is waiting for its apply check`);
    else if (!applyingStatuses.includes(c.check.status)) reasons.push(`patch ${i + 1} does not apply`);
    if (c.review.state !== 'pre_approved') reasons.push(`patch ${i + 1} is not pre-approved`);
  });
  // A project that requires passing tests (issue 20): the latest run on the latest series version passed.
  reasons.push(...testReasons(tests));
  return { state: reasons.length ? 'not_ready' : 'ready', reasons };
}

export interface MatrixRow {
  target: PatchTarget;
  series: PatchSummary[];
  readiness: { state: BranchReadiness; reasons: string[] };
  /** The tests of the branch's current series (private CI); null when the project has no recipe and no run. */
  tests: TestCell | null;
}

/** One row per target (branch), with its active series in order and, where the project tests, its test state. */
export function patchMatrix(targets: readonly PatchTarget[], patches: readonly PatchSummary[], testsOf: (target: PatchTarget, series: PatchSummary[]) => TestCell | null = () => null): MatrixRow[] {
  return targets.map((target) => {
    const series = patches.filter((p) => p.patch.state === 'active' && p.patch.project_id === target.projectId && p.patch.repository === target.repository && p.patch.branch === target.branch);
    const tests = testsOf(target, series);
    return { target, series, readiness: branchReadiness(series, tests), tests };
  });
}

function checkJson(check: CheckView | null, pending: boolean) {
  return check
    ? { status: check.status, pending, conflicting_files: check.conflictingFiles, git_message: check.gitMessage, head_sha: check.headSha, failed_patch: check.failedPatch, already_applied: check.alreadyApplied, checked_at: check.checkedAt }
    : { status: null, pending, conflicting_files: [], git_message: null, head_sha: null, failed_patch: null, already_applied: false, checked_at: null };
}

export function versionJson(v: VersionView) {
  return {
    version: v.version,
    current: v.superseded_at === null,
    input_kind: v.input_kind,
    apply_with: v.apply_with,
    commit: v.commit_sha,
    author: v.author_name !== null ? { name: v.author_name, email: v.author_email } : null,
    date: v.author_date,
    date_raw: v.author_date_raw,
    subject: v.subject,
    message: v.message,
    trailers: v.trailerList,
    files: v.fileList.map((f) => ({ old_path: f.oldPath, new_path: f.newPath, status: f.status, added: f.added, removed: f.removed, binary: f.binary })),
    lines_added: v.lines_added,
    lines_removed: v.lines_removed,
    sha256: v.raw_sha256,
    uploaded_by: v.uploaded_label,
    uploaded_at: v.created_at,
    superseded_at: v.superseded_at,
    check: checkJson(v.check, v.checkPending),
    review: {
      state: v.review.state,
      missing: v.review.missing,
      votes: v.review.votes.map((x) => ({ voter: x.voterLabel, role: x.role, score: x.score, comment: x.comment, at: x.createdAt })),
    },
  };
}

export function summaryJson(ref: string, s: PatchSummary) {
  return {
    id: s.patch.id,
    url: `/reports/${ref}/patches/${s.patch.id}`,
    project: s.project.slug,
    repository: s.patch.repository,
    branch: s.patch.branch,
    position: s.patch.position,
    state: s.patch.state,
    current: versionJson(s.current),
  };
}

function commentJson(c: PatchComment, versions: readonly VersionView[]) {
  return { id: c.id, version: versions.find((v) => v.id === c.versionId)?.version ?? null, author: c.author, body: c.body, file: c.filePath, side: c.side, line: c.line, at: c.createdAt };
}

export function detailJson(ref: string, d: PatchDetail) {
  return {
    id: d.patch.id,
    url: `/reports/${ref}/patches/${d.patch.id}`,
    project: d.project.slug,
    repository: d.patch.repository,
    branch: d.patch.branch,
    position: d.patch.position,
    state: d.patch.state,
    current_version: d.patch.current_version,
    review_rule: describeRule(d.rule),
    versions: d.versions.map(versionJson),
    comments: d.comments.map((c) => commentJson(c, d.versions)),
  };
}

export function matrixJson(ref: string, rows: readonly MatrixRow[]) {
  return rows.map((r) => ({
    project: r.target.projectSlug,
    repository: r.target.repository,
    branch: r.target.branch,
    readiness: r.readiness.state,
    reasons: r.readiness.reasons,
    patches: r.series.map((s) => s.patch.id),
    tests: r.tests ? { required: r.tests.required, latest_run: r.tests.run ? runJson(ref, r.tests.run) : null } : null,
    series_download: `/reports/${ref}/patches/series?target=${encodeURIComponent(r.target.key)}`,
  }));
}
