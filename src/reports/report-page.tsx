// The report page for everyone who may read a private report (team, subscribers, signed-in reporter) and
// for anyone once it is public. What is shown follows the viewer's access; VMT-only parts only for the VMT.
import { raw, type SafeHtml } from '../web/jsx.js';
import type { PageContext } from '../web/layout.js';
import { Badge, Button, Countdown, CsrfField, Select, TextField, TextWithTimes, Time } from '../web/components.js';
import { canComment, canContribute, canManage, canSeeVmtOnly } from '../access/report-policy.js';
import { storedMarkdown } from '../text/markdown.js';
import { daysLeft } from '../calendar/calendar.js';
import { describeEvent } from './timeline.js';
import { displayTitle } from './present.js';
import { ExtentCard } from './extent-card.js';
import { ActionForm, WorkPanel } from './report-actions.js';
import { DeliveryProblems } from '../mail/delivery-problems.js';
import { ImpactApprovals, ImpactEditor, ImpactText } from './impact-card.js';
import { storedImpactFields } from './impact-approval.js';
import type { ReportPageData } from './report-page-data.js';

export type { ReportPageData } from './report-page-data.js';


const stateTone = (s: string) => (s === 'public' || s === 'fix_released' ? 'ok' : s === 'invalid' || s === 'wont_fix' ? 'muted' : s === 'new' ? 'warn' : 'info');

function EmbargoBox({ d }: { d: ReportPageData }): SafeHtml {
  const r = d.report.row;
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
        {left >= 0 ? `${left} day${left === 1 ? '' : 's'} left` : 'Past its end'} — ends <Time iso={r.embargo_end_at} zone={d.viewerZone} />
      </p>
      <p class="muted">
        {left >= 0 ? '' : 'It opens at the next run of the embargo clock. '}The report opens automatically at the hard end unless the VMT extends the embargo.
        {r.planned_disclosure_at ? (
          <>
            {' '}
            Planned disclosure: <Time iso={r.planned_disclosure_at} /> (in <Countdown to={r.planned_disclosure_at} now={d.now} />).
          </>
        ) : null}
      </p>
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
      <EmbargoBox d={d} />
      {d.disclosure ? d.disclosure.card(r.ref, d.now) : null}
      {/* Problems that need the team now (a dead mail job, an approval waiting) go here, above the actions. */}
      <DeliveryProblems problems={d.mailProblems} csrfToken={ctx.csrfToken} back={base} />
      {manage ? <WorkPanel ctx={ctx} d={d} /> : null}
      <div class="card">
        <h2>Report</h2>
        <div class="markdown">{raw(storedMarkdown(r.description_html, r.description))}</div>
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
              <dd class="markdown">{raw(storedMarkdown(r.reproduction_html, r.reproduction))}</dd>
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
      <div class="card" id="impact">
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
      {/* The team manages who can see the report in the Access group of its actions. */}
      {manage ? null : <ExtentCard ctx={ctx} report={report} subscriptions={d.subscriptions} />}
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
          <form method="post" action={`${base}/attachments`} enctype="multipart/form-data" class="stack" id="attachments">
            <CsrfField token={ctx.csrfToken} />
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
              <div class="markdown">{raw(storedMarkdown(c.bodyHtml, c.body))}</div>
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
              <Time iso={e.at} /> <strong>{e.actor}</strong> — <TextWithTimes text={describeEvent(e)} /> {e.visibility === 'vmt' ? <Badge tone="warn">VMT only</Badge> : null}
            </li>
          ))}
        </ol>
      </div>
    </>
  );
}
