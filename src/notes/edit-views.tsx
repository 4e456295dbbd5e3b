// Writing a note (each save is a new revision) and reading its history with per-section diffs.
import type { SafeHtml } from '../web/jsx.js';
import { Button, CsrfField, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import type { SectionDiff } from './diff.js';
import type { RevisionRow } from './store.js';


export interface EditFormData {
  publicId: string;
  csrfToken: string;
  baseRevision: number;
  state: FormState;
  /** Headings of the extra sections (imported notes), in layout order; their texts are extra_0, extra_1… */
  extras: string[];
  warning: string | null;
}

export function EditForm({ data }: { data: EditFormData }): SafeHtml {
  const s = data.state;
  return (
    <>
      <ErrorSummary state={s} />
      {data.warning ? <p class="flash info">{data.warning}</p> : null}
      <form method="post" action={`/notes/${data.publicId}/edit`} class="card note-editor">
        <CsrfField token={data.csrfToken} />
        <input type="hidden" name="base_revision" value={String(data.baseRevision)} />
        <TextField name="title" label="Title" hint="One sentence; it is also the announcement's subject." required state={s} />
        <TextField name="summary" label="Summary" hint="Plain text. Blank lines separate paragraphs; lines starting with - are list items." multiline rows={6} state={s} />
        <TextField
          name="affected"
          label="Affected Services / Software"
          hint="Free text and/or one product per line as product: version-range, e.g. - nova: <25.1.2, >=26.0.0 <26.1.2"
          multiline
          rows={4}
          state={s}
        />
        <TextField name="discussion" label="Discussion" hint="Indent lines or fence them with ~~~ to keep them as written (commands, configuration)." multiline rows={12} state={s} />
        <TextField name="recommended_actions" label="Recommended Actions" multiline rows={8} state={s} />
        {data.extras.map((heading, n) => (
          <TextField name={`extra_${n}`} label={heading || 'Untitled section'} hint="An extra section kept from the imported note." multiline rows={5} state={s} />
        ))}
        <TextField name="credits" label="Credits" hint="Optional: who found or reported the issue, one per line." multiline rows={3} state={s} />
        <TextField name="contacts" label="Contacts / References" hint="Author, this note's URL, the original bug, the mailing list, CVE if any: one Label : value per line." multiline rows={7} state={s} />
        <TextField name="message" label="What changed" hint="A line for the revision history." state={s} />
        <div class="actions">
          <Button>Save as revision {String(data.baseRevision + 1)}</Button>
          <a href={`/notes/${data.publicId}`}>Cancel</a>
        </div>
      </form>
    </>
  );
}

export interface HistoryData {
  publicId: string;
  revisions: RevisionRow[];
  from: number;
  to: number;
  diff: SectionDiff[] | null;
}

function RevisionSelect({ name, label, revisions, selected }: { name: string; label: string; revisions: RevisionRow[]; selected: number }): SafeHtml {
  return (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name}>
        {revisions.map((r) => (
          <option value={String(r.revision)} selected={r.revision === selected}>
            Revision {r.revision}
          </option>
        ))}
      </select>
    </div>
  );
}

export function DiffView({ diff }: { diff: SectionDiff[] }): SafeHtml {
  const changed = diff.filter((d) => d.status !== 'unchanged');
  if (changed.length === 0) return <p class="empty">The two revisions are the same.</p>;
  return (
    <>
      {diff.map((d) =>
        d.status === 'unchanged' ? (
          <p class="muted diff-same">{d.heading}: unchanged</p>
        ) : (
          <section class="diff-section">
            <h3>
              {d.heading} <span class="muted">({d.status})</span>
            </h3>
            <pre class="diff">
              {d.lines.map((l) => (
                <span class={`diff-${l.op}`}>{`${l.op === 'add' ? '+ ' : l.op === 'del' ? '- ' : '  '}${l.text}\n`}</span>
              ))}
            </pre>
          </section>
        ),
      )}
    </>
  );
}

export function HistoryPage({ data }: { data: HistoryData }): SafeHtml {
  return (
    <>
      <p class="crumbs">
        <a href={`/notes/${data.publicId}`}>{data.publicId}</a> ›
      </p>
      <h1>History of {data.publicId}</h1>
      <table>
        <thead>
          <tr>
            <th>Revision</th>
            <th>Title</th>
            <th>By</th>
            <th>Saved</th>
            <th>What changed</th>
          </tr>
        </thead>
        <tbody>
          {data.revisions.map((r) => (
            <tr>
              <td>{String(r.revision)}</td>
              <td>{r.title}</td>
              <td>{r.author_label}</td>
              <td>
                <Time iso={r.created_at} />
              </td>
              <td>{r.message || <span class="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.revisions.length > 1 ? (
        <div class="card">
          <h2>Compare revisions</h2>
          <form method="get" action={`/notes/${data.publicId}/revisions`} class="inline-form compare-form">
            <RevisionSelect name="from" label="From" revisions={data.revisions} selected={data.from} />
            <RevisionSelect name="to" label="To" revisions={data.revisions} selected={data.to} />
            <Button kind="secondary">Show changes</Button>
          </form>
          {data.diff ? (
            <>
              <h3>
                Revision {String(data.from)} → revision {String(data.to)}
              </h3>
              <DiffView diff={data.diff} />
            </>
          ) : null}
        </div>
      ) : (
        <p class="muted">Only one revision so far.</p>
      )}
    </>
  );
}
