// Writing a note: every save is a new revision (nothing is overwritten), made from the revision the
// editor started from; a save on top of someone else's newer revision is refused, not merged.
// A new revision resets the review: votes are cast on a revision (review-rule.ts ignores older ones).
import type { UserActor } from '../access/actor.js';
import { canAuthor } from '../access/note-policy.js';
import { change, type Scope } from '../context.js';
import { AppError, errors, IssueCollector } from '../errors/catalogue.js';
import { validateNoteRecord } from './formats/note-validation.js';
import type { NoteRecord, SectionSlot } from './formats/note-record.js';
import { loadRevision, noteForActor, parseRevisionBody, recordOf, type NoteForActor, type RevisionBody } from './store.js';

/** The sections as the edit form and the API send them. */
export interface RevisionInput {
  /** The revision the editor started from. */
  baseRevision: number;
  title: string;
  summary: string;
  affected: string;
  discussion: string;
  recommendedActions: string;
  credits: string;
  contacts: string;
  /** Texts of the extra sections (imported notes), in the order of the note's layout. */
  extras?: string[];
  message?: string;
}

export const MAX_SECTION_CHARS = 50_000;
export const EDITABLE_STATES = new Set(['draft', 'in_review', 'awaiting_disclosure']);

function section(text: string | undefined): string | null {
  // Line endings from browsers are CRLF; the stored text is LF, without trailing blanks.
  const t = (text ?? '').replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').replace(/^\n+|\n+$/g, '');
  return t === '' ? null : t;
}

/** The revision body from the input, keeping the layout (and extra sections) of the revision it edits. */
export function bodyFromInput(input: RevisionInput, base: RevisionBody): RevisionBody {
  let extra = 0;
  const layout: SectionSlot[] = base.sectionLayout.map((slot) => {
    if (slot.kind !== 'extra') return slot;
    const text = input.extras?.[extra++];
    return { ...slot, text: text === undefined ? slot.text : (section(text) ?? '') };
  });
  return {
    summary: section(input.summary),
    affected: section(input.affected),
    discussion: section(input.discussion),
    recommendedActions: section(input.recommendedActions),
    credits: section(input.credits),
    contacts: section(input.contacts),
    sectionLayout: layout,
  };
}

/**
 * Checks that apply to every saved draft: a one-sentence title, no line that would start a new section,
 * sizes. Missing sections are fine in a draft; submitting for review needs them (`requireComplete`).
 */
export function checkDraft(record: NoteRecord, prefix: string): void {
  const issues = new IssueCollector();
  const filled: NoteRecord = {
    ...record,
    summary: record.summary ?? '-',
    affected: record.affected ?? { text: '-', products: [] },
    discussion: record.discussion ?? '-',
    recommendedActions: record.recommendedActions ?? '-',
    contacts: record.contacts ?? { text: '-', authors: [], noteUrl: null, originalBugs: [], mailingList: null, cves: [], cveText: null, entries: [] },
  };
  try {
    validateNoteRecord(filled, prefix);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    for (const f of error.fields) issues.add(f.field, f.message);
  }
  const texts: [string, string | null][] = [
    ['summary', record.summary],
    ['affected.text', record.affected?.text ?? null],
    ['discussion', record.discussion],
    ['recommendedActions', record.recommendedActions],
    ['credits', record.credits],
    ['contacts.text', record.contacts?.text ?? null],
  ];
  for (const [field, text] of texts) if ((text ?? '').length > MAX_SECTION_CHARS) issues.add(field, `Use at most ${MAX_SECTION_CHARS} characters.`);
  record.sectionLayout.forEach((slot, n) => {
    if (slot.kind === 'extra' && slot.text.length > MAX_SECTION_CHARS) issues.add(`sectionLayout.${n}.text`, `Use at most ${MAX_SECTION_CHARS} characters.`);
  });
  issues.throwIfAny('The note needs fixing before it can be saved.');
}

/** Everything a published note must have (DESIGN.md §3), for submitting and publishing. */
export function requireComplete(record: NoteRecord, prefix: string): void {
  validateNoteRecord(record, prefix);
}

function sameBody(a: RevisionBody, title: string, b: RevisionBody, baseTitle: string): boolean {
  return title === baseTitle && JSON.stringify(a) === JSON.stringify(b);
}

export async function noteForAuthoring(scope: Scope & { actor: UserActor }, publicId: string): Promise<NoteForActor> {
  const note = await noteForActor(scope, { publicId });
  if (!canAuthor(scope.actor, note.access, note.facts)) {
    throw errors.forbiddenAction(note.facts.embargoed ? 'Only security core may work on an embargoed note.' : 'Only the note’s author and security core may change it.');
  }
  return note;
}

/** Save a new revision. Returns its number, or null when nothing changed (no revision is made). */
export async function saveRevision(scope: Scope & { actor: UserActor }, publicId: string, input: RevisionInput): Promise<number | null> {
  const note = await noteForAuthoring(scope, publicId);
  if (!EDITABLE_STATES.has(note.row.state)) throw errors.conflict(note.row.state === 'published' ? 'A published note is not edited here.' : 'Claim the flag before writing the note.');
  if (!Number.isInteger(input.baseRevision) || input.baseRevision !== note.row.current_revision) {
    throw errors.conflict(`Revision ${note.row.current_revision} was saved after the one you edited (${input.baseRevision}). Open the latest revision, and make your change again.`);
  }
  const base = await loadRevision(scope.app.storage.db, note.row.id, note.row.current_revision);
  if (!base) throw errors.conflict('The note has no revision to edit.');
  const baseBody = parseRevisionBody(base.body);
  const body = bodyFromInput(input, baseBody);
  const title = (input.title ?? '').trim();
  const record = recordOf(publicId, title, body);
  checkDraft(record, scope.app.config.notePrefix);
  const message = (input.message ?? '').trim();
  if (message.length > 2000) throw errors.field('message', 'Use at most 2000 characters.');
  if (sameBody(body, title, baseBody, base.title)) return null;
  const revision = note.row.current_revision + 1;
  await change(scope, async ({ trx, now, audit }) => {
    const at = now.toISOString();
    const moved = await trx
      .updateTable('notes')
      // A new revision needs fresh votes: an approved note waiting for disclosure goes back to review.
      .set({ current_revision: revision, updated_at: at, ...(note.row.state === 'awaiting_disclosure' ? { state: 'in_review', publish_requested_at: null, publish_requested_by: null } : {}) })
      .where('id', '=', note.row.id)
      .where('current_revision', '=', note.row.current_revision)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw errors.conflict('Someone saved a revision at the same moment; open the latest one and make your change again.');
    await trx
      .insertInto('note_revisions')
      .values({ note_id: note.row.id, revision, title, body: JSON.stringify(body), author_id: scope.actor.userId, author_label: scope.actor.displayName, message, created_at: at })
      .execute();
    // No note text in the audit log: admins read it, and an embargoed note is security core's alone.
    await audit('note.revised', 'note', note.row.id, { revision: note.row.current_revision }, { revision });
  });
  return revision;
}
