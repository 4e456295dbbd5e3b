// The one display of mail that failed for good (issue 15: "failures are visible where people look"): on
// the report page, the disclosure page and a stakeholder organisation's page — the recipient, when, the
// error (escaped like all text) and a Retry button that queues the same mail again (POST, CSRF, audited).
import { h, Fragment, type SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, Time } from '../web/components.js';
import type { MailProblem } from './failed-mail.js';

void Fragment;

/** Retry one dead mail job; `back` is the page to return to. */
export function RetryMailButton({ jobId, csrfToken, back }: { jobId: number; csrfToken: string; back: string }): SafeHtml {
  return (
    <form method="post" action={`/mail/failed/${jobId}/retry`} class="inline">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="back" value={back} />
      <Button kind="secondary">Retry</Button>
    </form>
  );
}

/** "failed: <error>" in the recipient tables. */
export function FailedBadge({ error }: { error: string }): SafeHtml {
  return (
    <>
      <Badge tone="danger">failed</Badge> <span class="mail-error">{error}</span>
    </>
  );
}

/** A card listing failed mails, or nothing at all when there are none (or the viewer may not see them). */
export function DeliveryProblems({ problems, csrfToken, back }: { problems: readonly MailProblem[] | null | undefined; csrfToken: string; back: string }): SafeHtml {
  if (!problems?.length) return <></>;
  const showSubject = problems.some((p) => p.subject !== null);
  return (
    <section class="card mail-problems" aria-labelledby="mail-problems-heading">
      <h2 id="mail-problems-heading">
        Mail that failed <Badge tone="danger">{String(problems.length)}</Badge>
      </h2>
      <p class="muted">These mails were given up after their attempts. Fix the cause (the error says what the mail server or Cordon refused), then retry: the same mail is sent again.</p>
      <table class="mail-table stack-on-phone">
        <thead>
          <tr>
            <th scope="col">To</th>
            {showSubject ? <th scope="col">Subject</th> : null}
            <th scope="col">Failed</th>
            <th scope="col">Error</th>
            <th scope="col"></th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p) => (
            <tr>
              <td data-label="To">{p.recipient}</td>
              {showSubject ? <td data-label="Subject">{p.subject ?? ''}</td> : null}
              <td data-label="Failed">
                <Time iso={p.failedAt} /> <span class="muted">after {String(p.attempts)} attempt(s)</span>
              </td>
              <td data-label="Error">
                <FailedBadge error={p.error} />
              </td>
              <td>
                <RetryMailButton jobId={p.jobId} csrfToken={csrfToken} back={back} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
