// Routes of the embargoed-disclosure area: the disclosure page of a report (plan, recipients, sending the
// pre-notice), the VMT dashboard of upcoming disclosures, and the public acknowledgement link.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../context.js';
import { AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { Type, type Static } from '@sinclair/typebox';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, Params, Text } from '../http/schemas.js';
import { formBody, keepValues } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { Badge, Button, Countdown, CsrfField, EmptyState, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { canManage, canSeeVmtOnly } from '../access/report-policy.js';
import { describeRemaining } from '../embargo/calendar.js';
import { planPreNotice } from './planner.js';
import { sendPreNotice } from './prenotice.js';
import { acknowledgePreNotice, recipientForToken } from './recipients.js';
import { cancelDisclosure, moveDisclosure } from './changes.js';
import { loadDisclosureSummary, PlannedHour, RecipientTable, StepList } from './summary.js';
import { currentTeamKey, TEAM_KEY_PAGE } from '../keys/team-keys.js';
import { formatFingerprint } from '../keys/public-keys.js';
import { placeholderAddressIssues } from '../config/placeholder-addresses.js';
import { mailProblemsForReport } from '../mail/failed-mail.js';
import { DeliveryProblems } from '../mail/delivery-problems.js';


const refParam = { params: { ref: 'report' } } as const;
const RefParams = Params('ref');
const TokenParams = Params('token');
/** Loads the report through the policy before the body is looked at: a hidden report answers 404 (route.ts). */
const authorizeReport = (req: { params: { ref: string } }, scope: Scope) => reportForActor(scope, req.params.ref);
const PlanForm = FormFields({ at: Type.Optional(Text(100)), reason: Type.Optional(Text(2_000)) });

export function disclosureRoutes(app: AppContext): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/reports/:ref/disclosure',
      audience: 'user',
      leak: refParam,
      schema: { params: RefParams },
      authorize: authorizeReport,
      handler: async (req, reply, scope) => disclosurePage(app, req, reply, scope, req.params.ref),
    }),
    route({
      method: 'POST',
      url: '/reports/:ref/disclosure/prenotice',
      audience: 'user',
      leak: refParam,
      form: true,
      schema: { params: RefParams, body: PlanForm },
      authorize: authorizeReport,
      handler: async (req, reply, scope) => {
        const { ref } = req.params;
        const form = req.body;
        const again = (issues: FieldIssue[], error: AppError) => disclosurePage(app, req, reply, scope, ref, { values: keepValues(formBody(req)), issues }, error.status);
        return formAction(req, reply, { back: `/reports/${ref}/disclosure`, again, field: 'at' }, async () => {
          const { recipients } = await sendPreNotice(scope, ref, { ...(form.at ? { at: form.at } : {}), reason: form.reason ?? '' });
          return { to: `/reports/${ref}/disclosure`, message: `Pre-notice queued for ${recipients} recipient(s).` };
        });
      },
    }),
    planAction('move', 'Disclosure moved; the stakeholders are told.', (scope, ref, form) => moveDisclosure(scope, ref, { at: form.at ?? '', reason: form.reason ?? '' })),
    planAction('cancel', 'Disclosure cancelled.', (scope, ref, form) => cancelDisclosure(scope, ref, form.reason ?? '')),
    {
      method: 'GET',
      url: '/disclosures',
      audience: 'reports.triage',
      handler: async (req, reply) => dashboardPage(app, req, reply),
    },
    route({
      // Public: the link in each pre-notice; the token is the only credential (stored hashed). GET only shows
      // a button, so mail scanners that fetch links do not acknowledge on the recipient's behalf.
      method: 'GET',
      url: '/disclosure/ack/:token',
      audience: 'public',
      leak: { params: { token: 'secret_link' } },
      schema: { params: TokenParams },
      rateLimitPerMinute: 30,
      handler: async (req, reply, scope) => {
        const token = req.params.token;
        const recipient = await recipientForToken(scope, token);
        return sendPage(app, req, reply, recipient.acknowledged ? 'Pre-notice acknowledged' : 'Acknowledge the pre-notice', (ctx) => (
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
        ));
      },
    }),
    route({
      method: 'POST',
      url: '/disclosure/ack/:token',
      audience: 'public',
      leak: { params: { token: 'secret_link' } },
      schema: { params: TokenParams, body: EmptyForm },
      csrf: 'cookie-sessions-only',
      rateLimitPerMinute: 30,
      handler: async (req, reply, scope) => {
        const token = req.params.token;
        const result = await acknowledgePreNotice(scope, token);
        // Post/redirect/get: back to the link's own page, which now says the acknowledgement is recorded.
        const done = `${result.alreadyAcknowledged ? 'Your acknowledgement was already recorded' : 'Your acknowledgement is recorded'} for ${result.orgName}. Thank you.`;
        return redirectWithFlash(reply, `/disclosure/ack/${token}`, 'success', done);
      },
    }),
  ];
}

function planAction(action: string, done: string, run: (scope: Scope, ref: string, form: Static<typeof PlanForm>) => Promise<void>): RouteDef {
  return route({
    method: 'POST',
    url: `/reports/:ref/disclosure/${action}`,
    audience: 'user',
    leak: refParam,
    form: true,
    schema: { params: RefParams, body: PlanForm },
    authorize: authorizeReport,
    handler: async (req, reply, scope) => {
      const { ref } = req.params;
      const back = `/reports/${ref}/disclosure`;
      return formAction(req, reply, { back }, async () => (await run(scope, ref, req.body), { to: back, message: done }));
    },
  });
}

async function disclosurePage(app: AppContext, req: FastifyRequest, reply: FastifyReply, scope: Scope, ref: string, state?: FormState, status?: number) {
  const report = await reportForActor(scope, ref);
  // The plan and the recipients are the VMT's business; other readers get the same 404 as for a hidden page.
  if (!canManage(report.access) || !canSeeVmtOnly(report.access)) throw new AppError('not_found', 'No such page.');
  const now = app.clock.now();
  const summary = await loadDisclosureSummary(app.storage.db, report.row.id);
  const proposal = await planPreNotice(scope, ref);
  const teamKey = await currentTeamKey(app.storage.db);
  const addressIssues = placeholderAddressIssues(app.config);
  // Failed mails about the report that are not a recipient's row above (e.g. a "disclosure moved" notice).
  const shownInRows = new Set(summary?.recipients.flatMap((r) => (r.failure ? [r.failure.jobId] : [])) ?? []);
  const otherFailures = (await mailProblemsForReport(scope, report))?.filter((p) => !shownInRows.has(p.jobId)) ?? null;
  return sendPage(
    app,
    req,
    reply,
    `Disclosure of ${report.row.ref}`,
    (ctx) => (
      <>
        <p>
          <a href={`/reports/${report.row.ref}`}>{report.row.ref}</a>
        </p>
        <h1>Disclosure: {report.row.title}</h1>
        <dl class="facts">
          {report.row.visibility === 'public' ? (
            <>
              {/* Once the report is open, a countdown to the old hard end would be wrong (issue 15). */}
              <dt>Embargo</dt>
              <dd>{report.row.public_at ? <>Embargo ended on <Time iso={report.row.public_at} /></> : 'Embargo ended'}</dd>
            </>
          ) : (
            <>
              <dt>Embargo hard end</dt>
              <dd>
                <Time iso={report.row.embargo_end_at} />, {describeRemaining(now, new Date(report.row.embargo_end_at))}
              </dd>
              <dt>Planned disclosure</dt>
              <dd>
                {report.row.planned_disclosure_at ? (
                  <>
                    <Time iso={report.row.planned_disclosure_at} />, {describeRemaining(now, new Date(report.row.planned_disclosure_at))}
                  </>
                ) : (
                  <span class="muted">not planned</span>
                )}
              </dd>
            </>
          )}
        </dl>
        <DeliveryProblems problems={otherFailures} csrfToken={ctx.csrfToken} back={`/reports/${report.row.ref}/disclosure`} />
        {summary ? (
          <section class="card disclosure-card">
            <h2>Disclosure hour</h2>
            <PlannedHour summary={summary} now={now} />
            <h2>Pre-notice recipients</h2>
            <RecipientTable recipients={summary.recipients} retry={{ csrfToken: ctx.csrfToken, back: `/reports/${report.row.ref}/disclosure` }} />
            <h2>Disclosure-hour steps</h2>
            <StepList steps={summary.steps} />
            {summary.state === 'scheduled' ? (
              <>
                <form method="post" action={`/reports/${report.row.ref}/disclosure/move`} class="stack">
                  <CsrfField token={ctx.csrfToken} />
                  <TextField name="at" label="Move the disclosure to (UTC)" hint="YYYY-MM-DD or YYYY-MM-DDTHH:MM" state={state} />
                  <TextField name="reason" label="Reason, if the time breaks a rule" state={state} />
                  <Button kind="secondary">Move and tell the stakeholders</Button>
                </form>
                <form method="post" action={`/reports/${report.row.ref}/disclosure/cancel`} class="stack">
                  <CsrfField token={ctx.csrfToken} />
                  <TextField name="reason" label="Why cancel" state={state} />
                  <Button kind="danger">Cancel the disclosure</Button>
                </form>
                <p>
                  <a class="btn danger" href={`/reports/${report.row.ref}/disclosure/now`}>
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
                <Time iso={proposal.proposed.toISOString()} />
              </dd>
              <dt>Window (5–10 business days)</dt>
              <dd>
                <Time iso={proposal.earliest.toISOString()} /> to <Time iso={proposal.latest.toISOString()} />
              </dd>
            </dl>
            {proposal.warnings.length ? (
              <ul>
                {proposal.warnings.map((w) => (
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
              <li class={teamKey ? 'ok' : 'todo'}>
                <span class="mark" aria-hidden="true">{teamKey ? '✓' : '•'}</span> <strong>The team key signs the pre-notice</strong>
                <div class="muted">{teamKey ? <>Key {formatFingerprint(teamKey.fingerprint)}.</> : <>No team key yet: an admin generates or imports one on the <a href={TEAM_KEY_PAGE}>team key page</a>.</>}</div>
              </li>
              <li class={addressIssues.length ? 'todo' : 'ok'}>
                <span class="mark" aria-hidden="true">{addressIssues.length ? '•' : '✓'}</span> <strong>Stakeholders can reply to the From and team addresses</strong>
                <div class="muted">{addressIssues.length ? addressIssues.map((i) => i.message).join(' ') : `From ${app.config.mailFrom}; replies to ${app.config.teamEmail}.`}</div>
              </li>
            </ul>
            <h3>Recipients</h3>
            {proposal.recipients.length === 0 ? (
              <EmptyState>No stakeholder organisation follows this report’s projects.</EmptyState>
            ) : (
              <ul>
                {proposal.recipients.map((r) => (
                  <li>
                    {r.orgName}: {r.name} &lt;{r.email}&gt; {r.wantsEncryption ? <Badge tone={r.encryptionProblem ? 'danger' : 'info'}>{r.encryptionProblem ? `cannot encrypt: ${r.encryptionProblem}` : 'encrypted [vs]'}</Badge> : <Badge>signed</Badge>}
                  </li>
                ))}
              </ul>
            )}
            <form method="post" action={`/reports/${report.row.ref}/disclosure/prenotice`} class="stack">
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
    ),
    status ? { status } : {},
  );
}

async function dashboardPage(app: AppContext, req: FastifyRequest, reply: FastifyReply) {
  const db = app.storage.db;
  const rows = await db
    .selectFrom('disclosure_plans')
    .innerJoin('reports', 'reports.id', 'disclosure_plans.report_id')
    .select(['reports.ref', 'reports.title', 'disclosure_plans.disclose_at', 'disclosure_plans.id'])
    .where('disclosure_plans.state', '=', 'scheduled')
    .orderBy('disclosure_plans.disclose_at')
    .execute();
  const planIds = rows.map((r) => r.id);
  const recipients = planIds.length ? await db.selectFrom('prenotice_recipients').select(['plan_id', 'state']).where('plan_id', 'in', planIds).execute() : [];
  const tally = (planId: number) => {
    const mine = recipients.filter((r) => r.plan_id === planId);
    return `${mine.filter((r) => r.state === 'acknowledged').length} of ${mine.length}`;
  };
  const now = app.clock.now();
  return sendPage(app, req, reply, 'Upcoming disclosures', () => (
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
                  <Time iso={r.disclose_at} />
                </td>
                <td>
                  <Countdown to={r.disclose_at} now={now} />
                </td>
                <td>
                  <a href={`/reports/${r.ref}/disclosure`}>{r.ref}</a> {r.title}
                </td>
                <td>{tally(r.id)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  ));
}
