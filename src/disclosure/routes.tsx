// Routes of the embargoed-disclosure area: the disclosure page of a report (plan, recipients, sending the
// pre-notice), the VMT dashboard of upcoming disclosures, and the public acknowledgement link.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../context.js';
import { testsOnEveryBranch } from '../patches/ci/checklist.js';
import { AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { Type, type Static } from '@sinclair/typebox';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, Params, Text } from '../http/schemas.js';
import { formBody, keepValues } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import type { FormState } from '../web/components.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { canManage, canSeeVmtOnly } from '../access/report-policy.js';
import { planPreNotice } from './planner.js';
import { sendPreNotice } from './prenotice.js';
import { acknowledgePreNotice, recipientForToken } from './recipients.js';
import { cancelDisclosure, moveDisclosure } from './changes.js';
import { loadDisclosureSummary, upcomingDisclosures } from './plans.js';
import { AcknowledgePage, DisclosurePage, UpcomingDisclosuresPage, type DisclosurePageData } from './disclosure-page.js';
import { currentTeamKey } from '../keys/team-keys.js';
import { placeholderAddressIssues } from '../config/placeholder-addresses.js';
import { mailProblemsForReport } from '../mail/failed-mail.js';


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
        return sendPage(app, req, reply, recipient.acknowledged ? 'Pre-notice acknowledged' : 'Acknowledge the pre-notice', (ctx) => <AcknowledgePage ctx={ctx} token={token} recipient={recipient} />);
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
  const [summary, proposal, teamKey, mailProblems, tests] = await Promise.all([loadDisclosureSummary(app.storage.db, report.row.id), planPreNotice(scope, ref), currentTeamKey(app.storage.db), mailProblemsForReport(scope, report), testsOnEveryBranch(scope, ref)]);
  // Failed mails about the report that are not a recipient's row (e.g. a "disclosure moved" notice).
  const shownInRows = new Set(summary?.recipients.flatMap((r) => (r.failure ? [r.failure.jobId] : [])) ?? []);
  const d: DisclosurePageData = {
    report,
    now: app.clock.now(),
    summary,
    proposal,
    teamKey,
    addressIssues: placeholderAddressIssues(app.config),
    otherFailures: mailProblems?.filter((p) => !shownInRows.has(p.jobId)) ?? null,
    mailFrom: app.config.mailFrom,
    teamEmail: app.config.teamEmail,
    tests,
  };
  return sendPage(app, req, reply, `Disclosure of ${report.row.ref}`, (ctx) => <DisclosurePage ctx={ctx} d={d} state={state} />, status ? { status } : {});
}

async function dashboardPage(app: AppContext, req: FastifyRequest, reply: FastifyReply) {
  const rows = await upcomingDisclosures(app.storage.db);
  const now = app.clock.now();
  return sendPage(app, req, reply, 'Upcoming disclosures', () => <UpcomingDisclosuresPage rows={rows} now={now} />);
}
