// Who may read and do what on a security note (DESIGN.md §1, §2, §5). The only place that decides it;
// the SQL filter below must agree with `noteAccess` (note-policy.test.ts checks every pair).
//
// - An embargoed note (flagged from a report that is still private, with no public issue) is written
//   only by security core — not even the VMT member who flagged it sees it. Its review needs a +1 from a
//   core reviewer of each concerned project (DESIGN.md §2), so a project's core reviewers (and coresec,
//   who "review notes as project core", §1) read it and vote on it too — but only those who may already
//   read the private report itself: the note never widens the report's disclosure.
// - Any other note is seen and worked on by anyone with an account; once published, everyone reads
//   its published revision.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { tokenAllows, type Actor } from './actor.js';
import { canRead, readableReports, reportAccess, type ReportFacts } from './report-policy.js';
import type { Database } from '../storage/tables.js';
import type { NoteState } from '../notes/tables.js';

export interface NoteFacts {
  state: NoteState;
  /** Flagged from a report that is still private (and not published as an issue). */
  embargoed: boolean;
  authorId: number | null;
  /** Concerned projects. */
  projectIds: number[];
  /** The report the note was flagged from, if any. */
  report: ReportFacts | null;
}

/**
 * - `core`: security core — everything, on every note;
 * - `member`: a signed-in account on a note that is not embargoed — read the work, claim, vote, send feedback;
 * - `reviewer`: on an embargoed note, a core reviewer (or coresec) of a concerned project who may read the
 *   report — read the work and vote, nothing else;
 * - `reader`: the published note only;
 * - `none`: answer 404.
 */
export type NoteAccess = 'core' | 'member' | 'reviewer' | 'reader' | 'none';

/** Project roles that review notes as project core (DESIGN.md §1). */
export const NOTE_REVIEW_PROJECT_ROLES = ['core_reviewer', 'coresec'] as const;

function reviewsFor(actor: Actor, projectIds: number[]): number[] {
  if (actor.kind !== 'user') return [];
  return projectIds.filter((id) => NOTE_REVIEW_PROJECT_ROLES.some((role) => actor.projectRoles.get(id)?.has(role)));
}

export function isSecurityCore(actor: Actor): boolean {
  return actor.kind === 'user' && actor.roles.has('security_core');
}

export function noteAccess(actor: Actor, note: NoteFacts): NoteAccess {
  if (actor.kind === 'user' && tokenAllows(actor, 'read')) {
    if (isSecurityCore(actor)) return 'core';
    if (!note.embargoed && note.state !== 'dismissed') return 'member';
    if (note.embargoed && note.state !== 'flagged' && note.state !== 'dismissed' && note.report && reviewsFor(actor, note.projectIds).length > 0) {
      if (canRead(reportAccess(actor, note.report))) return 'reviewer';
    }
  }
  return note.state === 'published' && !note.embargoed ? 'reader' : 'none';
}

export const canReadNote = (a: NoteAccess): boolean => a !== 'none';
/** The working view: drafts, revisions, votes (and, except for reviewers, the flag). */
export const canSeeWork = (a: NoteAccess): boolean => a === 'core' || a === 'member' || a === 'reviewer';

function writes(actor: Actor): boolean {
  return tokenAllows(actor, 'write');
}

/** Claim a flag: security core for embargoed flags, anyone with an account for public ones. */
export function canClaim(actor: Actor, access: NoteAccess): boolean {
  return (access === 'core' || access === 'member') && writes(actor);
}

/** Write revisions, submit, ask to publish, answer feedback: the author and security core. */
export function canAuthor(actor: Actor, access: NoteAccess, note: NoteFacts): boolean {
  if (!writes(actor) || actor.kind !== 'user') return false;
  return access === 'core' || (access === 'member' && note.authorId === actor.userId);
}

/** Turn down a flag: security core. */
export function canDismiss(actor: Actor, access: NoteAccess): boolean {
  return access === 'core' && writes(actor);
}

/** Vote: anyone who sees the work (the review rule then decides whether the vote may be cast). */
export function canVote(actor: Actor, access: NoteAccess): boolean {
  return canSeeWork(access) && writes(actor);
}

/** Send feedback on a published note: any signed-in reader. */
export function canSendFeedback(actor: Actor, access: NoteAccess, note: NoteFacts): boolean {
  return actor.kind === 'user' && writes(actor) && canReadNote(access) && note.state === 'published';
}

/** Whether a report (by its visibility and public issue) keeps a note flagged from it embargoed. */
export function reportEmbargoes(report: { visibility: string; public_summary: string | null } | null | undefined): boolean {
  return !!report && report.visibility === 'private' && report.public_summary === null;
}

/** SQL: the note is embargoed (agrees with `reportEmbargoes`). */
function embargoed(eb: ExpressionBuilder<Database, 'notes'>): Expression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom('reports')
      .select('reports.id')
      .whereRef('reports.id', '=', 'notes.report_id')
      .where('reports.visibility', '=', 'private')
      .where('reports.public_summary', 'is', null),
  );
}

/** SQL condition for notes whose working view the actor may see (queue, drafts). Must match canSeeWork. */
export function workableNotes(actor: Actor): (eb: ExpressionBuilder<Database, 'notes'>) => Expression<SqlBool> {
  return (eb) => {
    if (actor.kind !== 'user' || !tokenAllows(actor, 'read')) return eb.lit(false);
    if (isSecurityCore(actor)) return eb.lit(true);
    const member = eb.and([eb('notes.state', '!=', 'dismissed'), eb.not(embargoed(eb))]);
    const reviewing = [...actor.projectRoles.keys()].filter((id) => reviewsFor(actor, [id]).length > 0);
    if (reviewing.length === 0) return member;
    const reviewer = eb.and([
      eb('notes.state', 'not in', ['flagged', 'dismissed']),
      embargoed(eb),
      eb.exists(eb.selectFrom('note_projects').select('note_projects.note_id').whereRef('note_projects.note_id', '=', 'notes.id').where('note_projects.project_id', 'in', reviewing)),
      eb.exists(eb.selectFrom('reports').select('reports.id').whereRef('reports.id', '=', 'notes.report_id').where((rb) => readableReports(actor)(rb as unknown as ExpressionBuilder<Database, 'reports'>))),
    ]);
    return eb.or([member, reviewer]);
  };
}

/** SQL condition for notes the actor may read at all. Must match canReadNote. */
export function readableNotes(actor: Actor): (eb: ExpressionBuilder<Database, 'notes'>) => Expression<SqlBool> {
  return (eb) => eb.or([workableNotes(actor)(eb), eb.and([eb('notes.state', '=', 'published'), eb.not(embargoed(eb))])]);
}
