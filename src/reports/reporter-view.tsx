// The reporter's own view of a report, reached through the private link (DESIGN.md §1: read and comment on
// own reports, see their status and embargo date, accept or decline credit). It shows only what everyone
// on the report may see: never VMT-only comments, files or timeline events.
import { raw, type SafeHtml } from '../web/jsx.js';
import { Badge, Button, Checkbox, CsrfField, EmptyState, ErrorSummary, TextField, TextWithTimes, Time, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { Config } from '../config/config.js';
import type { ReportRow, ReportState } from '../storage/tables.js';
import { daysLeft, describeRemaining } from '../calendar/calendar.js';
import { storedMarkdown } from '../text/markdown.js';
import { describeEvent, type TimelineEntry } from './timeline.js';
import type { LoadedReport } from './store.js';
import { describeBytes } from './intake-multipart.js';
import { ImpactApprovals, ImpactText } from './impact-card.js';
import type { ImpactPanel } from './impact-approval.js';


export const stateLabels: Record<ReportState, string> = {
  new: 'Received',
  incomplete: 'Awaiting confirmation',
  confirmed: 'Confirmed',
  triaged: 'Triaged',
  in_progress: 'Fix in progress',
  fix_committed: 'Fix ready, disclosure planned',
  public: 'Public',
  fix_released: 'Fixed and public',
  invalid: 'Closed: not a vulnerability',
  wont_fix: 'Closed: will not be fixed',
};

/** The badge: a new report the team has acknowledged says so. */
export function statusLabel(row: Pick<ReportRow, 'state' | 'acknowledged_at'>): string {
  return row.state === 'new' && row.acknowledged_at ? 'Acknowledged' : stateLabels[row.state];
}

const TRIAGED: ReadonlySet<ReportState> = new Set(['triaged', 'in_progress', 'fix_committed', 'public', 'fix_released']);

export type StepStatus = 'done' | 'current' | 'todo' | 'skipped';

export interface ProgressStep {
  label: string;
  status: StepStatus;
  at?: string | null;
  /** A day the step is planned for, shown in the label ("Embargo ends on 2026-04-06"). */
  on?: string | null;
}

/** The progress line: received → acknowledged → triaged → embargo ends → public. */
export function progressSteps(row: ReportRow): ProgressStep[] {
  const isPublic = row.visibility === 'public';
  const embargoAt = row.planned_disclosure_at ?? row.embargo_end_at;
  const steps: { label: string; done: boolean; at?: string | null; on?: string | null }[] = [
    { label: 'Received', done: true, at: row.received_at },
    { label: 'Acknowledged', done: row.acknowledged_at !== null, at: row.acknowledged_at },
    { label: 'Triaged', done: TRIAGED.has(row.state) },
    {
      label: isPublic ? 'Embargo over' : row.planned_disclosure_at ? 'Disclosure planned for' : 'Embargo ends on',
      done: isPublic,
      at: isPublic ? null : embargoAt,
      on: isPublic ? null : embargoAt,
    },
    { label: 'Public', done: isPublic, at: row.public_at },
  ];
  const lastDone = steps.map((s) => s.done).lastIndexOf(true);
  let currentGiven = false;
  return steps.map((s, i) => {
    let status: StepStatus;
    if (s.done) status = 'done';
    else if (i < lastDone) status = 'skipped';
    else if (!currentGiven) {
      status = 'current';
      currentGiven = true;
    } else status = 'todo';
    return { label: s.label, status, at: s.at ?? null, on: s.on ?? null };
  });
}

function ProgressLine({ row }: { row: ReportRow }): SafeHtml {
  return (
    <ol class="progress" aria-label="Progress of the report">
      {progressSteps(row).map((s) => (
        <li class={s.status} aria-current={s.status === 'current' ? 'step' : undefined}>
          <span class="step-label">
            {s.label}
            {s.on ? (
              <>
                {' '}
                <Time iso={s.on} day />
              </>
            ) : null}
          </span>
          {s.status === 'done' && s.at ? (
            <span class="step-at">
              <Time iso={s.at} />
            </span>
          ) : null}
          <span class="visually-hidden">{` (${s.status === 'todo' ? 'not yet' : s.status})`}</span>
        </li>
      ))}
    </ol>
  );
}

/** "90 days left", then the moment in UTC (with the viewer's own zone beside it when they chose one). */
function Moment({ at, now, timeZone, label }: { at: string; now: Date; timeZone: string; label: string }): SafeHtml {
  const remaining = describeRemaining(now, new Date(at));
  return (
    <>
      <p class="embargo-end">{remaining.charAt(0).toUpperCase() + remaining.slice(1)}</p>
      <p>
        {label} <Time iso={at} zone={timeZone} />
      </p>
    </>
  );
}

function Markdown({ text, html }: { text: string; html?: string | null }): SafeHtml {
  if (!text.trim()) return <span class="muted">—</span>;
  return <div class="markdown">{raw(storedMarkdown(html, text))}</div>;
}

export interface ReporterComment {
  id: number;
  author_label: string;
  body: string;
  body_html?: string | null;
  created_at: string;
}

export interface ReporterAttachment {
  id: number;
  filename: string;
  size: number;
  sha256: string;
  uploaded_label: string;
  created_at: string;
}

export interface ReporterViewProps {
  ctx: PageContext;
  config: Config;
  token: string;
  report: LoadedReport;
  timeline: TimelineEntry[];
  comments: ReporterComment[];
  attachments: ReporterAttachment[];
  pgpFingerprint: string | null;
  now: Date;
  commentState?: FormState;
  creditState?: FormState;
  fileState?: FormState;
  /** The impact description and its approvals, as the holder of the link may see and give them. */
  impact: ImpactPanel;
}

export function ReporterView(p: ReporterViewProps): SafeHtml {
  const { ctx, report, token, now } = p;
  const row = report.row;
  const base = `/r/${token}`;
  const user = ctx.actor.kind === 'user' ? ctx.actor : null;
  const closed = row.state === 'invalid' || row.state === 'wont_fix';
  const closeReason = [...p.timeline].reverse().find((e) => e.kind === 'state_changed' && e.data.to === row.state);
  const creditValues = p.creditState?.values ?? { credit_name: row.credit_name, credit_affiliation: row.credit_affiliation, stay_anonymous: row.credit_wanted ? '' : 'on' };
  const creditState: FormState = { values: creditValues, issues: p.creditState?.issues ?? [] };
  return (
    <>
      <p class="muted eyebrow">
        Your report <code>{row.ref}</code>
      </p>
      <h1>{row.title}</h1>
      <p class="lead">
        <Badge tone={closed ? 'muted' : row.visibility === 'public' ? 'ok' : 'warn'}>{statusLabel(row)}</Badge>{' '}
        {row.visibility === 'public' ? 'This report is public.' : 'Private: only the vulnerability management team and the people it brings in can read it.'}
      </p>
      <div class="card private-link">
        <p>
          This page is your <strong>private link</strong>: anyone who has it can read this report and write on it. Keep it to yourself.
        </p>
        {user ? (
          row.reporter_user_id === user.userId ? (
            <p>
              This report is linked to your account: you also find it at <a href={`/reports/${row.ref}`}>/reports/{row.ref}</a>.
            </p>
          ) : row.reporter_user_id === null ? (
            <form method="post" action={`${base}/claim`} class="inline-form">
              <CsrfField token={ctx.csrfToken} />
              <span>Signed in as {user.displayName}. </span>
              <Button kind="secondary">Link this report to my account</Button>
            </form>
          ) : null
        ) : row.reporter_user_id === null ? (
          <p class="hint">
            Have an account? <a href={`/login?next=${encodeURIComponent(base)}`}>Sign in</a> to link this report to it.
          </p>
        ) : null}
      </div>

      <section class="card" aria-labelledby="r-status">
        <h2 id="r-status">Status</h2>
        {closed ? (
          <p class="closed-state">
            <strong>{stateLabels[row.state]}.</strong> {typeof closeReason?.data.reason === 'string' && closeReason.data.reason ? `Reason: ${closeReason.data.reason}` : null}
            {row.duplicate_of_id !== null ? ' It duplicates an earlier report.' : null}
          </p>
        ) : (
          <ProgressLine row={row} />
        )}
        {closed ? null : row.acknowledged_at ? (
          <p>
            The vulnerability management team acknowledged your report on <Time iso={row.acknowledged_at} />
          </p>
        ) : (
          <p>
            Waiting for the team to acknowledge your report, at the latest on <Time iso={row.ack_deadline_at} />
          </p>
        )}
        {report.cves.length ? (
          <p>
            CVE: <strong>{report.cves.join(', ')}</strong>
          </p>
        ) : null}
      </section>

      {row.visibility === 'private' ? (
        <section class={`card embargo${daysLeft(now, row.embargo_end_at) <= 7 ? ' soon' : ''}`} aria-labelledby="r-embargo">
          <h2 id="r-embargo">Embargo</h2>
          <Moment at={row.embargo_end_at} now={now} timeZone={user?.timeZone ?? 'UTC'} label="Ends" />
          {row.planned_disclosure_at ? (
            <p>
              Disclosure planned for <Time iso={row.planned_disclosure_at} zone={user?.timeZone ?? 'UTC'} />
            </p>
          ) : null}
          <p class="muted">
            Until then the report stays private; it opens at the latest at its end.
            {row.disclosure_terms.trim() ? ' Your own disclosure terms (below) win over ours: tell the team if they change.' : null}
          </p>
        </section>
      ) : (
        <div class="card embargo public">
          <strong>Public</strong> — embargo ended on <Time iso={row.public_at} />.
        </div>
      )}

      {p.impact.text ? (
        <section class="card" aria-labelledby="r-impact">
          <h2 id="r-impact">Impact description</h2>
          <p>The team wrote this description of the vulnerability for the advisory. Please check that it is right: it is published as it stands once the embargo ends.</p>
          <ImpactText panel={p.impact} />
          <ImpactApprovals panel={p.impact} base={`${base}/impact`} csrf={ctx.csrfToken} />
        </section>
      ) : null}

      <section class="card" aria-labelledby="r-report">
        <h2 id="r-report">What you reported</h2>
        <dl class="facts">
          <dt>Projects</dt>
          <dd>{report.projects.map((pr) => pr.name).join(', ') || <span class="muted">—</span>}</dd>
          <dt>Received</dt>
          <dd>
            <Time iso={row.received_at} />
          </dd>
          <dt>Affected versions</dt>
          <dd class="pre">{row.affected_versions || <span class="muted">—</span>}</dd>
          <dt>Already public</dt>
          <dd>{row.already_public ? 'Yes' : 'No'}</dd>
          <dt>Exploited</dt>
          <dd>{row.exploited ? 'Yes' : 'No'}</dd>
          <dt>Your disclosure terms</dt>
          <dd class="pre">{row.disclosure_terms || <span class="muted">none given</span>}</dd>
          <dt>Contact</dt>
          <dd>{row.reporter_email}</dd>
          <dt>OpenPGP key</dt>
          <dd>{p.pgpFingerprint ? <code class="fingerprint">{p.pgpFingerprint}</code> : <span class="muted">none given</span>}</dd>
        </dl>
        <h3>Description</h3>
        <Markdown text={row.description} html={row.description_html} />
        <h3>How to reproduce</h3>
        <Markdown text={row.reproduction} html={row.reproduction_html} />
      </section>

      <section class="card" aria-labelledby="r-files">
        <h2 id="r-files">Files</h2>
        {p.attachments.length ? (
          <ul class="files">
            {p.attachments.map((a) => (
              <li>
                <a href={`${base}/attachments/${a.id}`} download={a.filename}>
                  {a.filename}
                </a>{' '}
                <span class="muted">
                  {describeBytes(a.size)} · from {a.uploaded_label} · <Time iso={a.created_at} />
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState>No files yet.</EmptyState>
        )}
        <ErrorSummary state={p.fileState} />
        <form method="post" action={`${base}/attachments`} enctype="multipart/form-data" class="stack">
          <CsrfField token={ctx.csrfToken} />
          <div class={`field${p.fileState?.issues?.length ? ' has-error' : ''}`}>
            <label for="f-attachments">Add files</label>
            <p class="hint" id="f-attachments-hint">
              At most {p.config.maxAttachments} files of up to {describeBytes(p.config.maxAttachmentBytes)} each. Everyone working on the report sees them.
            </p>
            <input id="f-attachments" name="attachments" type="file" multiple required aria-describedby="f-attachments-hint" />
          </div>
          <div class="actions">
            <Button kind="secondary">Upload</Button>
          </div>
        </form>
      </section>

      <section class="card" aria-labelledby="comments">
        <h2 id="comments">Conversation</h2>
        {p.comments.length ? (
          p.comments.map((c) => (
            <article class="comment" id={`comment-${c.id}`}>
              <header>
                <strong>{c.author_label}</strong> · <Time iso={c.created_at} />
              </header>
              <Markdown text={c.body} html={c.body_html} />
            </article>
          ))
        ) : (
          <EmptyState>No comments yet. The team writes here when it has questions or news.</EmptyState>
        )}
        <ErrorSummary state={p.commentState} />
        <form method="post" action={`${base}/comments`} class="stack">
          <CsrfField token={ctx.csrfToken} />
          <TextField name="body" label="Add a comment" hint="Markdown is supported. The team is told; the comment stays private like the report." multiline rows={5} required state={p.commentState} />
          <div class="actions">
            <Button>Send comment</Button>
          </div>
        </form>
      </section>

      <section class="card" aria-labelledby="r-credit">
        <h2 id="r-credit">Credit</h2>
        <p>
          {row.credit_wanted ? (
            <>
              Advisories will credit <strong>{row.credit_name || '(no name given)'}</strong>
              {row.credit_affiliation ? <> ({row.credit_affiliation})</> : null}.
            </>
          ) : (
            'You chose to stay anonymous: you will not be credited.'
          )}
        </p>
        <ErrorSummary state={p.creditState} />
        <form method="post" action={`${base}/credit`} class="stack">
          <CsrfField token={ctx.csrfToken} />
          <div class="grid">
            <TextField name="credit_name" label="Name to credit" state={creditState} />
            <TextField name="credit_affiliation" label="Affiliation" state={creditState} />
          </div>
          <Checkbox name="stay_anonymous" label="Stay anonymous: do not credit me" checked={creditValues.stay_anonymous === 'on'} />
          <div class="actions">
            <Button kind="secondary">Save credit preference</Button>
          </div>
        </form>
      </section>

      <section class="card" aria-labelledby="r-history">
        <h2 id="r-history">History</h2>
        {p.timeline.length ? (
          <ol class="timeline">
            {p.timeline.map((e) => (
              <li>
                <Time iso={e.at} /> <strong>{e.actor}</strong> — <TextWithTimes text={describeEvent(e)} />
              </li>
            ))}
          </ol>
        ) : (
          <EmptyState>Nothing yet.</EmptyState>
        )}
      </section>
    </>
  );
}
