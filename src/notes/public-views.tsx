// The note page (the published note for everyone; for those who may see the work, the current draft with
// its review panel), the feedback box, and the public index.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, EmptyState, TextField, Time } from '../web/components.js';
import type { NoteRecord } from './formats/note-record.js';
import type { FeedbackView, PublishedAnswer } from './feedback.js';
import { NoteSections, PublishedAnswers, SectionText } from './note-html.js';
import type { NoteForActor, NoteListItem } from './store.js';
import { EmbargoBadge, NoteStateBadge, ReviewPanel, type ReviewPanelData } from './work-views.js';


export interface NotePageData {
  note: NoteForActor;
  csrfToken: string;
  /** What is shown: the published revision for readers, the current revision for those who see the work. */
  record: NoteRecord;
  shownRevision: number;
  review: ReviewPanelData | null;
  answers: PublishedAnswer[];
  feedback: FeedbackView[];
  mayAnswer: boolean;
  maySendFeedback: boolean;
  signedIn: boolean;
  reportLink: string | null;
  authorName: string | null;
}

function FeedbackItem({ item, csrfToken, publicId, mayAnswer }: { item: FeedbackView; csrfToken: string; publicId: string; mayAnswer: boolean }): SafeHtml {
  return (
    <div class="comment feedback">
      <header>
        {item.mine ? 'You' : item.authorLabel} · <Time iso={item.createdAt} />
      </header>
      <SectionText text={item.body} kind="feedback" />
      {item.answer ? (
        <div class="answer">
          <p class="muted">
            Answer by {item.answeredLabel ?? 'the authors'} · <Time iso={item.answeredAt} /> {item.published ? <Badge tone="ok">published with the note</Badge> : <Badge>private</Badge>}
          </p>
          <SectionText text={item.answer} kind="feedback" />
        </div>
      ) : null}
      {mayAnswer ? (
        <details>
          <summary>{item.answer ? 'Change the answer' : 'Answer'}</summary>
          <form method="post" action={`/notes/${publicId}/feedback/answer`} class="stack">
            <CsrfField token={csrfToken} />
            <input type="hidden" name="feedback" value={String(item.id)} />
            <TextField name="answer" label="Answer" multiline rows={4} value={item.answer ?? ''} />
            <div class="check">
              <input type="checkbox" id={`f-publish-${item.id}`} name="publish" value="on" checked={item.published} />
              <label for={`f-publish-${item.id}`}>Publish this answer with the note (the question is shown without its sender’s name)</label>
            </div>
            <Button kind="secondary">Save answer</Button>
          </form>
        </details>
      ) : null}
    </div>
  );
}

function FeedbackBox({ data }: { data: NotePageData }): SafeHtml {
  const publicId = data.note.row.public_id ?? '';
  if (data.note.row.state !== 'published') return <></>;
  return (
    <section class="card feedback-box" aria-labelledby="feedback-h">
      <h2 id="feedback-h">{data.mayAnswer ? 'Feedback from operators' : 'Feedback to the authors'}</h2>
      {data.feedback.length ? (
        data.feedback.map((f) => <FeedbackItem item={f} csrfToken={data.csrfToken} publicId={publicId} mayAnswer={data.mayAnswer} />)
      ) : data.mayAnswer ? (
        <p class="muted">No feedback yet.</p>
      ) : null}
      {data.maySendFeedback ? (
        <form method="post" action={`/notes/${publicId}/feedback`} class="stack">
          <CsrfField token={data.csrfToken} />
          <TextField name="body" label="Your feedback" hint="Goes to the note's author and security core. If they publish an answer, your question may be shown with it, without your name." multiline rows={4} />
          <Button kind="secondary">Send feedback</Button>
        </form>
      ) : !data.signedIn ? (
        <p class="muted">
          <a href={`/login?next=/notes/${publicId}`}>Sign in</a> to send feedback to the authors.
        </p>
      ) : null}
    </section>
  );
}

export function NotePage({ data }: { data: NotePageData }): SafeHtml {
  const { note, record } = data;
  const row = note.row;
  const publicId = row.public_id ?? '';
  const published = row.state === 'published';
  const showingDraft = !published || data.shownRevision !== row.published_revision;
  return (
    <>
      <p class="crumbs">
        <a href="/notes">Security notes</a> ›
      </p>
      <p class="eyebrow muted">
        <code>{publicId}</code>
      </p>
      <h1>{record.title}</h1>
      <div class="badges">
        <NoteStateBadge state={row.state} />
        <EmbargoBadge embargoed={note.facts.embargoed} />
        {published && row.origin !== 'import' ? <Badge>
            published <Time iso={row.published_at} day />
          </Badge> : null}
        {row.origin === 'import' ? <Badge>imported from the notes repository</Badge> : null}
      </div>
      <p class="note-links">
        {published ? <a href={`/notes/${publicId}.txt`}>Plain text</a> : <a href={`/notes/${publicId}.txt`}>Plain-text preview</a>}
        {data.review || (published && data.signedIn) ? <> · <a href={`/notes/${publicId}/revisions`}>History</a></> : null}
        {data.reportLink ? <> · <a href={data.reportLink}>Original report</a></> : null}
        {data.authorName ? <> · written by {data.authorName}</> : null}
        {published ? <> · <a href="/feeds/notes.atom">Atom feed</a></> : null}
      </p>
      {data.review ? <ReviewPanel data={data.review} /> : null}
      {showingDraft ? <p class="muted">Revision {String(data.shownRevision)}{published ? '' : ' (not published)'}:</p> : null}
      <article class="card note-body">
        <NoteSections record={record} />
      </article>
      <PublishedAnswers answers={data.answers} />
      <FeedbackBox data={data} />
    </>
  );
}

export function NotesIndex({ items, signedIn, mayFlag }: { items: NoteListItem[]; signedIn: boolean; mayFlag: boolean }): SafeHtml {
  return (
    <>
      <h1>Security notes</h1>
      <p class="lead">Warnings for operators about risks that no single code patch removes: insecure defaults, design issues, configuration and deployment advice.</p>
      <p class="actions">
        <a href="/feeds/notes.atom">Atom feed</a>
        {signedIn ? <a href="/notes/queue">Notes being written</a> : null}
        {mayFlag ? (
          <a class="btn secondary" href="/notes/flag">
            Flag that a note is wanted
          </a>
        ) : null}
      </p>
      {items.length === 0 ? (
        <EmptyState>No security notes are published yet.</EmptyState>
      ) : (
        <NotesTable items={items} />
      )}
    </>
  );
}

/** The published notes as a table (the notes index and the home page's latest notes). */
export function NotesTable({ items }: { items: NoteListItem[] }): SafeHtml {
  return (
    <table class="notes-index">
      <thead>
        <tr>
          <th>Note</th>
          <th>Title</th>
          <th>Published</th>
        </tr>
      </thead>
      <tbody>
        {items.map((n) => (
          <tr>
            <td>
              <a href={`/notes/${n.publicId ?? ''}`}>
                <code>{n.publicId ?? ''}</code>
              </a>
            </td>
            <td>
              <a href={`/notes/${n.publicId ?? ''}`}>{n.title}</a>
            </td>
            <td>{n.origin === 'import' ? <span class="muted">imported</span> : <Time iso={n.publishedAt} day />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
