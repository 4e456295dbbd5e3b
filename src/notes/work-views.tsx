// Pages of note work: the queue of flags and drafts, the flag form and page, and the review panel.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, Checkbox, CsrfField, EmptyState, ErrorSummary, Select, TextField, Time, type FormState } from '../web/components.js';
import type { NoteState } from './tables.js';
import type { NoteListItem, NoteForActor, VoteView } from './store.js';
import type { ApprovalDecision } from './review-rule.js';
import { voteLabel, type PendingApproval } from './review.js';


type Tone = 'ok' | 'warn' | 'danger' | 'muted' | 'info';

const stateText: Record<NoteState, [string, Tone]> = {
  flagged: ['wanted', 'info'],
  draft: ['draft', 'muted'],
  in_review: ['in review', 'info'],
  awaiting_disclosure: ['approved, waiting for disclosure', 'warn'],
  published: ['published', 'ok'],
  dismissed: ['turned down', 'muted'],
};

export function NoteStateBadge({ state }: { state: NoteState }): SafeHtml {
  const [text, tone] = stateText[state];
  return <Badge tone={tone}>{text}</Badge>;
}

export function EmbargoBadge({ embargoed }: { embargoed: boolean }): SafeHtml {
  return embargoed ? <Badge tone="danger">embargoed · security core only</Badge> : <></>;
}

function itemLink(item: NoteListItem): string {
  return item.publicId ? `/notes/${item.publicId}` : `/notes/flags/${item.ref}`;
}

/** The queue: flags waiting for an author, drafts and notes in review (embargoed ones for security core only). */
export function NoteQueuePage({ items }: { items: NoteListItem[] }): SafeHtml {
  return (
    <>
      <h1>Notes being written</h1>
      <p class="lead">Flags waiting for an author, drafts, and notes in review. Embargoed notes are listed for security core only.</p>
      <p class="actions">
        <a class="btn secondary" href="/notes/flag">
          Flag that a note is wanted
        </a>
        <a href="/notes">Published notes</a>
      </p>
      <QueueTable items={items} />
    </>
  );
}

export function QueueTable({ items }: { items: NoteListItem[] }): SafeHtml {
  if (items.length === 0) return <EmptyState>Nothing is waiting. Flags appear here when a note is wanted.</EmptyState>;
  return (
    <table class="notes-queue">
      <thead>
        <tr>
          <th>Note</th>
          <th>State</th>
          <th>Author</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr>
            <td>
              <a href={itemLink(item)}>{item.title}</a>
              <div class="muted">
                {item.publicId ? <code>{item.publicId}</code> : <span>not claimed yet</span>} <EmbargoBadge embargoed={item.embargoed} />
              </div>
            </td>
            <td>
              <NoteStateBadge state={item.state} />
            </td>
            <td>{item.authorName ?? <span class="muted">—</span>}</td>
            <td>
              <Time iso={item.updatedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface FlagFormData {
  csrfToken: string;
  report: { ref: string; title: string | null; embargoed: boolean } | null;
  projects: { slug: string; name: string }[];
  state: FormState;
  selected: string[];
}

export function FlagForm({ data }: { data: FlagFormData }): SafeHtml {
  const { report, state } = data;
  return (
    <>
      <ErrorSummary state={state} />
      <form method="post" action="/notes/flag" class="stack card">
        <CsrfField token={data.csrfToken} />
        {report ? (
          <>
            <input type="hidden" name="report" value={report.ref} />
            <p>
              From report <a href={`/reports/${report.ref}`}>{report.ref}</a>
              {report.title ? <> — {report.title}</> : null}
            </p>
            {report.embargoed ? (
              <p class="flash info">
                The report is private, so the note is <strong>embargoed</strong>: only security core can see and write it, and it is published only
                after the report is disclosed.
              </p>
            ) : null}
          </>
        ) : (
          <p class="muted">For a public issue: anyone with an account can see the flag and claim it.</p>
        )}
        <TextField name="title" label="What should operators be warned about?" hint="One line; it becomes the note's working title." required state={state} />
        <TextField name="reason" label="Why a note is wanted" hint="The risk, who is affected, and what operators can do. Plain text." multiline rows={6} state={state} />
        <fieldset class={state.issues?.some((i) => i.field === 'projects') ? 'has-error' : undefined} id="f-projects">
          <legend>Concerned projects</legend>
          <p class="hint">A core reviewer of each must approve the note.</p>
          {state.issues
            ?.filter((i) => i.field === 'projects')
            .map((i) => (
              <p class="field-error">{i.message}</p>
            ))}
          <div class="project-choices">
            {data.projects.map((p) => (
              <Checkbox name="projects" value={p.slug} label={p.name} checked={data.selected.includes(p.slug)} />
            ))}
          </div>
        </fieldset>
        <div class="actions">
          <Button>Flag a note as wanted</Button>
          <a href="/notes/queue">Cancel</a>
        </div>
      </form>
    </>
  );
}

export interface FlagPageData {
  note: NoteForActor;
  csrfToken: string;
  flaggedBy: string | null;
  reportReadable: boolean;
  mayClaim: boolean;
  mayDismiss: boolean;
}

export function FlagPage({ data }: { data: FlagPageData }): SafeHtml {
  const { note } = data;
  const row = note.row;
  return (
    <>
      <p class="crumbs">
        <a href="/notes/queue">Note queue</a> ›
      </p>
      <h1>{row.flag_title}</h1>
      <div class="badges">
        <NoteStateBadge state={row.state} />
        <EmbargoBadge embargoed={note.facts.embargoed} />
      </div>
      <div class="card">
        <dl class="facts">
          <dt>Flagged</dt>
          <dd>
            <Time iso={row.flagged_at} /> {data.flaggedBy ? <>by {data.flaggedBy}</> : null}
          </dd>
          <dt>Projects</dt>
          <dd>{note.projects.map((p) => p.name).join(', ') || <span class="muted">none named</span>}</dd>
          {note.report && data.reportReadable ? (
            <>
              <dt>Report</dt>
              <dd>
                <a href={`/reports/${note.report.ref}`}>{note.report.ref}</a>
              </dd>
            </>
          ) : null}
          <dt>Why</dt>
          <dd class="pre">{row.flag_reason || <span class="muted">no reason given</span>}</dd>
          {row.state === 'dismissed' ? (
            <>
              <dt>Turned down</dt>
              <dd class="pre">{row.dismiss_reason ?? ''}</dd>
            </>
          ) : null}
        </dl>
      </div>
      {data.mayClaim ? (
        <form method="post" action={`/notes/flags/${row.ref}/claim`} class="card">
          <h2>Write this note</h2>
          <CsrfField token={data.csrfToken} />
          <p>Claiming assigns you as the author and gives the note its number. You then write it and submit it for review.</p>
          <Button>Claim and start writing</Button>
        </form>
      ) : null}
      {data.mayDismiss ? (
        <details>
          <summary>Turn this flag down</summary>
          <form method="post" action={`/notes/flags/${row.ref}/dismiss`} class="stack card">
            <CsrfField token={data.csrfToken} />
            <TextField name="reason" label="Why no note is needed" multiline rows={3} required />
            <Button kind="danger">Turn down</Button>
          </form>
        </details>
      ) : null}
    </>
  );
}

export interface ReviewPanelData {
  publicId: string;
  csrfToken: string;
  state: NoteState;
  currentRevision: number;
  decision: ApprovalDecision;
  /** Per missing part of the rule: who gives it and whether this viewer may. */
  pending: PendingApproval[];
  votes: VoteView[];
  mayAuthor: boolean;
  mayVote: boolean;
  embargoed: boolean;
}

const VOTE_OPTIONS: [string, string][] = [
  ['2', '+2  Looks good, approve (security core)'],
  ['1', '+1  Looks good to me'],
  ['0', '0  No score (comment only)'],
  ['-1', '−1  Needs changes'],
  ['-2', '−2  Do not publish (security core)'],
];

function VoteRow({ vote, current }: { vote: VoteView; current: number }): SafeHtml {
  const tone = vote.value >= 2 ? 'ok' : vote.value > 0 ? 'info' : vote.value <= -2 ? 'danger' : vote.value < 0 ? 'warn' : 'muted';
  const groups = [vote.groups.securityCore ? 'security core' : '', ...vote.groups.projectCoreOf.map((p) => `${p} core`)].filter(Boolean).join(', ');
  return (
    <li class={vote.revision === current ? 'vote' : 'vote stale'}>
      <Badge tone={tone}>{voteLabel(vote.value)}</Badge> <strong>{vote.voterName ?? ''}</strong> <span class="muted">{groups}</span>{' '}
      <span class="muted">
        on revision {vote.revision} · <Time iso={vote.castAt} />
      </span>
      {vote.comment ? <p class="pre">{vote.comment}</p> : null}
    </li>
  );
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

export function ReviewPanel({ data }: { data: ReviewPanelData }): SafeHtml {
  const { decision } = data;
  const reviewing = data.state === 'in_review' || data.state === 'awaiting_disclosure';
  const current = data.votes.filter((v) => v.revision === data.currentRevision);
  const older = data.votes.filter((v) => v.revision !== data.currentRevision);
  return (
    <section class="card review-panel" aria-labelledby="review-h">
      <h2 id="review-h">Review of revision {data.currentRevision}</h2>
      <p class="hint">Published with two +2 from two security core members and a +1 from a core reviewer of each concerned project (one person holding both roles counts for both); a −2 blocks. A new revision needs fresh votes.</p>
      {data.state === 'draft' ? <p class="muted">A draft: its author submits it for review when it is ready.</p> : null}
      {reviewing ? (
        decision.publishable ? (
          <p class="approval ok">
            <Badge tone="ok">approved</Badge> Every part of the rule is met.
          </p>
        ) : (
          <div class="approval missing">
            <p>
              <Badge tone="warn">not yet publishable</Badge> Still missing:
            </p>
            <ul>
              {decision.blockedBy.map((b) => (
                <li>{b.message}</li>
              ))}
              {data.pending.map((p) => (
                <li>
                  {p.message}
                  <p class="hint">Who approves: {p.whoCan}</p>
                  <p class="hint">{p.viewer.may ? <strong>You can: {lowerFirst(p.viewer.why)}</strong> : <>You cannot: {lowerFirst(p.viewer.why)}</>}</p>
                </li>
              ))}
            </ul>
          </div>
        )
      ) : null}
      {data.state === 'awaiting_disclosure' ? <p class="flash info">Approved and queued: it is published as soon as its report is disclosed.</p> : null}
      {current.length ? (
        <ul class="votes">
          {current.map((v) => (
            <VoteRow vote={v} current={data.currentRevision} />
          ))}
        </ul>
      ) : reviewing ? (
        <p class="muted">No votes on this revision yet.</p>
      ) : null}
      {older.length ? (
        <details>
          <summary>{older.length} vote(s) on earlier revisions (no longer counted)</summary>
          <ul class="votes">
            {older.map((v) => (
              <VoteRow vote={v} current={data.currentRevision} />
            ))}
          </ul>
        </details>
      ) : null}
      {reviewing && data.mayVote ? (
        <form method="post" action={`/notes/${data.publicId}/votes`} class="stack vote-form">
          <CsrfField token={data.csrfToken} />
          <input type="hidden" name="revision" value={String(data.currentRevision)} />
          <Select name="value" label={`Your vote on revision ${data.currentRevision}`} options={VOTE_OPTIONS} selected="0" />
          <TextField name="comment" label="Comment" hint="Required with a negative vote." multiline rows={3} />
          <Button kind="secondary">Cast vote</Button>
        </form>
      ) : null}
      {data.mayAuthor ? (
        <div class="actions">
          {data.state !== 'published' ? (
            <a class="btn secondary" href={`/notes/${data.publicId}/edit`}>
              Edit (new revision)
            </a>
          ) : null}
          {data.state === 'draft' ? (
            <form method="post" action={`/notes/${data.publicId}/submit`} class="inline">
              <CsrfField token={data.csrfToken} />
              <Button>Submit for review</Button>
            </form>
          ) : null}
          {data.state === 'in_review' && decision.publishable ? (
            <a class="btn primary" href={`/notes/${data.publicId}/publish`}>
              {data.embargoed ? 'Publish when the report is disclosed…' : 'Publish…'}
            </a>
          ) : null}
          {data.state === 'in_review' && !decision.publishable ? <span class="muted">Publishing opens once the review rule is met.</span> : null}
        </div>
      ) : null}
    </section>
  );
}
