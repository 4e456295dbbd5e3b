// Assembling what the note pages show, through the policy: the revision an actor may read, the review
// state, feedback, and links (the original report only when the actor may read it).
import { coreReviewProjectsOf } from '../projects/projects.js';
import { findUserById } from '../accounts/users.js';
import type { Actor } from '../access/actor.js';
import { canAuthor, canClaim, canDismiss, canSeeWork, canSendFeedback, canVote } from '../access/note-policy.js';
import { canRead, reportAccess } from '../access/report-policy.js';
import type { Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { loadReportBy } from '../reports/store.js';
import { publishedAnswers, visibleFeedback } from './feedback.js';
import type { NoteRecord } from './formats/note-record.js';
import { pendingApprovals, reviewStatus, underReview, type ReviewViewer } from './review.js';
import { listRevisions, revisionRecord, type NoteForActor } from './store.js';
import { diffRecords } from './diff.js';
import type { HistoryData } from './edit-views.js';
import type { NotePageData } from './public-views.js';
import type { FlagPageData, ReviewPanelData } from './work-views.js';

/** The revision this actor reads: the published one, or (for those who see the work) the current draft. */
export async function shownRecord(db: Db, note: NoteForActor): Promise<{ record: NoteRecord; revision: number }> {
  const revision = note.row.state === 'published' && note.row.published_revision !== null ? note.row.published_revision : note.row.current_revision;
  if (note.row.state !== 'published' && !canSeeWork(note.access)) throw errors.notFound('note');
  const record = await revisionRecord(db, note.row, revision);
  if (!record) throw errors.notFound('note');
  return { record, revision };
}

/** A link to the note's report for this actor: the report page if they may read it, else its public issue. */
export async function reportLinkFor(db: Db, actor: Actor, note: NoteForActor): Promise<string | null> {
  if (!note.report) return null;
  const report = await loadReportBy(db, { id: note.report.id });
  if (!report) return null;
  if (canRead(reportAccess(actor, report.facts))) return `/reports/${report.row.ref}`;
  return report.row.public_summary !== null ? `/issues/${report.row.ref}` : null;
}

async function displayName(db: Db, userId: number | null): Promise<string | null> {
  if (userId === null) return null;
  return (await findUserById(db, userId))?.display_name ?? null;
}

export async function reviewPanelData(db: Db, scope: Scope, note: NoteForActor): Promise<ReviewPanelData | null> {
  if (!canSeeWork(note.access) || !['draft', 'in_review', 'awaiting_disclosure'].includes(note.row.state)) return null;
  const status = await reviewStatus(db, note);
  const userId = scope.actor.kind === 'user' ? scope.actor.userId : null;
  const viewer: ReviewViewer = {
    userId,
    securityCore: scope.actor.kind === 'user' && scope.actor.roles.has('security_core'),
    projectCoreOf: userId === null ? [] : ((await coreReviewProjectsOf(db, [userId])).get(userId) ?? []),
  };
  return {
    pending: pendingApprovals(status.decision, underReview(note), viewer),
    publicId: note.row.public_id ?? '',
    csrfToken: '',
    state: note.row.state,
    currentRevision: note.row.current_revision,
    decision: status.decision,
    votes: status.votes,
    mayAuthor: canAuthor(scope.actor, note.access, note.facts),
    mayVote: canVote(scope.actor, note.access),
    embargoed: note.facts.embargoed,
  };
}

export async function notePageData(scope: Scope, note: NoteForActor): Promise<NotePageData> {
  const db = scope.app.storage.db;
  const { record, revision } = await shownRecord(db, note);
  const published = note.row.state === 'published';
  const [review, answers, feedback, reportLink, authorName] = await Promise.all([
    reviewPanelData(db, scope, note),
    published ? publishedAnswers(db, note.row.id) : Promise.resolve([]),
    published ? visibleFeedback(db, note, scope.actor, note.access) : Promise.resolve([]),
    reportLinkFor(db, scope.actor, note),
    displayName(db, note.row.author_id),
  ]);
  return {
    note,
    csrfToken: '',
    record,
    shownRevision: revision,
    review,
    answers,
    feedback,
    mayAnswer: published && canAuthor(scope.actor, note.access, note.facts),
    maySendFeedback: canSendFeedback(scope.actor, note.access, note.facts),
    signedIn: scope.actor.kind === 'user',
    reportLink,
    authorName,
  };
}

export async function flagPageData(scope: Scope, note: NoteForActor): Promise<FlagPageData> {
  const db = scope.app.storage.db;
  const report = note.report ? await loadReportBy(db, { id: note.report.id }) : undefined;
  return {
    note,
    csrfToken: '',
    flaggedBy: await displayName(db, note.row.flagged_by),
    reportReadable: !!report && canRead(reportAccess(scope.actor, report.facts)),
    mayClaim: note.row.state === 'flagged' && canClaim(scope.actor, note.access),
    mayDismiss: note.row.state === 'flagged' && canDismiss(scope.actor, note.access),
  };
}

/** The page data with the form token of the page being rendered (it is only known inside sendPage). */
export function withCsrf(data: NotePageData, csrfToken: string): NotePageData {
  return { ...data, csrfToken, review: data.review ? { ...data.review, csrfToken } : null };
}

/** The revision list and the diff between two of them (defaults: the latest against the one before). */
export async function historyData(db: Db, note: NoteForActor, query: { from?: string; to?: string }): Promise<HistoryData> {
  if (!canSeeWork(note.access)) throw errors.notFound('note');
  const revisions = await listRevisions(db, note.row.id);
  const numbers = new Set(revisions.map((r) => r.revision));
  const latest = revisions[0]?.revision ?? 0;
  const pick = (raw: string | undefined, fallback: number) => (numbers.has(Number(raw)) ? Number(raw) : fallback);
  const to = pick(query.to, latest);
  const from = pick(query.from, Math.max(1, to - 1));
  let diff = null;
  if (from !== to) {
    const [a, b] = await Promise.all([revisionRecord(db, note.row, from), revisionRecord(db, note.row, to)]);
    if (a && b) diff = diffRecords(a, b);
  }
  return { publicId: note.row.public_id ?? '', revisions, from, to, diff };
}
