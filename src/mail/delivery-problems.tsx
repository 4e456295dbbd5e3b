// The one display of mail that failed for good (issue 15: "failures are visible where people look"): on
// the report page, the disclosure page and a stakeholder organisation's page — the recipient, when, the
// error (escaped like all text) and a Retry button that queues the same mail again (POST, CSRF, audited).
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, Time } from '../web/components.js';
import type { MailProblem } from './failed-mail.js';


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
  return (
    <section class="card mail-problems" aria-labelledby="mail-problems-heading">
      <h2 id="mail-problems-heading">
        Mail that failed <Badge tone="danger">{String(problems.length)}</Badge>
      </h2>
      <p class="muted">These mails were given up after their attempts. Fix the cause (the error says what the mail server or Cordon refused), then retry: the same mail is sent again.</p>
      {/* A list, not a table: it reads the same in the report page's column and on a phone. */}
      <ul class="mail-problem-list">
        {problems.map((p) => (
          <li>
            <p>
              To <strong>{p.recipient}</strong>
              {p.subject !== null ? <> — {p.subject}</> : null}
            </p>
            <p>
              <FailedBadge error={p.error} />
            </p>
            <p class="muted">
              Given up after {String(p.attempts)} attempt(s): <Time iso={p.failedAt} />
            </p>
            <RetryMailButton jobId={p.jobId} csrfToken={csrfToken} back={back} />
          </li>
        ))}
      </ul>
    </section>
  );
}
