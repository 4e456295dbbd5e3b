// The report page for everyone who may read a private report (team, subscribers, signed-in reporter) and
// for anyone once it is public. What is shown follows the viewer's access; VMT-only parts only for the VMT.
import { h, Fragment, raw, type SafeHtml } from '../web/jsx.js';
import type { PageContext } from '../web/layout.js';
import { Badge, Button, Countdown, CsrfField, Select, TextField, Time } from '../web/components.js';
import { canComment, canContribute, canManage, canSeeVmtOnly } from '../access/report-policy.js';
import { renderMarkdown } from '../text/markdown.js';
import { daysLeft, formatEmbargoEnd } from '../embargo/calendar.js';
import type { ReportForActor } from './access.js';
import type { TimelineEntry } from './timeline.js';
import { describeEvent } from './timeline.js';
import { displayTitle, type CommentView, type presentSubscriptions } from './present.js';
import { classOutcome, reportClasses, transitions } from './triage.js';
import { ExtentCard } from './extent-card.js';
import { DisclosureCard, type DisclosureSummary } from '../disclosure/summary.js';
import { ImpactApprovals, ImpactEditor, ImpactText } from './impact-card.js';
import { storedImpactFields, type ImpactPanel } from './impact-approval.js';

void Fragment;

export interface ReportPageData {
  report: ReportForActor;
  timeline: TimelineEntry[];
  comments: CommentView[];
  attachments: { id: number; filename: string; size: number; visibility: string; uploaded_label: string; created_at: string; published_at: string | null }[];
  /** Who takes part, as this viewer may see it (presentSubscriptions). */
  subscriptions: ReturnType<typeof presentSubscriptions>;
  approvals: { reporter: boolean; lead: boolean };
  /** The impact approvals with who may give each and whether this viewer may (issue 15 item 5). */
  impact: ImpactPanel;
  coordinatorName: string | null;
  /** The disclosure plan with its pre-notice recipients: VMT only, null otherwise or when none. */
  disclosure: DisclosureSummary | null;
  now: Date;
  viewerZone: string;
}

const stateTone = (s: string) => (s === 'public' || s === 'fix_released' ? 'ok' : s === 'invalid' || s === 'wont_fix' ? 'muted' : s === 'new' ? 'warn' : 'info');

function ActionForm(props: { ctx: PageContext; action: string; children?: unknown; inline?: boolean }): SafeHtml {
  return (
    <form method="post" action={props.action} class={props.inline ? 'inline' : 'stack'}>
      <CsrfField token={props.ctx.csrfToken} />
      {props.children}
    </form>
  );
}

function EmbargoBox({ ctx, d }: { ctx: PageContext; d: ReportPageData }): SafeHtml {
  const r = d.report.row;
  const base = `/reports/${r.ref}`;
  const manage = canManage(d.report.access);
  if (r.visibility === 'public') {
    return (
      <div class="card embargo public">
        <strong>Public</strong> — embargo ended on <Time iso={r.public_at} />
      </div>
    );
  }
  const left = daysLeft(d.now, r.embargo_end_at);
  return (
    <div class={`card embargo ${left <= 7 ? 'soon' : ''}`}>
      <h2>Embargo</h2>
      <p class="embargo-end">
        {left >= 0 ? `${left} day${left === 1 ? '' : 's'} left` : 'Past its end'} — ends <Time iso={r.embargo_end_at} />
      </p>
      {d.viewerZone !== 'UTC' ? <p class="muted">{formatEmbargoEnd(r.embargo_end_at, d.now, d.viewerZone)}</p> : null}
      <p class="muted">
        {left >= 0 ? '' : 'It opens at the next run of the embargo clock. '}The report opens automatically at the hard end unless the VMT extends the embargo.
        {r.planned_disclosure_at ? (
          <>
            {' '}
            Planned disclosure: <Time iso={r.planned_disclosure_at} /> (in <Countdown to={r.planned_disclosure_at} now={d.now} />).
          </>
        ) : null}
      </p>
      {manage ? (
        <details>
          <summary>Change the embargo</summary>
          <div class="grid">
            {d.disclosure?.state === 'scheduled' ? (
              <p>
                The pre-notice is out: move or cancel the disclosure on the <a href={`${base}/disclosure`}>disclosure page</a>, which tells the stakeholders.
              </p>
            ) : (
              <ActionForm ctx={ctx} action={`${base}/disclosure/plan`}>
                <TextField name="planned_at" label="Planned disclosure (UTC)" hint={`YYYY-MM-DD, optionally THH:MM; default hour from settings. Empty clears it.`} />
                <Button kind="secondary">Plan disclosure</Button>
              </ActionForm>
            )}
            <ActionForm ctx={ctx} action={`${base}/embargo/extend`}>
              <TextField name="end" label="New hard end (UTC)" hint="Only for unusual circumstances; the reporter is told." />
              <TextField name="reason" label="Reason" required />
              <Button kind="secondary">Extend embargo</Button>
            </ActionForm>
            <p>
              <a class="btn danger" href={`${base}/embargo/end`}>
                End the embargo now…
              </a>
            </p>
          </div>
        </details>
      ) : null}
    </div>
  );
}

function TeamPanel({ ctx, d }: { ctx: PageContext; d: ReportPageData }): SafeHtml {
  const r = d.report.row;
  const base = `/reports/${r.ref}`;
  const next = transitions[r.state];
  return (
    <div class="card team-panel">
      <h2>Triage</h2>
      <dl class="facts">
        <dt>Coordinator</dt>
        <dd>{d.coordinatorName ?? <span class="muted">nobody yet</span>}</dd>
        <dt>Acknowledged</dt>
        <dd>
          {r.acknowledged_at ? <Time iso={r.acknowledged_at} /> : <>No — deadline <Time iso={r.ack_deadline_at} /> {r.escalated_at ? <Badge tone="danger">escalated</Badge> : null}</>}
        </dd>
        <dt>Class</dt>
        <dd>{r.class ? `${r.class}: ${classOutcome[r.class].meaning} → ${classOutcome[r.class].outcome}` : <span class="muted">not classified</span>}</dd>
        <dt>Reporter</dt>
        <dd>
          {r.reporter_email} {r.reporter_pgp_key ? <Badge tone="ok">OpenPGP key</Badge> : null}
        </dd>
      </dl>
      <div class="actions">
        {!r.acknowledged_at ? (
          <ActionForm ctx={ctx} action={`${base}/acknowledge`} inline>
            <Button>Acknowledge</Button>
          </ActionForm>
        ) : null}
        {r.visibility === 'private' ? (
          <a class="btn secondary" href={`${base}/make-public`}>
            Make public…
          </a>
        ) : null}
      </div>
      <div class="grid">
        {next.length ? (
          <ActionForm ctx={ctx} action={`${base}/state`}>
            <Select name="state" label="State" options={next.map((s) => [s, s.replace('_', ' ')])} />
            <TextField name="reason" label="Reason (shown to the reporter)" />
            <Button kind="secondary">Change state</Button>
          </ActionForm>
        ) : null}
        <ActionForm ctx={ctx} action={`${base}/class`}>
          <Select name="class" label="Class" options={reportClasses.map((c) => [c, `${c} — ${classOutcome[c].outcome}`])} selected={r.class ?? undefined} />
          <Button kind="secondary">Classify</Button>
        </ActionForm>
        <ActionForm ctx={ctx} action={`${base}/coordinator`}>
          <TextField name="username" label="Coordinator (VMT username)" />
          <Button kind="secondary">Assign</Button>
        </ActionForm>
        <ActionForm ctx={ctx} action={`${base}/duplicate`}>
          <TextField name="of" label="Duplicate of (report ref)" hint="R-XXXXXXXX; closes this report." />
          <Button kind="secondary">Mark duplicate</Button>
        </ActionForm>
        {d.report.projects.length ? (
          <ActionForm ctx={ctx} action={`${base}/redirect`}>
            <Select name="from" label="Move from project" options={d.report.projects.map((p) => [p.slug, p.name])} />
            <TextField name="to" label="to project (slug)" />
            <Button kind="secondary">Move</Button>
          </ActionForm>
        ) : null}
      </div>
      {r.class === 'D' || r.class === 'E' ? (
        <details>
          <summary>Publish a scrubbed public version (not a vulnerability)</summary>
          <ActionForm ctx={ctx} action={`${base}/publish-issue`}>
            <TextField name="summary" label="Public summary" hint="Markdown. Only this and the comments you tick are published; the report stays private." multiline rows={5} required />
            {d.comments.filter((c) => c.visibility === 'everyone').map((c) => (
              <div class="check">
                <input type="checkbox" id={`pub-${c.id}`} name="comments" value={String(c.id)} />
                <label for={`pub-${c.id}`}>
                  Publish the comment by {c.author} ({c.body.slice(0, 60)}
                  {c.body.length > 60 ? '…' : ''})
                </label>
              </div>
            ))}
            <Button kind="secondary">Publish public issue</Button>
          </ActionForm>
        </details>
      ) : null}
    </div>
  );
}

export function ReportPage({ ctx, d }: { ctx: PageContext; d: ReportPageData }): SafeHtml {
  const { report } = d;
  const r = report.row;
  const base = `/reports/${r.ref}`;
  const team = canSeeVmtOnly(report.access);
  const manage = canManage(report.access);
  return (
    <>
      <p class="muted crumbs">
        <a href="/reports">Reports</a> / {r.ref}
      </p>
      <h1>{displayTitle(report)}</h1>
      <p class="badges">
        {r.visibility === 'private' ? <Badge tone="danger">private · embargoed</Badge> : <Badge tone="ok">public</Badge>} {r.state !== 'public' ? <Badge tone={stateTone(r.state)}>{r.state.replace('_', ' ')}</Badge> : null}{' '}
        {team && r.class ? <Badge tone="info">class {r.class}</Badge> : null} {report.projects.map((p) => <><Badge>{p.name}</Badge> </>)}
        {report.access === 'subscriber_readonly' ? <Badge tone="muted">read-only</Badge> : null}
      </p>
      <nav class="report-links" aria-label="Report sections">
        <a href={`${base}/patches`}>Patches</a>
        {manage && r.class === 'A' ? <a href={`/advisories/new?report=${r.ref}`}>Draft the advisory</a> : null}
        {manage ? <a href={`${base}/disclosure`}>Disclosure / pre-notice</a> : null}
        {(manage && r.class && ['B1', 'B2', 'B3', 'C1', 'C2', 'D'].includes(r.class)) || (r.visibility === 'public' && ctx.actor.kind === 'user') ? (
          <a href={`/notes/flag?report=${r.ref}`}>Flag a security note</a>
        ) : null}
      </nav>
      <EmbargoBox ctx={ctx} d={d} />
      {d.disclosure ? <DisclosureCard reportRef={r.ref} summary={d.disclosure} now={d.now} /> : null}
      {manage ? <TeamPanel ctx={ctx} d={d} /> : null}
      <div class="card">
        <h2>Report</h2>
        <div class="markdown">{raw(renderMarkdown(r.description))}</div>
        <dl class="facts">
          <dt>Received</dt>
          <dd>
            <Time iso={r.received_at} />
          </dd>
          {r.affected_versions ? (
            <>
              <dt>Affected versions</dt>
              <dd>{r.affected_versions}</dd>
            </>
          ) : null}
          {r.reproduction ? (
            <>
              <dt>How to reproduce</dt>
              <dd class="markdown">{raw(renderMarkdown(r.reproduction))}</dd>
            </>
          ) : null}
          <dt>Already public / exploited</dt>
          <dd>
            {r.already_public ? 'public' : 'not public'} / {r.exploited ? 'exploited' : 'not known to be exploited'}
          </dd>
          {r.disclosure_terms ? (
            <>
              <dt>Reporter’s disclosure terms</dt>
              <dd>{r.disclosure_terms}</dd>
            </>
          ) : null}
          <dt>Credit</dt>
          <dd>{r.credit_wanted ? `${r.credit_name}${r.credit_affiliation ? ` (${r.credit_affiliation})` : ''}` : 'anonymous'}</dd>
        </dl>
      </div>
      <div class="card">
        <h2>Impact and CVE</h2>
        {r.impact_text ? (
          <>
            <ImpactText panel={d.impact} />
            <ImpactApprovals panel={d.impact} base={`${base}/impact`} csrf={ctx.csrfToken} />
          </>
        ) : (
          <p class="muted">No impact description yet.</p>
        )}
        <p>
          CVE: {report.cves.length ? report.cves.join(', ') : r.cve_requested_at ? <>requested <Time iso={r.cve_requested_at} /></> : <span class="muted">none</span>}
        </p>
        {manage ? (
          <details>
            <summary>Draft impact, request or assign a CVE</summary>
            <ImpactEditor action={`${base}/impact`} csrf={ctx.csrfToken} saved={storedImpactFields(r.impact_fields)} defaults={{ reporter: r.credit_wanted ? r.credit_name : '', project: report.projects[0]?.name ?? '' }} />
            <div class="actions">
              {!r.cve_requested_at ? (
                <ActionForm ctx={ctx} action={`${base}/cve/request`} inline>
                  <Button kind="secondary">Mark CVE requested</Button>
                </ActionForm>
              ) : null}
            </div>
            <ActionForm ctx={ctx} action={`${base}/cve`}>
              <TextField name="cve" label="Assigned CVE id" hint="CVE-YYYY-NNNN" />
              <Button kind="secondary">Add CVE</Button>
            </ActionForm>
          </details>
        ) : null}
      </div>
      <ExtentCard ctx={ctx} report={report} subscriptions={d.subscriptions} />
      <div class="card">
        <h2>Attachments</h2>
        {d.attachments.length ? (
          <ul class="files">
            {d.attachments.map((a) => (
              <li>
                <a href={`${base}/attachments/${a.id}`} download>
                  {a.filename}
                </a>{' '}
                <span class="muted">
                  {a.size} bytes · {a.uploaded_label}
                </span>{' '}
                {a.visibility === 'vmt' ? <Badge tone="warn">VMT only</Badge> : null}
                {team && a.visibility === 'everyone' ? a.published_at ? <Badge tone="ok">public</Badge> : <Badge tone="muted">not public</Badge> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">None.</p>
        )}
        {manage && r.visibility === 'public' && d.attachments.some((a) => a.visibility === 'everyone' && !a.published_at) ? (
          <p>
            <a href={`${base}/publish-files`}>Publish files…</a> <span class="muted">Files stay with the people on the report unless you publish them.</span>
          </p>
        ) : null}
        {canContribute(report.access) ? (
          <form method="post" action={`${base}/attachments?_csrf=${encodeURIComponent(ctx.csrfToken)}`} enctype="multipart/form-data" class="stack" id="attachments">
            <div class="field">
              <label for="f-attachments">Attach files</label>
              <input id="f-attachments" type="file" name="attachments" multiple />
            </div>
            {team ? <Select name="visibility" label="Visible to" options={[['everyone', 'everyone on the report'], ['vmt', 'VMT only']]} /> : null}
            <Button kind="secondary">Upload</Button>
          </form>
        ) : null}
      </div>
      <div class="card">
        <h2>Discussion</h2>
        {d.comments.length ? (
          d.comments.map((c) => (
            <article class={`comment ${c.visibility === 'vmt' ? 'vmt-only' : ''}`}>
              <header>
                <strong>{c.author}</strong> · <Time iso={c.created_at} /> {c.visibility === 'vmt' ? <Badge tone="warn">VMT only</Badge> : null}
              </header>
              <div class="markdown">{raw(renderMarkdown(c.body))}</div>
            </article>
          ))
        ) : (
          <p class="muted">No comments yet.</p>
        )}
        {canComment(report.access) ? (
          <ActionForm ctx={ctx} action={`${base}/comments`}>
            <TextField name="body" label="Add a comment" hint="Markdown." multiline rows={4} required />
            {team ? <Select name="visibility" label="Visible to" options={[['everyone', 'everyone on the report (reporter included)'], ['vmt', 'VMT only']]} /> : null}
            <Button>Comment</Button>
          </ActionForm>
        ) : null}
      </div>
      <div class="card">
        <h2>Timeline</h2>
        <ol class="timeline">
          {d.timeline.map((e) => (
            <li class={e.visibility === 'vmt' ? 'vmt-only' : undefined}>
              <Time iso={e.at} /> <strong>{e.actor}</strong> — {describeEvent(e)} {e.visibility === 'vmt' ? <Badge tone="warn">VMT only</Badge> : null}
            </li>
          ))}
        </ol>
      </div>
    </>
  );
}
