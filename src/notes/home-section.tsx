// The "latest security notes" section of the home page (src/web/home.tsx), beside the latest advisories:
// a newcomer who published a note sees it where they see the advisory (issue 15). Published notes only,
// through the anonymous reader's policy (listPublished).
import type { SafeHtml } from '../web/jsx.js';
import type { Db } from '../storage/database.js';
import { listPublished, type NoteListItem } from './store.js';
import { NotesTable } from './public-views.js';


export const HOME_LATEST_NOTES = 5;

export function latestNotes(db: Db, count = HOME_LATEST_NOTES): Promise<NoteListItem[]> {
  return listPublished(db, { limit: count });
}

export function LatestNotes({ notes }: { notes: NoteListItem[] }): SafeHtml {
  return (
    <section class="latest-notes">
      <h2>Latest security notes</h2>
      {notes.length ? (
        <NotesTable items={notes} />
      ) : (
        <p class="empty">No security notes have been published yet.</p>
      )}
      <p>
        <a href="/notes">All security notes</a> · <a href="/feeds/notes.atom">Atom feed</a>
      </p>
    </section>
  );
}
