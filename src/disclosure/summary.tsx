// The disclosure at a glance (issue 7 item 4), shared by the report page (VMT) and the disclosure page:
// the planned hour with a countdown, each pre-notice recipient's state (queued, sent, bounced,
// acknowledged, or failed with the error and a retry) and the disclosure-hour steps done so far.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Countdown, Time } from '../web/components.js';
import type { RecipientView } from './recipients.js';
import { loadDisclosureSummary, type DisclosureSummary } from './plans.js';
import type { Db } from '../storage/database.js';
import type { ReportDisclosure } from '../reports/report-page-data.js';
import { FailedBadge, RetryMailButton } from '../mail/delivery-problems.js';
import { DISCLOSURE_STEPS } from './run.js';
import type { DisclosurePlanState } from './tables.js';

const recipientTone = (s: string) => (s === 'acknowledged' ? 'ok' : s === 'bounced' ? 'danger' : s === 'sent' ? 'info' : 'muted');
const planTone = (s: DisclosurePlanState) => (s === 'scheduled' ? 'info' : s === 'done' ? 'ok' : 'muted');

export function PlannedHour({ summary, now }: { summary: DisclosureSummary; now: Date }): SafeHtml {
  return (
    <p class="when">
      <Badge tone={planTone(summary.state)}>{summary.state}</Badge> <Time iso={summary.discloseAt} />
      {summary.state === 'scheduled' ? (
        <span>
          Disclosure in <Countdown to={summary.discloseAt} now={now} />
        </span>
      ) : null}
    </p>
  );
}

/** With `retry` (the disclosure page), a failed recipient's row has a Retry button. */
export function RecipientTable({ recipients, retry }: { recipients: readonly RecipientView[]; retry?: { csrfToken: string; back: string } }): SafeHtml {
  return (
    <table class="stack-on-phone">
      <thead>
        <tr>
          <th>Organisation</th>
          <th>Recipient</th>
          <th>Mail</th>
          <th>State</th>
        </tr>
      </thead>
      <tbody>
        {recipients.map((r) => (
          <tr>
            <td data-label="Organisation">{r.orgName}</td>
            <td data-label="Recipient">
              {r.name} &lt;{r.email}&gt;
            </td>
            <td data-label="Mail">{r.variant === 'encrypted' ? 'encrypted [vs]' : 'signed'}</td>
            <td data-label="State">
              {r.failure ? (
                <>
                  <FailedBadge error={r.failure.error} /> {retry ? <RetryMailButton jobId={r.failure.jobId} csrfToken={retry.csrfToken} back={retry.back} /> : null}
                </>
              ) : (
                <>
                  <Badge tone={recipientTone(r.state)}>{r.state}</Badge> {r.acknowledgedAt ? <Time iso={r.acknowledgedAt} /> : ''}
                  {r.retryingAfter ? <span class="muted mail-error"> retrying after: {r.retryingAfter}</span> : null}
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function StepList({ steps }: { steps: DisclosureSummary['steps'] }): SafeHtml {
  return (
    <ol class="steps">
      {DISCLOSURE_STEPS.map((step) => {
        const done = steps.find((x) => x.step === step);
        return (
          <li>
            <Badge tone={done ? 'ok' : 'muted'}>{done ? 'done' : 'pending'}</Badge> {step.replace('_', ' ')} {done ? <Time iso={done.doneAt} /> : ''} {done?.detail ?? ''}
          </li>
        );
      })}
    </ol>
  );
}

/** The card on the report page (VMT only). */
export function DisclosureCard({ reportRef, summary, now }: { reportRef: string; summary: DisclosureSummary; now: Date }): SafeHtml {
  const acknowledged = summary.recipients.filter((r) => r.state === 'acknowledged').length;
  const failed = summary.recipients.filter((r) => r.failure).length;
  return (
    <section class="card disclosure-card" aria-labelledby="disclosure-heading">
      <h2 id="disclosure-heading">Disclosure</h2>
      <PlannedHour summary={summary} now={now} />
      <p class="muted">
        Pre-notice: {summary.recipients.length} recipient{summary.recipients.length === 1 ? '' : 's'}, {acknowledged} acknowledged{failed ? <strong>, {failed} failed</strong> : ''}. <a href={`/reports/${reportRef}/disclosure`}>Manage the disclosure</a>
      </p>
      <RecipientTable recipients={summary.recipients} />
      <h3>Disclosure-hour steps</h3>
      <StepList steps={summary.steps} />
    </section>
  );
}

/**
 * The plan as the report page takes it (reports/report-page-data.ts): reports sits below disclosure, so the
 * composition passes this loader to the report routes (http/routes-index.ts). One load, as before.
 */
export async function reportDisclosure(db: Db, reportId: number): Promise<ReportDisclosure | null> {
  const summary = await loadDisclosureSummary(db, reportId);
  if (!summary) return null;
  return { state: summary.state, discloseAt: summary.discloseAt, card: (reportRef, now) => <DisclosureCard reportRef={reportRef} summary={summary} now={now} /> };
}
