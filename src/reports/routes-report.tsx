// The report page and its actions (thin handlers: validate → load → authorize → command → present), the
// report's JSON, attachment downloads, and the public page of a scrubbed issue.
import type { FastifyReply } from 'fastify';
import { Type, type Static, type TOptional, type TSchema, type TString } from '@sinclair/typebox';
import type { AppContext, Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, Params, StringEnum, Text, TextList } from '../http/schemas.js';
import { str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { attachmentScope, canManage, canSeeVmtOnly } from '../access/report-policy.js';
import type { CommentVisibility } from '../storage/tables.js';
import type { ImpactApproverRole } from '../access/report-policy.js';
import { reportForActor, type ReportForActor } from './load-for-actor.js';
import { readTimeline } from './timeline.js';
import { addAttachments, addComment, attachmentForDownload, listAttachments, readComments } from './collaboration.js';
import { loadPublicIssue } from './public-issue.js';
import { PublicIssuePage } from './public-issue-page.js';
import { findUserById } from '../accounts/users.js';
import { readReportForm } from './intake-multipart.js';
import { approveImpact, assignCve, draftImpact, impactApprovals, requestCve } from './cve-impact.js';
import { acknowledge, assignCoordinator, markDuplicate, redirectProject, reportClasses, reportStates, setClass, setState } from './triage.js';
import { subscribe, subscriptionLevels, unsubscribe } from './ladder.js';
import { extendEmbargo, planDisclosure } from './embargo/decisions.js';
import { publishAsIssue } from './public-issue.js';
import { mailProblemsForReport } from '../mail/failed-mail.js';
import { presentReport, presentSubscriptions, type CommentView } from './present.js';
import { ReportPage, type ReportPageData } from './report-page.js';
import type { LoadReportDisclosure } from './report-page-data.js';
import { impactPanel, requestImpactChanges } from './impact-approval.js';


const refParam = { params: { ref: 'report' } } as const;

/** The parts of the impact sentence the form sends (cve-impact.ts draftImpact). */
const IMPACT_PARTS = ['reporter', 'project', 'action', 'actor', 'impact', 'consequence', 'mode'] as const;

async function pageData(app: AppContext, loadDisclosure: LoadReportDisclosure, scope: Scope, report: ReportForActor): Promise<ReportPageData> {
  const team = canSeeVmtOnly(report.access);
  const [timeline, comments, attachments, approvals, coordinator, impact] = await Promise.all([
    readTimeline(app.storage.db, report.row.id, report.access),
    readComments(scope, report.row.id, team),
    listAttachments(scope, report.row.id, report.access),
    impactApprovals(scope, report.row.id, report.row.impact_text),
    report.row.coordinator_id ? findUserById(app.storage.db, report.row.coordinator_id) : undefined,
    impactPanel(app.storage.db, scope, report),
  ]);
  // The pre-notice recipients are the VMT's business (the disclosure page's rule).
  const disclosure = canManage(report.access) && team ? await loadDisclosure(app.storage.db, report.row.id) : null;
  return {
    report,
    timeline,
    comments: comments.map((c): CommentView => ({ id: c.id, author: c.author_label, body: c.body, bodyHtml: c.body_html, visibility: c.visibility, created_at: c.created_at })),
    attachments,
    subscriptions: presentSubscriptions(report, scope.actor),
    approvals,
    impact,
    coordinatorName: coordinator?.display_name ?? null,
    disclosure,
    mailProblems: await mailProblemsForReport(scope, report),
    now: app.clock.now(),
    viewerZone: scope.actor.kind === 'user' ? scope.actor.timeZone : 'UTC',
  };
}

const RefParams = Params('ref');
const Visibility = StringEnum<CommentVisibility>(['everyone', 'vmt']);
const ImpactRole = StringEnum<ImpactApproverRole>(['reporter', 'lead']);
// A choice left empty in the form ("") is no choice.
const OptionalImpactRole = Type.Optional(Type.Union([ImpactRole, Type.Literal('')]));

/** A form action on a report: its body checked by `body`, run, then back to the report with a flash (form-action.ts). */
function action<B extends TSchema>(url: string, body: B, run: (scope: Scope, ref: string, form: Static<B>) => Promise<string>): RouteDef {
  return route({
    method: 'POST',
    url: `/reports/:ref/${url}`,
    audience: 'user',
    leak: refParam,
    form: true,
    schema: { params: RefParams, body },
    // Load first: a report the actor may not read answers 404 before the body is looked at.
    authorize: (req, scope) => reportForActor(scope, req.params.ref),
    handler: async (req, reply, scope) => {
      const { ref } = req.params;
      return formAction(req, reply, { back: `/reports/${ref}` }, async () => ({ to: `/reports/${ref}`, message: await run(scope, ref, req.body) }));
    },
  });
}

/** What the report page shows from the domains above reports, passed in by the composition (http/routes-index.ts). */
export interface ReportPageContributions {
  disclosure: LoadReportDisclosure;
}

export function reportRoutes(app: AppContext, above: ReportPageContributions): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/reports/:ref',
      audience: 'public',
      leak: refParam,
      schema: { params: RefParams },
      handler: async (req, reply, scope) => {
        const report = await reportForActor(scope, req.params.ref);
        const data = await pageData(app, above.disclosure, scope, report);
        return sendPage(app, req, reply, report.row.visibility === 'private' ? `${report.row.ref} (private)` : report.row.title, (ctx) => <ReportPage ctx={ctx} d={data} />, { wide: true });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/reports/:ref',
      audience: 'public',
      leak: refParam,
      schema: { params: RefParams },
      handler: async (req, _reply, scope) => {
        const report = await reportForActor(scope, req.params.ref);
        const d = await pageData(app, above.disclosure, scope, report);
        return presentReport(report, scope.actor, d.timeline, d.comments, d.attachments);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/:ref/comments',
      audience: 'user',
      leak: refParam,
      authorize: (req, scope) => reportForActor(scope, req.params.ref),
      schema: { params: RefParams, body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }), visibility: Type.Optional(Visibility) }, { additionalProperties: false }) },
      handler: async (req, reply, scope) => {
        const id = await addComment(scope, req.params.ref, { body: req.body.body, visibility: req.body.visibility ?? 'everyone' });
        return reply.code(201).send({ id });
      },
    }),
    route({
      method: 'GET',
      url: '/reports/:ref/attachments/:attachmentId',
      audience: 'public',
      leak: { params: { ref: 'report', attachmentId: 'attachment' } },
      schema: { params: Params('ref', 'attachmentId') },
      handler: async (req, reply, scope) => downloadAttachment(app, req.params, reply, scope),
    }),
    route({
      method: 'GET',
      url: '/issues/:ref',
      audience: 'public',
      leak: { params: { ref: 'public_issue' } },
      schema: { params: RefParams },
      handler: async (req, reply) => {
        const issue = await loadPublicIssue(app.storage.db, req.params.ref);
        if (!issue) throw errors.notFound('issue');
        return sendPage(app, req, reply, `Public issue ${issue.ref}`, () => <PublicIssuePage issue={issue} />);
      },
    }),
    route({
      method: 'POST',
      url: '/reports/:ref/attachments',
      audience: 'user',
      leak: refParam,
      // The body is multipart, read and checked part by part by readReportForm (route-schemas.test.ts).
      schema: { params: RefParams },
      authorize: (req, scope) => reportForActor(scope, req.params.ref),
      handler: async (req, reply, scope) => {
        const { ref } = req.params;
        const read = await readReportForm(req, app.config);
        const back = `/reports/${ref}#attachments`;
        return formAction(req, reply, { back }, async () => {
          if (read.issues.length) throw errors.validation(read.issues);
          await addAttachments(scope, ref, read.files, str(read.fields, 'visibility') === 'vmt' ? 'vmt' : 'everyone');
          return { to: back, message: `${read.files.length} file${read.files.length === 1 ? '' : 's'} attached.` };
        });
      },
    }),
    action('acknowledge', EmptyForm, async (s, ref) => (await acknowledge(s, ref), 'Acknowledged. The reporter has been told.')),
    action('state', FormFields({ state: StringEnum(reportStates), reason: Type.Optional(Text(2_000)) }), async (s, ref, f) => (await setState(s, ref, f.state, f.reason ?? ''), 'State changed.')),
    action('class', FormFields({ class: StringEnum(reportClasses) }), async (s, ref, f) => (await setClass(s, ref, f.class), 'Classified.')),
    action('coordinator', FormFields({ username: Text(200) }), async (s, ref, f) => (await assignCoordinator(s, ref, f.username), 'Coordinator assigned.')),
    action('duplicate', FormFields({ of: Text(200) }), async (s, ref, f) => (await markDuplicate(s, ref, f.of), 'Marked as a duplicate and closed.')),
    action('redirect', FormFields({ from: Text(200), to: Text(200) }), async (s, ref, f) => (await redirectProject(s, ref, f.from, f.to), 'Project changed.')),
    action('subscribe', FormFields({ username: Text(200), level: StringEnum(subscriptionLevels), reason: Type.Optional(Text(2_000)) }), async (s, ref, f) => (await subscribe(s, ref, { username: f.username, level: f.level, reason: f.reason ?? '' }), 'Disclosure widened; recorded on the timeline.')),
    action('unsubscribe', FormFields({ subscription: Type.String({ pattern: '^[0-9]{1,15}$' }) }), async (s, ref, f) => (await unsubscribe(s, ref, Number(f.subscription)), 'Subscription removed.')),
    action('comments', FormFields({ body: Text(), visibility: Type.Optional(Visibility) }), async (s, ref, f) => (await addComment(s, ref, { body: f.body, visibility: f.visibility ?? 'everyone' }), 'Comment added.')),
    action('cve/request', EmptyForm, async (s, ref) => (await requestCve(s, ref), 'CVE marked as requested.')),
    action('cve', FormFields({ cve: Text(200) }), async (s, ref, f) => `${await assignCve(s, ref, f.cve)} added.`),
    action('impact', FormFields(Object.fromEntries(IMPACT_PARTS.map((k) => [k, Type.Optional(Text(2_000))])) as Record<(typeof IMPACT_PARTS)[number], TOptional<TString>>), async (s, ref, f) => {
      await draftImpact(s, ref, { reporter: f.reporter ?? '', project: f.project ?? '', action: f.action ?? '', actor: f.actor ?? '', impact: f.impact ?? '', consequence: f.consequence ?? '', mode: f.mode ?? '' });
      return 'Impact description saved; earlier approvals no longer apply.';
    }),
    action('impact/approve', FormFields({ role: OptionalImpactRole, version: Type.Optional(Text(40)) }), async (s, ref, f) => {
      const role = await approveImpact(s, ref, {}, { role: f.role || undefined, version: f.version || undefined });
      return `You approved version ${f.version || 'current'} of the impact description as the ${role === 'lead' ? 'project lead' : 'reporter'}.`;
    }),
    action('impact/changes', FormFields({ role: OptionalImpactRole, comment: Type.Optional(Text()) }), async (s, ref, f) => {
      const role = await requestImpactChanges(s, ref, { comment: f.comment ?? '', role: f.role || undefined });
      return `Your request for changes was sent as the ${role === 'lead' ? 'project lead' : 'reporter'}; the team has been told.`;
    }),
    action('embargo/extend', FormFields({ end: Text(100), reason: Type.Optional(Text(2_000)) }), async (s, ref, f) => (await extendEmbargo(s, ref, f.end, f.reason ?? ''), 'Embargo extended; the reporter has been told.')),
    action('disclosure/plan', FormFields({ planned_at: Type.Optional(Text(100)) }), async (s, ref, f) => (await planDisclosure(s, ref, f.planned_at || null), 'Planned disclosure saved.')),
    action('publish-issue', FormFields({ summary: Text(), comments: Type.Optional(TextList(20)) }), async (s, ref, f) => (await publishAsIssue(s, ref, { summary: f.summary, commentIds: (f.comments === undefined ? [] : [f.comments].flat()).map(Number) }), `Published at /issues/${ref}.`)),
  ];
}

async function downloadAttachment(app: AppContext, { ref, attachmentId }: { ref: string; attachmentId: string }, reply: FastifyReply, scope: Scope): Promise<FastifyReply> {
  const report = await reportForActor(scope, ref);
  const id = Number(attachmentId);
  if (!Number.isInteger(id)) throw errors.notFound('attachment');
  const file = await attachmentForDownload(app.storage.db, report.row.id, id, attachmentScope(report.access));
  if (!file) throw errors.notFound('attachment');
  // Served only as a download, never rendered: reporters' files may be exploits.
  return reply
    .header('content-type', 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${file.filename.replace(/"/g, '')}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(Buffer.from(file.content));
}
