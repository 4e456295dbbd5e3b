// Reading notes: one note with the facts the policy needs, its revisions as NoteRecords, its votes with
// the voters' groups, and lists filtered by the note policy. Changes live in the command modules.
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Actor } from '../access/actor.js';
import { canReadNote, noteAccess, readableNotes, reportEmbargoes, workableNotes, type NoteAccess, type NoteFacts } from '../access/note-policy.js';
import type { Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { loadReportBy } from '../reports/store.js';
import { activeHoldersOf } from '../accounts/users.js';
import { coreReviewProjectsOf } from '../projects/projects.js';
import type { ReportClass, ReportVisibility } from '../storage/tables.js';
import { parseAffectedServices } from './formats/affected-services.js';
import { parseContactsReferences } from './formats/contacts-references.js';
import type { NoteRecord, SectionSlot } from './formats/note-record.js';
import type { NoteVote } from './review-rule.js';
import type { NoteRevisionsTable, NotesTable, NoteState } from './tables.js';

export type NoteRow = Selectable<NotesTable>;
export type RevisionRow = Selectable<NoteRevisionsTable>;

/** The sections of one revision as stored (JSON in note_revisions.body). Parsed parts are derived on load. */
export interface RevisionBody {
  summary: string | null;
  affected: string | null;
  discussion: string | null;
  recommendedActions: string | null;
  credits: string | null;
  contacts: string | null;
  sectionLayout: SectionSlot[];
}

export interface NoteReportLink {
  id: number;
  ref: string;
  visibility: ReportVisibility;
  publicSummary: boolean;
  class: ReportClass | null;
}

export interface LoadedNote {
  row: NoteRow;
  facts: NoteFacts;
  /** Concerned projects, by slug (the identity the review rule matches on). */
  projects: { id: number; slug: string; name: string }[];
  report: NoteReportLink | null;
}

export interface NoteForActor extends LoadedNote {
  access: NoteAccess;
}

const REF_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const NOTE_REF = /^N-[A-Z2-9]{8}$/;

export function newNoteRef(): string {
  return 'N-' + [...randomBytes(8)].map((b) => REF_ALPHABET[b % REF_ALPHABET.length]).join('');
}

export type NoteKey = { publicId: string } | { ref: string } | { id: number };

export async function loadNote(db: Db, key: NoteKey): Promise<LoadedNote | undefined> {
  let q = db.selectFrom('notes').selectAll();
  if ('publicId' in key) q = q.where('public_id', '=', key.publicId);
  else if ('ref' in key) q = q.where('ref', '=', key.ref);
  else q = q.where('id', '=', key.id);
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  const [projects, report] = await Promise.all([
    db
      .selectFrom('note_projects')
      .innerJoin('projects', 'projects.id', 'note_projects.project_id')
      .select(['projects.id', 'projects.slug', 'projects.name'])
      .where('note_projects.note_id', '=', row.id)
      .orderBy('projects.slug')
      .execute(),
    row.report_id === null ? undefined : loadReportBy(db, { id: row.report_id }),
  ]);
  return {
    row,
    projects,
    report: report ? { id: report.row.id, ref: report.row.ref, visibility: report.row.visibility, publicSummary: report.row.public_summary !== null, class: report.row.class } : null,
    facts: { state: row.state, embargoed: reportEmbargoes(report?.row), authorId: row.author_id, projectIds: projects.map((p) => p.id), report: report?.facts ?? null },
  };
}

/** Load a note for an actor: 404 when they may not see it (DESIGN.md §5). */
export async function noteForActor(scope: Scope, key: NoteKey): Promise<NoteForActor> {
  if ('ref' in key && !NOTE_REF.test(key.ref)) throw errors.notFound('note');
  if ('publicId' in key && !/^[A-Z][A-Z0-9]{1,15}-\d{4,8}$/.test(key.publicId)) throw errors.notFound('note');
  const loaded = await loadNote(scope.app.storage.db, key);
  if (!loaded) throw errors.notFound('note');
  const access = noteAccess(scope.actor, loaded.facts);
  if (!canReadNote(access)) throw errors.notFound('note');
  return { ...loaded, access };
}

export function parseRevisionBody(json: string): RevisionBody {
  const b = JSON.parse(json) as Partial<RevisionBody>;
  return {
    summary: b.summary ?? null,
    affected: b.affected ?? null,
    discussion: b.discussion ?? null,
    recommendedActions: b.recommendedActions ?? null,
    credits: b.credits ?? null,
    contacts: b.contacts ?? null,
    sectionLayout: b.sectionLayout ?? [],
  };
}

/** The full NoteRecord of a revision (parsed parts re-derived from the text, which is the truth). */
export function recordOf(publicId: string, title: string, body: RevisionBody, raw: string | null = null): NoteRecord {
  return {
    id: publicId,
    title,
    summary: body.summary,
    affected: body.affected === null ? null : parseAffectedServices(body.affected).affected,
    discussion: body.discussion,
    recommendedActions: body.recommendedActions,
    credits: body.credits,
    contacts: body.contacts === null ? null : parseContactsReferences(body.contacts),
    sectionLayout: body.sectionLayout,
    raw,
  };
}

export function bodyOf(record: NoteRecord): RevisionBody {
  return {
    summary: record.summary,
    affected: record.affected?.text ?? null,
    discussion: record.discussion,
    recommendedActions: record.recommendedActions,
    credits: record.credits,
    contacts: record.contacts?.text ?? null,
    sectionLayout: record.sectionLayout,
  };
}

export async function loadRevision(db: Db, noteId: number, revision: number): Promise<RevisionRow | undefined> {
  return db.selectFrom('note_revisions').selectAll().where('note_id', '=', noteId).where('revision', '=', revision).executeTakeFirst();
}

export async function listRevisions(db: Db, noteId: number): Promise<RevisionRow[]> {
  return db.selectFrom('note_revisions').selectAll().where('note_id', '=', noteId).orderBy('revision', 'desc').execute();
}

/** The record of one revision of a note, or null when it has none yet. */
export async function revisionRecord(db: Db, note: NoteRow, revision: number): Promise<NoteRecord | null> {
  const rev = await loadRevision(db, note.id, revision);
  if (!rev || !note.public_id) return null;
  // Every revision of an imported note keeps its source: export re-emits the parts a revision left alone.
  return recordOf(note.public_id, rev.title, parseRevisionBody(rev.body), note.origin === 'import' ? note.imported_text : null);
}

/** The published revision, for the public page, the text file, the feed and the site. */
export async function publishedRecord(db: Db, note: NoteRow): Promise<NoteRecord | null> {
  if (note.state !== 'published' || note.published_revision === null) return null;
  return revisionRecord(db, note, note.published_revision);
}

/** Groups of a voter now: held security-core role on an active account, and project core memberships. */
export async function voterGroups(db: Db, userIds: number[]): Promise<Map<number, { securityCore: boolean; projectCoreOf: string[] }>> {
  const ids = [...new Set(userIds)];
  const out = new Map<number, { securityCore: boolean; projectCoreOf: string[] }>();
  if (ids.length === 0) return out;
  // Security core held now on an active account; project core memberships (coresec review as project core too).
  const [coreIds, projects] = await Promise.all([activeHoldersOf(db, 'security_core', ids), coreReviewProjectsOf(db, ids)]);
  for (const id of ids) out.set(id, { securityCore: coreIds.has(id), projectCoreOf: projects.get(id) ?? [] });
  return out;
}

export interface VoteView extends NoteVote {
  id: number;
  comment: string;
}

/** Every vote on the note (all revisions), oldest first, with the voters' current groups. */
export async function loadVotes(db: Db, noteId: number): Promise<VoteView[]> {
  const rows = await db
    .selectFrom('note_votes')
    .innerJoin('users', 'users.id', 'note_votes.voter_id')
    .select(['note_votes.id', 'note_votes.voter_id', 'users.display_name', 'note_votes.value', 'note_votes.revision', 'note_votes.cast_at', 'note_votes.comment'])
    .where('note_votes.note_id', '=', noteId)
    .orderBy('note_votes.id')
    .execute();
  const groups = await voterGroups(db, rows.map((r) => r.voter_id));
  return rows.map((r) => ({
    id: r.id,
    voterId: String(r.voter_id),
    voterName: r.display_name,
    value: r.value,
    groups: groups.get(r.voter_id) ?? { securityCore: false, projectCoreOf: [] },
    revision: r.revision,
    castAt: r.cast_at,
    comment: r.comment,
  }));
}

export interface NoteListItem {
  ref: string;
  publicId: string | null;
  state: NoteState;
  title: string;
  embargoed: boolean;
  authorName: string | null;
  flaggedAt: string;
  updatedAt: string;
  publishedAt: string | null;
  origin: string;
}

function listQuery(db: Db) {
  return db
    .selectFrom('notes')
    .leftJoin('users as author', 'author.id', 'notes.author_id')
    .leftJoin('note_revisions as rev', (j) => j.onRef('rev.note_id', '=', 'notes.id').onRef('rev.revision', '=', 'notes.current_revision'))
    .leftJoin('note_revisions as pub', (j) => j.onRef('pub.note_id', '=', 'notes.id').onRef('pub.revision', '=', 'notes.published_revision'))
    .leftJoin('reports', 'reports.id', 'notes.report_id')
    .select([
      'notes.ref',
      'notes.public_id',
      'notes.state',
      'notes.flag_title',
      'notes.flagged_at',
      'notes.updated_at',
      'notes.published_at',
      'notes.origin',
      'author.display_name as author_name',
      'rev.title as current_title',
      'pub.title as published_title',
      'reports.visibility as report_visibility',
      'reports.public_summary as report_summary',
    ]);
}

type ListRow = Awaited<ReturnType<ReturnType<typeof listQuery>['execute']>>[number];

function listItem(r: ListRow, published: boolean): NoteListItem {
  return {
    ref: r.ref,
    publicId: r.public_id,
    state: r.state,
    title: (published ? r.published_title : r.current_title) ?? r.flag_title,
    embargoed: reportEmbargoes(r.report_visibility ? { visibility: r.report_visibility, public_summary: r.report_summary } : null),
    authorName: r.author_name,
    flaggedAt: r.flagged_at,
    updatedAt: r.updated_at,
    publishedAt: r.published_at,
    origin: r.origin,
  };
}

/** Published notes, newest number first, through the anonymous reader's filter (nothing embargoed, by construction). */
export async function listPublished(db: Db, options: { limit?: number } = {}): Promise<NoteListItem[]> {
  let q = listQuery(db)
    .where('notes.state', '=', 'published')
    .where(readableNotes({ kind: 'anonymous' }))
    .orderBy('notes.sequence', 'desc');
  if (options.limit) q = q.limit(options.limit);
  return (await q.execute()).map((r) => listItem(r, true));
}

/** Flags and notes in progress the actor may work on (the queue). */
export async function listWork(db: Db, actor: Actor): Promise<NoteListItem[]> {
  const rows = await listQuery(db)
    .where('notes.state', 'in', ['flagged', 'draft', 'in_review', 'awaiting_disclosure'])
    .where(workableNotes(actor))
    .orderBy('notes.flagged_at', 'desc')
    .orderBy('notes.id', 'desc')
    .execute();
  return rows.map((r) => listItem(r, false));
}
