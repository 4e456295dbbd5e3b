// The report page and its actions (thin handlers: validate → load → authorize → command → present), the
// report's JSON, attachment downloads, and the public page of a scrubbed issue.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h, Fragment, raw } from '../web/jsx.js';
import type { AppContext, Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import type { RouteDef } from '../http/route.js';
import { formBody, list, str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { attachmentScope, canManage, canSeeVmtOnly } from '../access/report-policy.js';
import { renderMarkdown } from '../text/markdown.js';
import { Time } from '../web/components.js';
import type { CommentVisibility, ReportClass, ReportState, SubscriptionLevel } from '../storage/tables.js';
import { reportForActor, type ReportForActor } from './access.js';
import { readTimeline } from './timeline.js';
import { addAttachments, addComment, attachmentsIn, listAttachments, readComments } from './collaboration.js';
import { readReportForm } from './intake-multipart.js';
import { approveImpact, assignCve, draftImpact, impactApprovals, requestCve } from './cve-impact.js';
import { acknowledge, assignCoordinator, markDuplicate, redirectProject, setClass, setState } from './triage.js';
import { subscribe, unsubscribe } from './ladder.js';
import { extendEmbargo, planDisclosure, publishAsIssue } from './disclosure.js';
import { loadDisclosureSummary } from '../disclosure/summary.js';
import { mailProblemsForReport } from '../mail/failed-mail.js';
import { presentReport, presentSubscriptions, type CommentView } from './present.js';
import { ReportPage, type ReportPageData } from './report-page.js';
import { impactPanel, impactRoleOf, requestImpactChanges } from './impact-approval.js';

void Fragment;

const refParam = { params: { ref: 'report' } } as const;

async function pageData(app: AppContext, scope: Scope, report: ReportForActor): Promise<ReportPageData> {
  const team = canSeeVmtOnly(report.access);
  const [timeline, comments, attachments, approvals, coordinator, impact] = await Promise.all([
    readTimeline(app.storage.db, report.row.id, report.access),
    readComments(scope, report.row.id, team),
    listAttachments(scope, report.row.id, report.access),
    impactApprovals(scope, report.row.id, report.row.impact_text),
    report.row.coordinator_id ? app.storage.db.selectFrom('users').select('display_name').where('id', '=', report.row.coordinator_id).executeTakeFirst() : undefined,
    impactPanel(app.storage.db, scope, report),
  ]);
  // The pre-notice recipients are the VMT's business (the disclosure page's rule).
  const disclosure = canManage(report.access) && team ? await loadDisclosureSummary(app.storage.db, report.row.id) : null;
  return {
    report,
    timeline,
    comments: comments.map((c): CommentView => ({ id: c.id, author: c.author_label, body: c.body, visibility: c.visibility, created_at: c.created_at })),
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

/** A form action on a report: run it, then back to the report with a flash (refusals included, form-action.ts). */
function action(url: string, run: (scope: Scope, ref: string, form: Record<string, string | string[] | undefined>) => Promise<string>): RouteDef {
  return {
    method: 'POST',
    url: `/reports/:ref/${url}`,
    audience: 'user',
    leak: refParam,
    handler: async (req, reply, scope) => {
      const { ref } = req.params as { ref: string };
      // Load first: a report the actor may not read answers 404 before anything else is looked at.
      await reportForActor(scope, ref);
      return formAction(req, reply, { back: `/reports/${ref}` }, async () => ({ to: `/reports/${ref}`, message: await run(scope, ref, formBody(req)) }));
    },
  };
}

export function reportRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/reports/:ref',
      audience: 'public',
      leak: refParam,
      handler: async (req, reply, scope) => {
        const report = await reportForActor(scope, (req.params as { ref: string }).ref);
        const data = await pageData(app, scope, report);
        return sendPage(app, req, reply, report.row.visibility === 'private' ? `${report.row.ref} (private)` : report.row.title, (ctx) => <ReportPage ctx={ctx} d={data} />, { wide: true });
      },
    },
    {
      method: 'GET',
      url: '/api/v1/reports/:ref',
      audience: 'public',
      leak: refParam,
      handler: async (req, _reply, scope) => {
        const report = await reportForActor(scope, (req.params as { ref: string }).ref);
        const d = await pageData(app, scope, report);
        return presentReport(report, scope.actor, d.timeline, d.comments, d.attachments.map((a) => ({ ...a, sha256: '' })));
      },
    },
    {
      method: 'POST',
      url: '/api/v1/reports/:ref/comments',
      audience: 'user',
      leak: refParam,
      authorize: (req, scope) => reportForActor(scope, (req.params as { ref: string }).ref),
      schema: { body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }), visibility: Type.Optional(Type.Union([Type.Literal('everyone'), Type.Literal('vmt')])) }, { additionalProperties: false }) },
      handler: async (req, reply, scope) => {
        const body = req.body as { body: string; visibility?: CommentVisibility };
        const id = await addComment(scope, (req.params as { ref: string }).ref, { body: body.body, visibility: body.visibility ?? 'everyone' });
        return reply.code(201).send({ id });
      },
    },
    {
      method: 'GET',
      url: '/reports/:ref/attachments/:attachmentId',
      audience: 'public',
      leak: { params: { ref: 'report', attachmentId: 'attachment' } },
      handler: async (req, reply, scope) => downloadAttachment(app, req, reply, scope),
    },
    {
      method: 'GET',
      url: '/issues/:ref',
      audience: 'public',
      leak: { params: { ref: 'public_issue' } },
      handler: async (req, reply) => {
        const ref = (req.params as { ref: string }).ref;
        const row = await db.selectFrom('reports').select(['ref', 'title', 'public_summary', 'updated_at']).where('ref', '=', ref).where('public_summary', 'is not', null).executeTakeFirst();
        if (!row?.public_summary) throw errors.notFound('issue');
        const published = JSON.parse(row.public_summary) as { summary: string; comments: { author: string; body: string; at: string }[] };
        return sendPage(app, req, reply, `Public issue ${row.ref}`, () => (
          <>
            <h1>Public issue {row.ref}</h1>
            <p class="lead">A report that was judged not to be a vulnerability, published in the open by the vulnerability management team.</p>
            <div class="card markdown">{raw(renderMarkdown(published.summary))}</div>
            {published.comments.map((c) => (
              <div class="card">
                <p class="muted">
                  {c.author} · <Time iso={c.at} />
                </p>
                <div class="markdown">{raw(renderMarkdown(c.body))}</div>
              </div>
            ))}
          </>
        ));
      },
    },
    {
      method: 'POST',
      url: '/reports/:ref/attachments',
      audience: 'user',
      leak: refParam,
      handler: async (req, reply, scope) => {
        const { ref } = req.params as { ref: string };
        await reportForActor(scope, ref);
        const read = await readReportForm(req, app.config);
        const back = `/reports/${ref}#attachments`;
        return formAction(req, reply, { back }, async () => {
          if (read.issues.length) throw errors.validation(read.issues);
          await addAttachments(scope, ref, read.files, str(read.fields, 'visibility') === 'vmt' ? 'vmt' : 'everyone');
          return { to: back, message: `${read.files.length} file${read.files.length === 1 ? '' : 's'} attached.` };
        });
      },
    },
    action('acknowledge', async (s, ref) => (await acknowledge(s, ref), 'Acknowledged. The reporter has been told.')),
    action('state', async (s, ref, f) => (await setState(s, ref, str(f, 'state') as ReportState, str(f, 'reason')), 'State changed.')),
    action('class', async (s, ref, f) => (await setClass(s, ref, str(f, 'class') as ReportClass), 'Classified.')),
    action('coordinator', async (s, ref, f) => (await assignCoordinator(s, ref, str(f, 'username')), 'Coordinator assigned.')),
    action('duplicate', async (s, ref, f) => (await markDuplicate(s, ref, str(f, 'of')), 'Marked as a duplicate and closed.')),
    action('redirect', async (s, ref, f) => (await redirectProject(s, ref, str(f, 'from'), str(f, 'to')), 'Project changed.')),
    action('subscribe', async (s, ref, f) => (await subscribe(s, ref, { username: str(f, 'username'), level: str(f, 'level') as SubscriptionLevel, reason: str(f, 'reason') }), 'Disclosure widened; recorded on the timeline.')),
    action('unsubscribe', async (s, ref, f) => (await unsubscribe(s, ref, Number(str(f, 'subscription'))), 'Subscription removed.')),
    action('comments', async (s, ref, f) => (await addComment(s, ref, { body: str(f, 'body'), visibility: str(f, 'visibility') === 'vmt' ? 'vmt' : 'everyone' }), 'Comment added.')),
    action('cve/request', async (s, ref) => (await requestCve(s, ref), 'CVE marked as requested.')),
    action('cve', async (s, ref, f) => `${await assignCve(s, ref, str(f, 'cve'))} added.`),
    action('impact', async (s, ref, f) => {
      await draftImpact(s, ref, { reporter: str(f, 'reporter'), project: str(f, 'project'), action: str(f, 'action'), actor: str(f, 'actor'), impact: str(f, 'impact'), consequence: str(f, 'consequence'), mode: str(f, 'mode') });
      return 'Impact description saved; earlier approvals no longer apply.';
    }),
    action('impact/approve', async (s, ref, f) => {
      const role = await approveImpact(s, ref, {}, { role: impactRoleOf(f), version: str(f, 'version') || undefined });
      return `You approved version ${str(f, 'version') || 'current'} of the impact description as the ${role === 'lead' ? 'project lead' : 'reporter'}.`;
    }),
    action('impact/changes', async (s, ref, f) => {
      const role = await requestImpactChanges(s, ref, { comment: str(f, 'comment'), role: impactRoleOf(f) });
      return `Your request for changes was sent as the ${role === 'lead' ? 'project lead' : 'reporter'}; the team has been told.`;
    }),
    action('embargo/extend', async (s, ref, f) => (await extendEmbargo(s, ref, str(f, 'end'), str(f, 'reason')), 'Embargo extended; the reporter has been told.')),
    action('disclosure/plan', async (s, ref, f) => (await planDisclosure(s, ref, str(f, 'planned_at') || null), 'Planned disclosure saved.')),
    action('publish-issue', async (s, ref, f) => (await publishAsIssue(s, ref, { summary: str(f, 'summary'), commentIds: list(f, 'comments').map(Number) }), `Published at /issues/${ref}.`)),
  ];
}

async function downloadAttachment(app: AppContext, req: FastifyRequest, reply: FastifyReply, scope: Scope): Promise<FastifyReply> {
  const { ref, attachmentId } = req.params as { ref: string; attachmentId: string };
  const report = await reportForActor(scope, ref);
  const id = Number(attachmentId);
  if (!Number.isInteger(id)) throw errors.notFound('attachment');
  const q = app.storage.db.selectFrom('report_attachments').select(['filename', 'content', 'visibility']).where('id', '=', id).where('report_id', '=', report.row.id);
  const file = await attachmentsIn(q, attachmentScope(report.access)).executeTakeFirst();
  if (!file) throw errors.notFound('attachment');
  // Served only as a download, never rendered: reporters' files may be exploits.
  return reply
    .header('content-type', 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${file.filename.replace(/"/g, '')}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(Buffer.from(file.content));
}
