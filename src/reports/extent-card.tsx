// "Who can see this report": the disclosure extent. The VMT sees every subscription with its reason and
// manages the list; anyone else learns only how they themselves take part (DESIGN.md §5: who was let in,
// and why, is the VMT's business only — before and after opening; issue 13 item 5).
import type { SafeHtml } from '../web/jsx.js';
import type { PageContext } from '../web/layout.js';
import { Button, CsrfField, Select, TextField, Time } from '../web/components.js';
import { canManage, canSeeDisclosureExtent } from '../access/report-policy.js';
import type { ReportForActor } from './load-for-actor.js';
import type { presentSubscriptions } from './present.js';
import { levelLabel, subscriptionLevels } from './ladder.js';


/** `embedded`: inside the report page's Access group, whose summary is the heading (issue 15 item 7). */
export function ExtentCard({ ctx, report, subscriptions, embedded }: { ctx: PageContext; report: ReportForActor; subscriptions: ReturnType<typeof presentSubscriptions>; embedded?: boolean }): SafeHtml {
  const r = report.row;
  const base = `/reports/${r.ref}`;
  const manage = canManage(report.access);
  if (!canSeeDisclosureExtent(report.access)) {
    if (r.visibility !== 'private') return <></>;
    const own = subscriptions[0];
    return (
      <div class="card">
        <h2>Who can see this report</h2>
        <p class="muted">The vulnerability management team, the reporter, and the people the team gives access to. The team keeps that list.</p>
        {own ? <p>You take part as {levelLabel[own.level]}{own.readOnly && own.level !== 'stakeholder' ? ' (read-only)' : ''}.</p> : null}
      </div>
    );
  }
  const body = (
    <>
      <p class="muted">
        The VMT{r.reporter_user_id || r.reporter_token_hash ? ', the reporter' : ''}
        {subscriptions.length ? ', and:' : '.'} Only the VMT sees this list and the reasons.
      </p>
      {subscriptions.length ? (
        <table>
          <thead>
            <tr>
              <th>Person</th>
              <th>As</th>
              <th>Why</th>
              <th>Since</th>
              {manage ? <th></th> : null}
            </tr>
          </thead>
          <tbody>
            {subscriptions.map((s) => (
              <tr>
                <td>{s.displayName}</td>
                <td>{levelLabel[s.level]}</td>
                <td>{s.reason ?? ''}</td>
                <td>
                  <Time iso={s.addedAt} />
                </td>
                {manage ? (
                  <td>
                    <form method="post" action={`${base}/unsubscribe`} class="inline">
                      <CsrfField token={ctx.csrfToken} />
                      <input type="hidden" name="subscription" value={s.id} />
                      <Button kind="danger">Remove</Button>
                    </form>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {manage && r.visibility === 'private' ? (
        <form method="post" action={`${base}/subscribe`} class="stack">
          <CsrfField token={ctx.csrfToken} />
          <div class="grid">
            <TextField name="username" label="Username" required />
            <Select name="level" label="Takes part as" options={subscriptionLevels.map((l) => [l, levelLabel[l]])} />
            <TextField name="reason" label="Why they need to see it" hint="Seen by the VMT only." required />
          </div>
          <Button kind="secondary">Widen disclosure</Button>
        </form>
      ) : null}
    </>
  );
  if (embedded) return body;
  return (
    <div class="card">
      <h2>{r.visibility === 'private' ? 'Who can see this report' : 'Who took part under embargo'}</h2>
      {body}
    </div>
  );
}
