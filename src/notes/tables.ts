// Table shapes of the notes area (joined into the one Database type in src/storage/tables.ts).
// A note starts as a flag ("a note is wanted", DESIGN.md §2), gets its OSSN id when an author claims
// it, is written as numbered revisions, reviewed by votes on a revision, and published once approved.
import type { Generated } from 'kysely';

type Id = Generated<number>;
type Timestamp = string;
type Flag = number;

/**
 * - `flagged`: wanted, nobody has claimed it yet (no id);
 * - `draft`: claimed, being written; `in_review`: submitted, votes count;
 * - `awaiting_disclosure`: approved and asked to publish, waiting for its private report to open;
 * - `published`: on the public site; `dismissed`: a flag security core turned down.
 */
export type NoteState = 'flagged' | 'draft' | 'in_review' | 'awaiting_disclosure' | 'published' | 'dismissed';
export const NOTE_STATES: readonly NoteState[] = ['flagged', 'draft', 'in_review', 'awaiting_disclosure', 'published', 'dismissed'];

export type NoteOrigin = 'flag' | 'import';

export interface NotesTable {
  id: Id;
  /** Unguessable reference of the note record (N-XXXXXXXX), used for flags before an id exists. */
  ref: string;
  /** `OSSN-NNNN`, allocated at claim time; null while flagged. */
  public_id: string | null;
  /** The number in public_id (for "continue above the highest number"). */
  sequence: number | null;
  state: NoteState;
  origin: NoteOrigin;
  /** The report the note was flagged from; while it is private the note is embargoed. */
  report_id: number | null;
  /** What the flagger thinks the note is about (becomes the first draft's title). */
  flag_title: string;
  /** Why a note is wanted; private like the note while embargoed. */
  flag_reason: string;
  flagged_by: number | null;
  flagged_at: Timestamp;
  author_id: number | null;
  claimed_at: Timestamp | null;
  /** 0 before the first revision. */
  current_revision: number;
  submitted_at: Timestamp | null;
  publish_requested_at: Timestamp | null;
  publish_requested_by: number | null;
  published_at: Timestamp | null;
  published_revision: number | null;
  dismissed_at: Timestamp | null;
  dismiss_reason: string | null;
  /** The source text as imported (test-fixtures/ossn layout), kept verbatim. */
  imported_text: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NoteProjectsTable {
  note_id: number;
  project_id: number;
}

export interface NoteRevisionsTable {
  id: Id;
  note_id: number;
  revision: number;
  title: string;
  /** JSON of the NoteRecord's sections (formats/note-record.ts) without id and raw text. */
  body: string;
  author_id: number | null;
  author_label: string;
  /** What changed, in the editor's words. */
  message: string;
  created_at: Timestamp;
}

export interface NoteVotesTable {
  id: Id;
  note_id: number;
  revision: number;
  voter_id: number;
  value: number;
  comment: string;
  cast_at: Timestamp;
}

export interface NoteFeedbackTable {
  id: Id;
  note_id: number;
  author_id: number | null;
  author_label: string;
  body: string;
  created_at: Timestamp;
  answer: string | null;
  answered_by: number | null;
  answered_label: string | null;
  answered_at: Timestamp | null;
  /** Shown with the published note (question without the asker's name, and the answer). */
  answer_published: Flag;
}

/** One row per id prefix: the last number handed out (locked by the claiming transaction). */
export interface NoteCountersTable {
  prefix: string;
  last_number: number;
}

export interface NoteTables {
  notes: NotesTable;
  note_projects: NoteProjectsTable;
  note_revisions: NoteRevisionsTable;
  note_votes: NoteVotesTable;
  note_feedback: NoteFeedbackTable;
  note_counters: NoteCountersTable;
}
