// Routes of the patches area: the matrix and upload page of a report, the patch page, its actions and the
// downloads (HTML); the JSON API is in routes-api.ts. Thin handlers: load (404 when hidden) → command → present.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../context.js';
import type { AppError, FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import type { FormState } from '../web/components.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { diffOf, loadPatchFor, loadReportPatches, patchDownload, pickVersion, placeInSeries, seriesDownloadFor, type Download } from './loaders.js';
import { MatrixPage } from './matrix-page.js';
import { PatchPage } from './patch-page.js';
import { canCommentOnPatches, canUploadPatches, reviewerRole } from './policy.js';
import { castVote, commentOnPatch } from './review.js';
import { choiceFromKey } from './targets.js';
import { abandonPatch, requestRecheck, uploadPatches, uploadVersion } from './upload.js';
import { fieldList, readPatchForm } from './upload-form.js';
import { patchApiRoutes } from './routes-api.js';
import { recipeRoutes } from './ci/recipe-routes.js';
import { runRoutes } from './ci/run-routes.js';
import { EmptyForm, FormFields, Params, Query, Text } from '../http/schemas.js';


const refParam = { params: { ref: 'report' } } as const;
const patchParams = { params: { ref: 'report', patchId: 'patch' } } as const;

const RefParams = Params('ref');
const PatchIds = Params('ref', 'patchId');

/** Loads the report (and the patch) before anything else, so a hidden one answers 404 whatever the body. */
const authorizeReport = (req: { params: { ref: string } }, scope: Scope) => reportForActor(scope, req.params.ref);
const authorizePatch = (req: { params: { ref: string; patchId: string } }, scope: Scope) => loadPatchFor(scope, req.params.ref, req.params.patchId);

export function sendDownload(reply: FastifyReply, d: Download): FastifyReply {
  return reply
    .header('content-type', 'text/x-patch; charset=utf-8')
    .header('content-disposition', `attachment; filename="${d.fileName}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(d.body);
}

async function matrixPage(app: AppContext, req: FastifyRequest & { params: { ref: string } }, reply: FastifyReply, scope: Scope, state?: FormState, status?: number) {
  const data = await loadReportPatches(scope, req.params.ref);
  const showRepository = data.report.projects.some((p) => new Set(data.targets.filter((t) => t.projectId === p.id).map((t) => t.repository)).size > 1);
  const d = { ...data, canUpload: canUploadPatches(scope.actor, data.report.access), showRepository, showTests: data.rows.some((r) => r.tests !== null) };
  return sendPage(app, req, reply, `Patches · ${data.report.row.ref}`, (ctx) => <MatrixPage ctx={ctx} d={d} state={state} />, { wide: true, ...(status ? { status } : {}) });
}

/** A form action on a patch: run it, then back to the patch page with a flash (errors included). */
function patchAction<B extends TSchema>(url: string, body: B | null, run: (scope: Scope, req: FastifyRequest, ref: string, patchId: number, form: Static<B>) => Promise<string>): RouteDef {
  return route({
    method: 'POST',
    url: `/reports/:ref/patches/:patchId/${url}`,
    audience: 'user',
    leak: patchParams,
    authorize: authorizePatch,
    form: true,
    // Without a body schema the body is a multipart upload, read by readPatchForm.
    schema: body ? { params: PatchIds, body } : { params: PatchIds },
    handler: async (req, reply, scope) => {
      const { ref, patchId } = req.params;
      const back = `/reports/${ref}/patches/${patchId}`;
      return formAction(req, reply, { back }, async () => ({ to: back, message: await run(scope, req, ref, Number(patchId), req.body) }));
    },
  });
}

const VoteForm = FormFields({ score: Type.Optional(Text(5)), version: Type.Optional(Text(12)), comment: Type.Optional(Text()) });
const CommentForm = FormFields({ body: Type.Optional(Text()), file: Type.Optional(Text(4096)), side: Type.Optional(Text(5)), line: Type.Optional(Text(12)), version: Type.Optional(Text(12)) });

const optionalNumber = (text: string): number | undefined => (/^-?\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : undefined);

export function patchRoutes(app: AppContext): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/reports/:ref/patches',
      schema: { params: RefParams },
      audience: 'public',
      leak: refParam,
      handler: async (req, reply, scope) => matrixPage(app, req, reply, scope),
    }),
    route({
      method: 'POST',
      url: '/reports/:ref/patches',
      audience: 'user',
      leak: refParam,
      // The body is multipart (or a form) read by readPatchForm with its own limits (route-schemas.test.ts).
      schema: { params: RefParams },
      authorize: authorizeReport,
      handler: async (req, reply, scope) => {
        const { ref } = req.params;
        const form = await readPatchForm(req);
        const targets = fieldList(form.fields, 'targets');
        const values = { targets, replace_series: str(form.fields, 'replace_series'), mbox: str(form.fields, 'mbox') };
        const again = (issues: FieldIssue[], error: AppError) => matrixPage(app, req, reply, scope, { issues, values }, error.status);
        return formAction(req, reply, { back: `/reports/${ref}/patches`, again, field: 'patch' }, async () => {
          const choices = targets.map((key) => choiceFromKey(key) ?? { project: key, branch: '' });
          const result = await uploadPatches(scope, ref, { targets: choices, files: form.files, replaceSeries: str(form.fields, 'replace_series') === 'on' });
          const count = result.targets.reduce((n, t) => n + t.patchIds.length, 0);
          const where = result.targets.map((t) => t.target.branch).join(', ');
          return { to: `/reports/${ref}/patches`, message: `${count} patch${count === 1 ? '' : 'es'} stored for ${where}; apply checks are queued.` };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/reports/:ref/patches/series',
      schema: { params: RefParams, querystring: Query('target') },
      audience: 'public',
      leak: refParam,
      handler: async (req, reply, scope) => sendDownload(reply, await seriesDownloadFor(scope, req.params.ref, req.query.target)),
    }),
    route({
      method: 'GET',
      url: '/reports/:ref/patches/:patchId',
      schema: { params: PatchIds, querystring: Query('version', 'view', 'file', 'side', 'line') },
      audience: 'public',
      leak: patchParams,
      handler: async (req, reply, scope) => {
        const { ref, patchId } = req.params;
        const loaded = await loadPatchFor(scope, ref, patchId);
        const query = req.query;
        const version = pickVersion(loaded.detail, query.version);
        const q = (name: 'view' | 'file' | 'side' | 'line') => (query[name] ?? '').slice(0, 500);
        const d = {
          ...loaded,
          version,
          diff: await diffOf(scope, version),
          layout: q('view') === 'split' ? ('split' as const) : ('unified' as const),
          place: await placeInSeries(scope, loaded),
          canUpload: canUploadPatches(scope.actor, loaded.report.access),
          canComment: canCommentOnPatches(scope.actor, loaded.report.access),
          voterRole: reviewerRole(scope.actor, loaded.report.access, loaded.detail.project.id),
          prefill: { file: q('file'), side: q('side') === 'old' ? ('old' as const) : ('new' as const), line: /^\d{1,7}$/.test(q('line')) ? q('line') : '' },
        };
        return sendPage(app, req, reply, `${version.subject} · ${ref}`, (ctx) => <PatchPage ctx={ctx} d={d} />, { wide: true });
      },
    }),
    route({
      method: 'GET',
      url: '/reports/:ref/patches/:patchId/download',
      schema: { params: PatchIds, querystring: Query('version') },
      audience: 'public',
      leak: patchParams,
      handler: async (req, reply, scope) => {
        const { ref, patchId } = req.params;
        const loaded = await loadPatchFor(scope, ref, patchId);
        return sendDownload(reply, await patchDownload(scope, loaded, req.query.version));
      },
    }),
    patchAction('versions', null, async (scope, req, ref, patchId) => {
      const form = await readPatchForm(req);
      const added = await uploadVersion(scope, ref, patchId, form.files);
      return `Version ${added.version} stored; its apply check is queued.`;
    }),
    patchAction('votes', VoteForm, async (scope, _req, ref, patchId, f) => {
      const score = optionalNumber(f.score ?? '');
      const version = optionalNumber(f.version ?? '');
      await castVote(scope, ref, patchId, { score: score ?? NaN, comment: f.comment ?? '', ...(version !== undefined ? { version } : {}) });
      return 'Vote recorded.';
    }),
    patchAction('comments', CommentForm, async (scope, _req, ref, patchId, f) => {
      const line = (f.line ?? '').trim();
      const version = optionalNumber(f.version ?? '');
      await commentOnPatch(scope, ref, patchId, {
        body: f.body ?? '',
        file: f.file || null,
        side: f.side === 'old' ? 'old' : 'new',
        line: line === '' ? null : (optionalNumber(line) ?? -1),
        ...(version !== undefined ? { version } : {}),
      });
      return 'Comment added.';
    }),
    patchAction('recheck', EmptyForm, async (scope, _req, ref, patchId) => (await requestRecheck(scope, ref, patchId), 'Apply check queued.')),
    patchAction('abandon', EmptyForm, async (scope, _req, ref, patchId) => (await abandonPatch(scope, ref, patchId), 'Patch abandoned; the rest of its series is checked again.')),
    ...patchApiRoutes(app),
    ...recipeRoutes(app),
    ...runRoutes(app),
  ];
}
