// Review of patches (issue 5): votes +2 … -2 by coresec and core reviewers of the patch's project on
// the current version (a new version starts without votes), comments per patch and per file line,
// and each project's pre-approval rule.
import { getProjectBySlug } from '../projects/projects.js';
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { notifyReport } from '../reports/notify.js';
import { actorName } from '../reports/timeline.js';
import { canCommentOnPatches, reviewerRole } from './policy.js';
import type { ReviewRule } from './review-rule.js';
import { loadPatch, type PatchDetail } from './store.js';

export const voteScores = [2, 1, 0, -1, -2] as const;

async function patchOnReport(scope: Scope, ref: string, patchId: number) {
  const report = await reportForActor(scope, ref);
  const detail = await loadPatch(scope.app.storage.db, report.row.id, patchId);
  if (!detail) throw errors.notFound('patch');
  return { report, detail };
}

function currentVersion(detail: PatchDetail, versionNumber: number | undefined) {
  const current = detail.versions.find((v) => v.version === detail.patch.current_version);
  if (!current) throw errors.notFound('patch');
  if (versionNumber !== undefined && versionNumber !== current.version) {
    throw errors.conflict(`Version ${versionNumber} has been superseded by version ${current.version}: review the current version.`);
  }
  return current;
}

export async function castVote(scope: Scope, ref: string, patchId: number, input: { score: number; comment?: string; version?: number }): Promise<number> {
  const { report, detail } = await patchOnReport(scope, ref, patchId);
  const role = reviewerRole(scope.actor, report.access, detail.project.id);
  if (!role || scope.actor.kind !== 'user') {
    throw errors.forbiddenAction(`Only coresec and core reviewers of ${detail.project.name} may vote on this patch.`);
  }
  if (!voteScores.includes(input.score as (typeof voteScores)[number])) throw errors.field('score', 'Choose a vote of +2, +1, 0, -1 or -2.');
  const comment = (input.comment ?? '').trim();
  if (comment.length > 20_000) throw errors.field('comment', 'Use at most 20000 characters.');
  if (input.score === -2 && !comment) throw errors.field('comment', 'Say why you block the patch with -2.');
  if (detail.patch.state === 'abandoned') throw errors.conflict('This patch is abandoned: there is nothing to vote on.');
  const version = currentVersion(detail, input.version);
  const who = actorName(scope.actor);
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const row = await trx
      .insertInto('patch_votes')
      .values({ patch_version_id: version.id, user_id: who.id as number, voter_label: who.label, role, score: input.score, comment, created_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit('patch.voted', 'patch', detail.patch.id, undefined, { version: version.version, vote_id: row.id, score: input.score, role });
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'A patch was reviewed.', visibility: 'everyone', exceptUserId: who.id });
    return row.id;
  });
}

export interface CommentInput {
  body: string;
  /** A line comment: the file path as shown in the diff, the side and the line number. */
  file?: string | null;
  side?: 'old' | 'new' | null;
  line?: number | null;
  version?: number;
}

export async function commentOnPatch(scope: Scope, ref: string, patchId: number, input: CommentInput): Promise<number> {
  const { report, detail } = await patchOnReport(scope, ref, patchId);
  if (!canCommentOnPatches(scope.actor, report.access)) throw errors.forbiddenAction('You may read these patches but not comment on them.');
  const issues = new IssueCollector();
  const body = (input.body ?? '').trim();
  if (!body) issues.add('body', 'Write a comment first.');
  if (body.length > 20_000) issues.add('body', 'Use at most 20000 characters.');
  const version = input.version === undefined ? currentVersion(detail, undefined) : detail.versions.find((v) => v.version === input.version);
  if (!version) throw errors.field('version', `This patch has no version ${input.version ?? ''}.`);
  const file = input.file?.trim() || null;
  let side: 'old' | 'new' | null = null;
  let line: number | null = null;
  if (file !== null) {
    const known = version.fileList.some((f) => f.newPath === file || f.oldPath === file);
    if (!known) issues.add('file', `Version ${version.version} does not change a file "${file.slice(0, 100)}".`);
    side = input.side === 'old' ? 'old' : 'new';
    if (input.line !== null && input.line !== undefined) {
      if (!Number.isSafeInteger(input.line) || input.line < 1) issues.add('line', 'Give a line number of 1 or more.');
      else line = input.line;
    }
  } else if (input.line !== null && input.line !== undefined) issues.add('file', 'Name the file the line is in.');
  issues.throwIfAny();
  const who = actorName(scope.actor);
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const label = report.access === 'reporter' ? `${who.label} (reporter)` : who.label;
    const row = await trx
      .insertInto('patch_comments')
      .values({ patch_version_id: version.id, author_id: who.id, author_label: label, body, file_path: file, side: file ? side : null, line, created_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit('patch.commented', 'patch', detail.patch.id, undefined, { version: version.version, comment_id: row.id, file, line });
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'A patch was commented on.', visibility: 'everyone', reporter: report.access !== 'reporter', exceptUserId: who.id });
    return row.id;
  });
}

/** Set a project's pre-approval rule (administrators, through the CLI). */
export async function setReviewRule(scope: Scope, projectSlug: string, rule: ReviewRule): Promise<void> {
  const issues = new IssueCollector();
  for (const [field, n] of [['coresec', rule.coresecApprovals], ['core_reviewers', rule.coreReviewerApprovals]] as const) {
    if (!Number.isSafeInteger(n) || n < 0 || n > 10) issues.add(field, 'Give a whole number from 0 to 10.');
  }
  if (issues.ok && rule.coresecApprovals + rule.coreReviewerApprovals < 1) issues.add('coresec', 'The rule must ask for at least one +2.');
  issues.throwIfAny(issues.issues.map((i) => `${i.field}: ${i.message}`).join(' '));
  const project = await getProjectBySlug(scope.app.storage.db, projectSlug);
  if (!project) throw errors.field('project', `There is no project "${projectSlug.slice(0, 60)}".`);
  await change(scope, async ({ trx, now, audit }) => {
    const before = await trx.selectFrom('patch_review_rules').selectAll().where('project_id', '=', project.id).executeTakeFirst();
    const values = { coresec_approvals: rule.coresecApprovals, core_reviewer_approvals: rule.coreReviewerApprovals, updated_at: now.toISOString() };
    await trx
      .insertInto('patch_review_rules')
      .values({ project_id: project.id, ...values })
      .onConflict((oc) => oc.column('project_id').doUpdateSet(values))
      .execute();
    await audit('patch.review_rule_set', 'project', project.id, before ?? null, values);
  });
}
