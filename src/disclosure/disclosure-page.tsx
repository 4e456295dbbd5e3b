// The pages of the embargoed-disclosure area: a report's disclosure page (the plan, its recipients and
// steps, or the proposal and the pre-notice form), the VMT's upcoming disclosures, and the public
// acknowledgement page of a pre-notice link. The routes load the data and render these (routes.tsx).
import type { SafeHtml } from '../web/jsx.js';
import type { PageContext } from '../web/layout.js';
import { Badge, Button, Countdown, CsrfField, EmptyState, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import type { FieldIssue } from '../errors/catalogue.js';
import type { ReportForActor } from '../reports/load-for-actor.js';
import { describeRemaining } from '../calendar/calendar.js';
import { TEAM_KEY_PAGE } from '../keys/team-keys.js';
import type { TeamKeyRow } from '../keys/tables.js';
import { formatFingerprint } from '../keys/public-keys.js';
import { DeliveryProblems } from '../mail/delivery-problems.js';
import type { MailProblem } from '../mail/failed-mail.js';
import type { PreNoticePlan } from './planner.js';
import type { DisclosureSummary, UpcomingDisclosure } from './plans.js';
import { PlannedHour, RecipientTable, StepList } from './summary.js';
import type { TestsChecklistItem } from '../patches/ci/checklist.js';

export interface DisclosurePageData {
  report: ReportForActor;
  now: Date;
  /** The plan once a pre-notice went out, else null (the proposal and the form are shown). */
  summary: DisclosureSummary | null;
  proposal: PreNoticePlan;
  teamKey: TeamKeyRow | undefined;
  addressIssues: FieldIssue[];
  /** Failed mails about the report that are not a recipient's row. */
  otherFailures: MailProblem[] | null;
  mailFrom: string;
  teamEmail: string;
  /** Private CI (issue 20): the tests of every patched branch; null when no project of the report has a recipe. */
  tests: TestsChecklistItem | null;
}

export function DisclosurePage({ ctx, d, state }: { ctx: PageContext; d: DisclosurePageData; state?: FormState }): SafeHtml {
  return (
    <>
      <p>
        <a href={`/reports/${d.report.row.ref}`}>{d.report.row.ref}</a>
      </p>
      <h1>Disclosure: {d.report.row.title}</h1>
      <dl class="facts">
        {d.report.row.visibility === 'public' ? (
          <>
            {/* Once the report is open, a countdown to the old hard end would be wrong (issue 15). */}
            <dt>Embargo</dt>
            <dd>{d.report.row.public_at ? <>Embargo ended on <Time iso={d.report.row.public_at} /></> : 'Embargo ended'}</dd>
          </>
        ) : (
          <>
            <dt>Embargo hard end</dt>
            <dd>
              <Time iso={d.report.row.embargo_end_at} />, {describeRemaining(d.now, new Date(d.report.row.embargo_end_at))}
            </dd>
            <dt>Planned disclosure</dt>
            <dd>
              {d.report.row.planned_disclosure_at ? (
                <>
                  <Time iso={d.report.row.planned_disclosure_at} />, {describeRemaining(d.now, new Date(d.report.row.planned_disclosure_at))}
                </>
              ) : (
                <span class="muted">not planned</span>
              )}
            </dd>
          </>
        )}
      </dl>
      <DeliveryProblems problems={d.otherFailures} csrfToken={ctx.csrfToken} back={`/reports/${d.report.row.ref}/disclosure`} />
      {d.summary ? (
        <section class="card disclosure-card">
          <h2>Disclosure hour</h2>
          <PlannedHour summary={d.summary} now={d.now} />
          <h2>Pre-notice recipients</h2>
          <RecipientTable recipients={d.summary.recipients} retry={{ csrfToken: ctx.csrfToken, back: `/reports/${d.report.row.ref}/disclosure` }} />
          <h2>Disclosure-hour steps</h2>
          <StepList steps={d.summary.steps} />
          {d.summary.state === 'scheduled' ? (
            <>
              <form method="post" action={`/reports/${d.report.row.ref}/disclosure/move`} class="stack">
                <CsrfField token={ctx.csrfToken} />
                <TextField name="at" label="Move the disclosure to (UTC)" hint="YYYY-MM-DD or YYYY-MM-DDTHH:MM" state={state} />
                <TextField name="reason" label="Reason, if the time breaks a rule" state={state} />
                <Button kind="secondary">Move and tell the stakeholders</Button>
              </form>
              <form method="post" action={`/reports/${d.report.row.ref}/disclosure/cancel`} class="stack">
                <CsrfField token={ctx.csrfToken} />
                <TextField name="reason" label="Why cancel" state={state} />
                <Button kind="danger">Cancel the disclosure</Button>
              </form>
              <p>
                <a class="btn danger" href={`/reports/${d.report.row.ref}/disclosure/now`}>
                  Disclose now (leak)…
                </a>
              </p>
            </>
          ) : (
            ''
          )}
        </section>
      ) : (
        <section class="card">
          <h2>Send the pre-notice</h2>
          <dl class="facts">
            <dt>Proposed hour</dt>
            <dd>
              <Time iso={d.proposal.proposed.toISOString()} />
            </dd>
            <dt>Window (5–10 business days)</dt>
            <dd>
              <Time iso={d.proposal.earliest.toISOString()} /> to <Time iso={d.proposal.latest.toISOString()} />
            </dd>
          </dl>
          {d.proposal.warnings.length ? (
            <ul>
              {d.proposal.warnings.map((w) => (
                <li>
                  <Badge tone="warn">{w.code}</Badge> {w.message}
                </li>
              ))}
            </ul>
          ) : (
            ''
          )}
          <h3>Before sending</h3>
          <ul class="checklist prenotice-checklist">
            <li class={d.teamKey ? 'ok' : 'todo'}>
              <span class="mark" aria-hidden="true">{d.teamKey ? '✓' : '•'}</span> <strong>The team key signs the pre-notice</strong>
              <div class="muted">{d.teamKey ? <>Key {formatFingerprint(d.teamKey.fingerprint)}.</> : <>No team key yet: an admin generates or imports one on the <a href={TEAM_KEY_PAGE}>team key page</a>.</>}</div>
            </li>
            <li class={d.addressIssues.length ? 'todo' : 'ok'}>
              <span class="mark" aria-hidden="true">{d.addressIssues.length ? '•' : '✓'}</span> <strong>Stakeholders can reply to the From and team addresses</strong>
              <div class="muted">{d.addressIssues.length ? d.addressIssues.map((i) => i.message).join(' ') : `From ${d.mailFrom}; replies to ${d.teamEmail}.`}</div>
            </li>
            {d.tests ? (
              <li class={d.tests.ok ? 'ok' : 'todo'}>
                <span class="mark" aria-hidden="true">{d.tests.ok ? '✓' : '•'}</span> <strong>Tests pass on every branch</strong>
                <div class="muted">
                  {d.tests.branches.length
                    ? d.tests.branches.map((b, i) => (
                        <>
                          {i ? '; ' : ''}
                          {b.label}: {b.url ? <a href={b.url}>{b.text}</a> : b.text}
                        </>
                      ))
                    : 'No patched branch has been tested yet.'}
                </div>
              </li>
            ) : null}
          </ul>
          <h3>Recipients</h3>
          {d.proposal.recipients.length === 0 ? (
            <EmptyState>No stakeholder organisation follows this report’s projects.</EmptyState>
          ) : (
            <ul>
              {d.proposal.recipients.map((r) => (
                <li>
                  {r.orgName}: {r.name} &lt;{r.email}&gt; {r.wantsEncryption ? <Badge tone={r.encryptionProblem ? 'danger' : 'info'}>{r.encryptionProblem ? `cannot encrypt: ${r.encryptionProblem}` : 'encrypted [vs]'}</Badge> : <Badge>signed</Badge>}
                </li>
              ))}
            </ul>
          )}
          <form method="post" action={`/reports/${d.report.row.ref}/disclosure/prenotice`} class="stack">
            <CsrfField token={ctx.csrfToken} />
            <ErrorSummary state={state} />
            <TextField name="at" label="Disclosure date and hour (UTC)" hint="YYYY-MM-DD (at the default hour) or YYYY-MM-DDTHH:MM; empty = the proposal." state={state} />
            <TextField name="reason" label="Reason, if the time breaks a rule" state={state} />
            <div class="actions">
              <Button>Send the pre-notice</Button>
            </div>
          </form>
        </section>
      )}
    </>
  );
}

export function UpcomingDisclosuresPage({ rows, now }: { rows: readonly UpcomingDisclosure[]; now: Date }): SafeHtml {
  return (
  <>
    <h1>Upcoming disclosures</h1>
    <p class="lead">Every scheduled disclosure hour, soonest first. At the hour Cordon opens the report, publishes its advisory, sends the announcement and rebuilds the site.</p>
    {rows.length === 0 ? (
      <EmptyState>No disclosure is scheduled.</EmptyState>
    ) : (
      <table>
        <thead>
          <tr>
            <th>Date and hour</th>
            <th>In</th>
            <th>Report</th>
            <th>Acknowledged</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>
                <Time iso={r.discloseAt} />
              </td>
              <td>
                <Countdown to={r.discloseAt} now={now} />
              </td>
              <td>
                <a href={`/reports/${r.ref}/disclosure`}>{r.ref}</a> {r.title}
              </td>
              <td>
                {r.acknowledged} of {r.recipients}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </>
  );
}

export function AcknowledgePage({ ctx, token, recipient }: { ctx: PageContext; token: string; recipient: { orgName: string; acknowledged: boolean } }): SafeHtml {
  return (
    <>
      <h1>{recipient.acknowledged ? 'Pre-notice acknowledged' : 'Acknowledge the pre-notice'}</h1>
      {recipient.acknowledged ? (
        <p class="lead">The acknowledgement for {recipient.orgName} is recorded; nothing more is needed.</p>
      ) : (
        <form method="post" action={`/disclosure/ack/${token}`}>
          <CsrfField token={ctx.csrfToken} />
          <p class="lead">Confirm that {recipient.orgName} received the pre-notice.</p>
          <Button>Acknowledge receipt</Button>
        </form>
      )}
    </>
  );
}
