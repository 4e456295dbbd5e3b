// Review of a note (DESIGN.md §2): submitted for review, votes +2…−2 with comments on the current revision,
// and the approval decided by review-rule.ts alone. Bad votes (outside the allowed groups, self-approval,
// a stale revision) are refused by `validateVote` with its message, and nothing changes.
import { coreReviewProjectsOf } from '../projects/projects.js';
import type { UserActor } from '../access/actor.js';
import { canVote } from '../access/note-policy.js';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { decideApproval, validateVote, type ApprovalDecision, type NoteUnderReview, type NoteVote } from './review-rule.js';
import { noteForAuthoring, requireComplete } from './revisions.js';
import { loadRevision, loadVotes, noteForActor, revisionRecord, type LoadedNote, type VoteView } from './store.js';

export function underReview(note: LoadedNote): NoteUnderReview {
  return {
    authorId: note.row.author_id === null ? '' : String(note.row.author_id),
    concernedProjects: note.projects.map((p) => p.slug),
    currentRevision: note.row.current_revision,
  };
}

export interface ReviewStatus {
  decision: ApprovalDecision;
  votes: VoteView[];
}

export async function reviewStatus(db: Db, note: LoadedNote): Promise<ReviewStatus> {
  const votes = await loadVotes(db, note.row.id);
  return { decision: decideApproval(underReview(note), votes), votes };
}

export async function submitForReview(scope: Scope & { actor: UserActor }, publicId: string): Promise<void> {
  const note = await noteForAuthoring(scope, publicId);
  if (note.row.state !== 'draft') throw errors.conflict(note.row.state === 'in_review' ? 'The note is under review already.' : 'Only a draft can be submitted for review.');
  const record = await revisionRecord(scope.app.storage.db, note.row, note.row.current_revision);
  if (!record) throw errors.conflict('Write the note before submitting it.');
  requireComplete(record, scope.app.config.notePrefix);
  if (note.projects.length === 0) throw errors.field('projects', 'Name the project(s) the note concerns before review: a core reviewer of each must approve.');
  await change(scope, async ({ trx, now, audit }) => {
    const at = now.toISOString();
    await trx.updateTable('notes').set({ state: 'in_review', submitted_at: at, updated_at: at }).where('id', '=', note.row.id).where('state', '=', 'draft').execute();
    await audit('note.submitted', 'note', note.row.id, { state: 'draft' }, { state: 'in_review', revision: note.row.current_revision });
  });
}

export interface VoteInput {
  revision: number;
  value: number;
  comment: string;
}

/** Cast a vote on a revision. Throws the review rule's error for a vote that may not be cast. */
export async function castVote(scope: Scope & { actor: UserActor }, publicId: string, input: VoteInput): Promise<{ publishable: boolean; requeued: boolean }> {
  const note = await noteForActor(scope, { publicId });
  if (!canVote(scope.actor, note.access)) throw errors.notFound('note');
  if (note.row.state !== 'in_review' && note.row.state !== 'awaiting_disclosure') {
    throw errors.conflict(note.row.state === 'published' ? 'The note is published; review is over.' : 'The note is not under review yet: its author submits it first.');
  }
  const comment = (input.comment ?? '').trim();
  if (comment.length > 20_000) throw errors.field('comment', 'Use at most 20000 characters.');
  const db = scope.app.storage.db;
  const revision = Number(input.revision);
  const castAt = scope.app.clock.now().toISOString();
  const vote: NoteVote = {
    voterId: String(scope.actor.userId),
    voterName: scope.actor.displayName,
    value: Number(input.value),
    // Security core as in force for this request (TOTP passed), project core from the project roles.
    groups: { securityCore: scope.actor.roles.has('security_core'), projectCoreOf: (await coreReviewProjectsOf(db, [scope.actor.userId])).get(scope.actor.userId) ?? [] },
    revision,
    castAt,
  };
  const rule = underReview(note);
  validateVote(vote, rule);
  // The author of the revision under review is an author too: their +1/+2 is self-approval.
  const rev = await loadRevision(db, note.row.id, revision);
  if (rev?.author_id !== null && rev?.author_id !== undefined) validateVote(vote, { ...rule, authorId: String(rev.author_id) });
  if (vote.value < 0 && comment === '') throw errors.field('comment', 'Say what must change: a negative vote needs a comment.');
  return change(scope, async ({ trx, now, audit }) => {
    const current = await trx.selectFrom('notes').select(['current_revision', 'state']).where('id', '=', note.row.id).executeTakeFirstOrThrow();
    if (current.current_revision !== revision) {
      throw errors.conflict(`This vote is on revision ${revision}, but the note has changed since: it is at revision ${current.current_revision}. Read the latest revision and vote on it.`);
    }
    await trx.insertInto('note_votes').values({ note_id: note.row.id, revision, voter_id: scope.actor.userId, value: vote.value, comment, cast_at: now.toISOString() }).execute();
    await audit('note.vote_cast', 'note', note.row.id, undefined, { revision, value: vote.value });
    const votes = await loadVotes(trx, note.row.id);
    const decision = decideApproval(rule, votes);
    // An approved note waiting for disclosure that loses its approval (a −2) goes back to review.
    let requeued = false;
    if (current.state === 'awaiting_disclosure' && !decision.publishable) {
      await trx.updateTable('notes').set({ state: 'in_review', publish_requested_at: null, publish_requested_by: null, updated_at: now.toISOString() }).where('id', '=', note.row.id).execute();
      await audit('note.publication_cancelled', 'note', note.row.id, { state: 'awaiting_disclosure' }, { state: 'in_review', outstanding: decision.outstanding });
      requeued = true;
    }
    return { publishable: decision.publishable, requeued };
  });
}

export function voteLabel(value: number): string {
  return value > 0 ? `+${value}` : value < 0 ? `−${-value}` : '0';
}

export interface PendingApproval {
  /** The review rule's words ("needs 1 more +2 from security core"). */
  message: string;
  whoCan: string;
  viewer: { may: boolean; why: string };
}

export interface ReviewViewer {
  userId: number | null;
  securityCore: boolean;
  projectCoreOf: readonly string[];
}

/**
 * Per missing part of the rule: who gives it and whether this viewer may, in plain words (issue 15 item 5).
 * The two security-core +2s must come from two people other than the author; the project +1 from any core
 * reviewer of the project, a security-core member who also reviews it included.
 */
export function pendingApprovals(decision: ApprovalDecision, note: NoteUnderReview, viewer: ReviewViewer): PendingApproval[] {
  const isAuthor = viewer.userId !== null && String(viewer.userId) === note.authorId;
  const mine = decision.counted.filter((c) => viewer.userId !== null && c.voterId === String(viewer.userId));
  return decision.missing.map((m): PendingApproval => {
    if (m.kind === 'security_core_plus2') {
      const whoCan = 'Security core members other than the author; the rule asks for two different people.';
      if (isAuthor) return { message: m.message, whoCan, viewer: { may: false, why: 'This needs someone other than you, because you wrote this note.' } };
      if (mine.some((c) => c.countsFor.kind === 'security_core')) return { message: m.message, whoCan, viewer: { may: false, why: 'This needs someone other than you, because your +2 already counts as one of the two.' } };
      if (viewer.securityCore) return { message: m.message, whoCan, viewer: { may: true, why: 'You are in security core: vote +2 below.' } };
      return { message: m.message, whoCan, viewer: { may: false, why: 'Only security core members give a +2.' } };
    }
    const whoCan = `A core reviewer (or coresec) of ${m.project}; a security-core member who also reviews ${m.project} fills this with the same vote.`;
    if (isAuthor) return { message: m.message, whoCan, viewer: { may: false, why: 'This needs someone other than you, because you wrote this note.' } };
    if (viewer.projectCoreOf.includes(m.project)) return { message: m.message, whoCan, viewer: { may: true, why: `You review ${m.project}: vote +1${viewer.securityCore ? ' (or +2, which counts for security core too)' : ''} below.` } };
    return { message: m.message, whoCan, viewer: { may: false, why: `You are not a core reviewer of ${m.project}.` } };
  });
}
