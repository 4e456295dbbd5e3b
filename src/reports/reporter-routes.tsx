// The reporter's private link (/r/<token>): the report's status, its everyone-visible conversation and
// files, adding comments and files, the credit choice, and linking the report to an account. The token
// is the only key: a wrong one answers 404 like any hidden report (DESIGN.md §5).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../context.js';
import { AppError, errors, type FieldIssue } from '../errors/catalogue.js';
import { route, type RouteDef } from '../http/route.js';
import { formBody, keepValues } from '../http/forms.js';
import { formAction } from '../http/form-action.js';
import { sendPage } from '../http/render.js';
import type { FormState } from '../web/components.js';
import { inspectKey } from '../pgp/keys.js';
import { addAttachments, addComment, attachmentForDownload, listAttachments, readComments } from './collaboration.js';
import { claimReport, reportByLink, setCredit } from './reporter.js';
import { readTimeline } from './timeline.js';
import { readReportForm } from './intake-multipart.js';
import { ReporterView } from './reporter-view.js';
import { reportForActor } from './load-for-actor.js';
import { approveImpact } from './cve-impact.js';
import { impactPanel, requestImpactChanges } from './impact-approval.js';
import { intakeGuard, reportFormBodyLimit, type IntakeGate } from './intake-limits.js';
import { Type } from '@sinclair/typebox';
import { EmptyForm, FormFields, Params, Text } from '../http/schemas.js';

const TokenParams = Params('token');


interface ViewForms {
  commentState?: FormState;
  creditState?: FormState;
  fileState?: FormState;
  status?: number;
}

async function fingerprintOf(scope: Scope, key: string | null): Promise<string | null> {
  if (!key) return null;
  try {
    return (await inspectKey(key, { now: scope.app.clock.now() })).fingerprint.toUpperCase();
  } catch {
    return 'on file';
  }
}

async function showReporterView(app: AppContext, req: FastifyRequest, reply: FastifyReply, scope: Scope, token: string, forms: ViewForms = {}): Promise<FastifyReply> {
  const report = await reportByLink(scope, token);
  const db = app.storage.db;
  // Reporters never see VMT-only material, whoever follows the link.
  const [timeline, comments, attachments, pgpFingerprint, impact] = await Promise.all([
    readTimeline(db, report.row.id, 'reporter'),
    readComments(scope, report.row.id, false),
    listAttachments(scope, report.row.id, 'reporter'),
    fingerprintOf(scope, report.row.reporter_pgp_key),
    // Through the one policy, with the link as the credential (never a side door).
    reportForActor(scope, report.row.ref, { reporterLink: true }).then((r) => impactPanel(db, scope, r, { reporterLink: true })),
  ]);
  // The link is a credential: keep the page out of search engines and caches (sendPage sets no-store).
  void reply.header('x-robots-tag', 'noindex, nofollow');
  return sendPage(
    app,
    req,
    reply,
    `Your report ${report.row.ref}`,
    (ctx) => (
      <ReporterView
        ctx={ctx}
        config={app.config}
        token={token}
        report={report}
        timeline={timeline}
        comments={comments}
        attachments={attachments}
        pgpFingerprint={pgpFingerprint}
        now={app.clock.now()}
        commentState={forms.commentState}
        creditState={forms.creditState}
        fileState={forms.fileState}
        impact={impact}
      />
    ),
    { status: forms.status },
  );
}

export function reporterRoutes(app: AppContext, gate: IntakeGate): RouteDef[] {
  const linkParams = { params: { token: 'secret_link' } };
  return [
    route({
      method: 'GET',
      url: '/r/:token',
      schema: { params: TokenParams },
      audience: 'public',
      leak: linkParams,
      handler: async (req, reply, scope) => showReporterView(app, req, reply, scope, req.params.token),
    }),
    route({
      method: 'POST',
      url: '/r/:token/comments',
      schema: { params: TokenParams, body: FormFields({ body: Type.Optional(Text()) }) },
      form: true,
      audience: 'public',
      leak: linkParams,
      rateLimitPerMinute: 20,
      handler: async (req, reply, scope) => {
        const { token } = req.params;
        const report = await reportByLink(scope, token);
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => showReporterView(app, req, reply, scope, token, { commentState: { values: keepValues(form), issues }, status: error.status });
        return formAction(req, reply, { back: `/r/${token}#comments`, again, field: 'body' }, async () => {
          await addComment(scope, report.row.ref, { body: req.body.body ?? '', visibility: 'everyone' }, { reporterLink: true });
          return { to: `/r/${token}#comments`, message: 'Your comment was added and the team has been told.' };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/r/:token/attachments',
      schema: { params: TokenParams },
      audience: 'public',
      leak: linkParams,
      // Files are intake too: the same limits as the report form, before the body is read.
      ...intakeGuard(app, gate, reportFormBodyLimit(app.config)),
      handler: async (req, reply, scope) => {
        const { token } = req.params;
        const report = await reportByLink(scope, token);
        const read = await readReportForm(req, app.config);
        const again = (issues: FieldIssue[], error: AppError) => showReporterView(app, req, reply, scope, token, { fileState: { issues }, status: error.status });
        return formAction(req, reply, { back: `/r/${token}#r-files`, again, field: 'files' }, async () => {
          if (read.issues.length) throw new AppError(read.tooLarge ? 'payload_too_large' : 'validation_failed', 'Some files could not be taken.', read.issues);
          await addAttachments(scope, report.row.ref, read.files, 'everyone', { reporterLink: true });
          const n = read.files.length;
          return { to: `/r/${token}#r-files`, message: `${n} file${n === 1 ? '' : 's'} added.` };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/r/:token/credit',
      schema: { params: TokenParams, body: FormFields({ stay_anonymous: Type.Optional(Text(10)), credit_name: Type.Optional(Text(2_000)), credit_affiliation: Type.Optional(Text(2_000)) }) },
      form: true,
      audience: 'public',
      leak: linkParams,
      rateLimitPerMinute: 20,
      handler: async (req, reply, scope) => {
        const { token } = req.params;
        const report = await reportByLink(scope, token);
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => showReporterView(app, req, reply, scope, token, { creditState: { values: keepValues(form), issues }, status: error.status });
        return formAction(req, reply, { back: `/r/${token}#r-credit`, again, field: 'credit_name' }, async () => {
          const anonymous = req.body.stay_anonymous === 'on';
          await setCredit(scope, report.row.id, { creditWanted: !anonymous, name: req.body.credit_name ?? '', affiliation: req.body.credit_affiliation ?? '' });
          return { to: `/r/${token}#r-credit`, message: anonymous ? 'You will not be credited.' : 'Your credit preference was saved.' };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/r/:token/impact/approve',
      schema: { params: TokenParams, body: FormFields({ version: Type.Optional(Text(200)) }) },
      form: true,
      audience: 'public',
      leak: linkParams,
      rateLimitPerMinute: 20,
      handler: async (req, reply, scope) => {
        const { token } = req.params;
        const report = await reportByLink(scope, token);
        return formAction(req, reply, { back: `/r/${token}#r-impact` }, async () => {
          const version = req.body.version ?? '';
          await approveImpact(scope, report.row.ref, { reporterLink: true }, { role: 'reporter', version });
          return { to: `/r/${token}#r-impact`, message: `Thank you: you approved version ${version} of the impact description. If the team changes it, you will be asked again.` };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/r/:token/impact/changes',
      schema: { params: TokenParams, body: FormFields({ comment: Type.Optional(Text()) }) },
      form: true,
      audience: 'public',
      leak: linkParams,
      rateLimitPerMinute: 20,
      handler: async (req, reply, scope) => {
        const { token } = req.params;
        const report = await reportByLink(scope, token);
        return formAction(req, reply, { back: `/r/${token}#r-impact` }, async () => {
          await requestImpactChanges(scope, report.row.ref, { comment: req.body.comment ?? '', role: 'reporter' }, { reporterLink: true });
          return { to: `/r/${token}#comments`, message: 'Your request for changes was sent to the team; it is in the conversation below.' };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/r/:token/claim',
      schema: { params: TokenParams, body: EmptyForm },
      form: true,
      audience: 'user',
      leak: linkParams,
      rateLimitPerMinute: 20,
      handler: async (req, reply, scope) => {
        const { token } = req.params;
        return formAction(req, reply, { back: `/r/${token}` }, async () => {
          const ref = await claimReport(scope, token);
          return { to: `/reports/${ref}`, message: `Report ${ref} is now linked to your account.` };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/r/:token/attachments/:attachmentId',
      schema: { params: Params('token', 'attachmentId') },
      audience: 'public',
      leak: { params: { token: 'secret_link', attachmentId: 'attachment' } },
      handler: async (req, reply, scope) => {
        const { token, attachmentId } = req.params;
        const report = await reportByLink(scope, token);
        if (!/^[1-9][0-9]{0,15}$/.test(attachmentId)) throw errors.notFound('attachment');
        // Never VMT-only files through the reporter's link.
        const file = await attachmentForDownload(app.storage.db, report.row.id, Number(attachmentId), 'everyone');
        if (!file) throw errors.notFound('attachment');
        // Always a download of opaque bytes, never rendered by the browser (an uploaded HTML file must not run here).
        return reply
          .header('content-type', 'application/octet-stream')
          .header('content-disposition', `attachment; filename="${file.filename.replace(/["\\]/g, '_')}"`)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'no-store')
          .header('x-robots-tag', 'noindex, nofollow')
          .send(Buffer.from(file.content));
      },
    }),
  ];
}
