// The "latest security notes" section of the home page (src/web/home.tsx), beside the latest advisories:
// a newcomer who published a note sees it where they see the advisory (issue 15). Published notes only,
// through the anonymous reader's policy (listPublished).
import { h, Fragment, type SafeHtml } from '../web/jsx.js';
import type { Db } from '../storage/database.js';
import { listPublished, type NoteListItem } from './store.js';
import { Time } from '../web/components.js';

void Fragment;

export const HOME_LATEST_NOTES = 5;

export function latestNotes(db: Db, count = HOME_LATEST_NOTES): Promise<NoteListItem[]> {
  return listPublished(db, { limit: count });
}

export function LatestNotes({ notes }: { notes: NoteListItem[] }): SafeHtml {
  return (
    <section class="latest-notes">
      <h2>Latest security notes</h2>
      {notes.length ? (
        <table class="notes-index">
          <thead>
            <tr>
              <th>Note</th>
              <th>Title</th>
              <th>Published</th>
            </tr>
          </thead>
          <tbody>
            {notes.map((n) => (
              <tr>
                <td>
                  <a href={`/notes/${n.publicId ?? ''}`}>
                    <code>{n.publicId ?? ''}</code>
                  </a>
                </td>
                <td>{n.title}</td>
                <td>{n.origin === 'import' ? <span class="muted">imported</span> : <Time iso={n.publishedAt} day />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="empty">No security notes have been published yet.</p>
      )}
      <p>
        <a href="/notes">All security notes</a> · <a href="/feeds/notes.atom">Atom feed</a>
      </p>
    </section>
  );
}
