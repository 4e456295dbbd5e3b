// Report intake (DESIGN.md §1, §2, §5): the public "Report a vulnerability" form, the JSON API beside it,
// and the reporter's own view through the private link (reporter-routes.tsx).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { Query } from '../http/schemas.js';
import { keepValues, str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import type { FormState } from '../web/components.js';
import { listProjects } from '../projects/projects.js';
import { readReportForm } from './intake-multipart.js';
import { HONEYPOT_FIELD, receiveCheckedReport, reportApiBody, reportApiBodyLimit, reportInputFromForm, reportInputFromJson } from './intake-input.js';
import { ReportAlreadyShownPage, ReportFormPage, ReportReceivedPage } from './intake-form.js';
import { reportByLink } from './reporter.js';
import { keepForOneView, takeForOneView } from '../http/shown-once.js';
import { reporterRoutes } from './reporter-routes.js';
import { intakeGuard, newIntakeGate, reportFormBodyLimit } from './intake-limits.js';


const FORM_TITLE = 'Report a vulnerability';
/** Where a filed report's confirmation is shown, once (post/redirect/get). */
export const RECEIVED_PATH = '/report/received';

/** What the confirmation needs, kept for its one view: the reporter's token, never put in a URL. */
interface Received {
  token: string;
  signedIn: boolean;
}

/** The reporter's private link. */
export function followUrl(app: AppContext, token: string): string {
  return `${app.config.publicUrl}/r/${token}`;
}

/** `chosen`: "/report?project=nova" (from a project's page) ticks that project; an unknown slug ticks nothing. */
async function showForm(app: AppContext, req: FastifyRequest, reply: FastifyReply, chosen?: string, state?: FormState, status?: number): Promise<FastifyReply> {
  const projects = await listProjects(app.storage.db);
  return sendPage(app, req, reply, FORM_TITLE, (ctx) => <ReportFormPage ctx={ctx} config={app.config} projects={projects} state={state} resubmit={state !== undefined} chosenProject={chosen} />, {
    status,
  });
}

export function intakeRoutes(app: AppContext): RouteDef[] {
  // One gate per process for every route that takes a submission body (issue 13, finding 3).
  const gate = newIntakeGate(app.config);
  return [
    route({
      method: 'GET',
      url: '/report',
      schema: { querystring: Query('project') },
      audience: 'public',
      handler: async (req, reply) => showForm(app, req, reply, req.query.project),
    }),
    {
      method: 'POST',
      url: '/report',
      audience: 'public',
      // Size, concurrency and the per-address rate (shared by all nodes) before the body is read.
      ...intakeGuard(app, gate, reportFormBodyLimit(app.config)),
      handler: async (req, reply, scope) => {
        const read = await readReportForm(req, app.config);
        const values = keepValues(read.fields);
        // A body cut at the size limit keeps its 413 whatever else is wrong with it.
        const again = (issues: FieldIssue[], error: AppError) => showForm(app, req, reply, undefined, { values, issues }, read.tooLarge ? 413 : error.status);
        return formAction(req, reply, { back: '/report', again }, async () => {
          // A filled honeypot is refused openly (a person whose browser filled it can clear it and resend).
          if (str(read.fields, HONEYPOT_FIELD).trim()) {
            throw errors.field(HONEYPOT_FIELD, 'The field “Leave this field empty” must be empty: it is there to stop automated spam. Clear it and send again.');
          }
          const { reporterToken } = await receiveCheckedReport(scope, reportInputFromForm(read.fields), read.files, 'web', read.issues);
          // Post/redirect/get: a reload of the confirmation files nothing again. The private link waits
          // for that one GET server-side (shown-once.ts), never in the redirect's URL.
          const received: Received = { token: reporterToken, signedIn: scope.actor.kind === 'user' };
          await keepForOneView(app, reply, 'report_received', RECEIVED_PATH, received);
          return reply.redirect(RECEIVED_PATH, 303);
        });
      },
    },
    {
      method: 'GET',
      url: RECEIVED_PATH,
      audience: 'public',
      handler: async (req, reply, scope) => {
        const received = await takeForOneView<Received>(app, req, reply, 'report_received', RECEIVED_PATH);
        // The link is a credential: the one page that shows it stays out of search engines (sendPage sets no-store).
        void reply.header('x-robots-tag', 'noindex, nofollow');
        if (!received) return sendPage(app, req, reply, 'Report received', (ctx) => <ReportAlreadyShownPage ctx={ctx} />);
        // The token read back is the reporter's own key to the report: the same access as /r/<token>.
        const report = await reportByLink(scope, received.token);
        const url = received.signedIn ? null : followUrl(app, received.token);
        return sendPage(app, req, reply, 'Report received', (ctx) => <ReportReceivedPage ctx={ctx} report={report.row} followUrl={url} now={app.clock.now()} />);
      },
    },
    route({
      method: 'POST',
      url: '/api/v1/reports',
      audience: 'public',
      // Scripts report anonymously without cookies; a browser session still needs its CSRF token.
      csrf: 'cookie-sessions-only',
      ...intakeGuard(app, gate, reportApiBodyLimit(app.config)),
      bodyLimit: reportApiBodyLimit(app.config),
      schema: { body: reportApiBody(app.config) },
      handler: async (req, reply, scope) => {
        const { input, files, issues } = reportInputFromJson(req.body, app.config);
        const { report, reporterToken } = await receiveCheckedReport(scope, input, files, 'api', issues);
        return reply.code(201).header('cache-control', 'no-store').send({ ref: report.ref, follow_url: followUrl(app, reporterToken) });
      },
    }),
    ...reporterRoutes(app, gate),
  ];
}
