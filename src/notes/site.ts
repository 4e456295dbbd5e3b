// The public side of published notes, built from published records only (DESIGN.md §4: the public site
// cannot show private data by construction): the Atom feed, the plain text, and static pages for
// `cordon publish --out DIR` (notes/OSSN-NNNN.html, notes/OSSN-NNNN.txt, notes/index.html, feeds/notes.atom).
import { Feed } from 'feed';
import type { AppContext } from '../context.js';
import type { Kysely } from 'kysely';
import type { Db } from '../storage/database.js';
import { instanceCreatedAt } from '../storage/migrate.js';
import { exportOssnText } from './formats/ossn-source.js';
import type { NoteRecord } from './formats/note-record.js';
import { publishedAnswers } from './feedback.js';
import { listPublished, loadNote, publishedRecord } from './store.js';
import { staticIndexPage, staticNotePage } from './site-pages.js';
import { NoteSections } from './note-html.js';
import { escapeHtml } from '../web/jsx.js';
import type { PublishedNote } from './published-note.js';

export type { PublishedNote } from './published-note.js';

/** Every published note with its published revision, newest number first. */
export async function publishedNotes(db: Db, options: { limit?: number } = {}): Promise<PublishedNote[]> {
  const out: PublishedNote[] = [];
  for (const item of await listPublished(db, options)) {
    if (!item.publicId) continue;
    const note = await loadNote(db, { publicId: item.publicId });
    // Defence in depth: listPublished already filters through the anonymous reader's policy.
    if (!note || note.facts.embargoed || note.row.state !== 'published') continue;
    const record = await publishedRecord(db, note.row);
    if (!record) continue;
    out.push({ publicId: item.publicId, record, publishedAt: note.row.published_at ?? note.row.updated_at, imported: note.row.origin === 'import', answers: await publishedAnswers(db, note.row.id) });
  }
  return out;
}

/** The first paragraph of the Summary, for feed entries and index lines. */
export function summaryLine(record: NoteRecord): string {
  const text = (record.summary ?? '').split(/\n\s*\n/)[0] ?? '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 400 ? `${flat.slice(0, 397)}…` : flat;
}

/**
 * Atom 1.0 feed of published notes (RFC 4287), newest first. `emptySince` dates a feed with no
 * entries (the instance's creation), so an empty feed does not claim 1970.
 */
export function notesAtom(ctx: AppContext, notes: PublishedNote[], emptySince: string): string {
  const base = ctx.config.publicUrl;
  const updated = notes.reduce<string | undefined>((max, n) => (max === undefined || n.publishedAt > max ? n.publishedAt : max), undefined) ?? emptySince;
  const feed = new Feed({
    id: `${base}/feeds/notes.atom`,
    title: `${ctx.config.instanceName} security notes`,
    description: 'Security notes: risks to operators that no single code patch removes.',
    link: `${base}/notes`,
    updated: new Date(updated),
    generator: 'Cordon',
    feedLinks: { atom: `${base}/feeds/notes.atom` },
    copyright: '',
  });
  for (const n of notes) {
    feed.addItem({
      id: `${base}/notes/${n.publicId}`,
      link: `${base}/notes/${n.publicId}`,
      // The feed library writes titles and summaries as type="html": plain text must be escaped first.
      title: escapeHtml(`${n.publicId}: ${n.record.title}`),
      date: new Date(n.publishedAt),
      published: new Date(n.publishedAt),
      description: escapeHtml(summaryLine(n.record)),
      content: NoteSections({ record: n.record }).html,
    });
  }
  return feed.atom1();
}

/** The date of a notes feed with no notes yet: when the instance was created. */
export async function notesFeedEmptySince(db: Db): Promise<string> {
  return (await instanceCreatedAt(db as unknown as Kysely<unknown>)) ?? new Date(0).toISOString();
}

/** Files of the static site for published notes; paths are relative to the site root. */
export async function buildNoteSiteFiles(ctx: AppContext): Promise<{ path: string; content: string }[]> {
  const notes = await publishedNotes(ctx.storage.db);
  const files: { path: string; content: string }[] = [];
  for (const n of notes) {
    files.push({ path: `notes/${n.publicId}.html`, content: staticNotePage(ctx.config, n) });
    files.push({ path: `notes/${n.publicId}.txt`, content: exportOssnText(n.record) });
  }
  files.push({ path: 'notes/index.html', content: staticIndexPage(ctx.config, notes) });
  files.push({ path: 'feeds/notes.atom', content: notesAtom(ctx, notes, await notesFeedEmptySince(ctx.storage.db)) });
  return files;
}
