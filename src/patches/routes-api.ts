// The JSON API of patches (documented in OpenAPI from these TypeBox schemas). Same commands and policy
// as the pages: a report or patch the caller may not read answers 404.
import { Type } from '@sinclair/typebox';
import type { AppContext, Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { route, type RouteDef } from '../http/route.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { diffOf, loadPatchFor, loadReportPatches, pickVersion } from './loaders.js';
import { detailJson, matrixJson, summaryJson } from './present.js';
import { castVote, commentOnPatch } from './review.js';
import { abandonPatch, requestRecheck, uploadPatches, uploadVersion, type PatchFileInput } from './upload.js';
import { NoBody, Params, Query } from '../http/schemas.js';

const refParam = { params: { ref: 'report' } } as const;
const patchParams = { params: { ref: 'report', patchId: 'patch' } } as const;
const RefParams = Params('ref');
const PatchIds = Params('ref', 'patchId');

// Base64 of the 5 MiB patch limit, plus room for the other fields.
const UPLOAD_BODY_LIMIT = 8 * 1024 * 1024;

const authorizeReport = (req: { params: { ref: string } }, scope: Scope) => reportForActor(scope, req.params.ref);
const authorizePatch = (req: { params: { ref: string; patchId: string } }, scope: Scope) => loadPatchFor(scope, req.params.ref, req.params.patchId);

const patchContent = {
  mbox: Type.Optional(Type.String({ maxLength: 6 * 1024 * 1024, description: 'The patch as text: git format-patch output (one or a series), git show output or a diff.' })),
  content_base64: Type.Optional(Type.String({ maxLength: 7 * 1024 * 1024, description: 'The patch bytes, base64-encoded (for patches that are not UTF-8).' })),
};

/** The patch text or bytes of a JSON body: exactly one of `mbox` and `content_base64`. */
function contentOf(body: { mbox?: string; content_base64?: string }): PatchFileInput[] {
  if (body.mbox !== undefined && body.content_base64 !== undefined) throw errors.field('mbox', 'Send either mbox or content_base64, not both.');
  if (body.content_base64 !== undefined) {
    const text = body.content_base64.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw errors.field('content_base64', 'This is not valid base64.');
    return [{ name: 'content_base64', content: Buffer.from(text, 'base64') }];
  }
  return [{ name: 'mbox', content: Buffer.from(body.mbox ?? '', 'utf8') }];
}

const idResponse = Type.Object({ id: Type.Integer() });

export function patchApiRoutes(_app: AppContext): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/reports/:ref/patches',
      schema: { params: RefParams },
      audience: 'public',
      leak: refParam,
      handler: async (req, _reply, scope) => {
        const data = await loadReportPatches(scope, req.params.ref);
        const ref = data.report.row.ref;
        return { matrix: matrixJson(ref, data.rows), patches: data.all.map((s) => summaryJson(ref, s)) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/:ref/patches',
      audience: 'user',
      leak: refParam,
      authorize: authorizeReport,
      bodyLimit: UPLOAD_BODY_LIMIT,
      schema: {
        params: RefParams,
        body: Type.Object(
          {
            project: Type.String({ maxLength: 63 }),
            branch: Type.Optional(Type.String({ maxLength: 200 })),
            branches: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
            repository: Type.Optional(Type.String({ maxLength: 100 })),
            replace_series: Type.Optional(Type.Boolean({ description: 'The upload is a new version of the series on each branch.' })),
            ...patchContent,
          },
          { additionalProperties: false },
        ),
      },
      handler: async (req, reply, scope) => {
        const body = req.body;
        const branches = [...(body.branch !== undefined ? [body.branch] : []), ...(body.branches ?? [])];
        if (!branches.length) throw errors.field('branch', 'Name the branch (or branches) the patch is for.');
        const result = await uploadPatches(scope, req.params.ref, {
          targets: branches.map((branch) => ({ project: body.project, branch, repository: body.repository ?? null })),
          files: contentOf(body),
          replaceSeries: body.replace_series === true,
        });
        return reply.code(201).send({
          targets: result.targets.map((t) => ({ project: t.target.projectSlug, repository: t.target.repository, branch: t.target.branch, patches: t.patchIds, new_versions: t.newVersions, abandoned: t.abandoned })),
        });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/reports/:ref/patches/:patchId',
      schema: { params: PatchIds },
      audience: 'public',
      leak: patchParams,
      handler: async (req, _reply, scope) => {
        const { ref, patchId } = req.params;
        const loaded = await loadPatchFor(scope, ref, patchId);
        return detailJson(loaded.report.row.ref, loaded.detail);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/reports/:ref/patches/:patchId/diff',
      schema: { params: PatchIds, querystring: Query('version') },
      audience: 'public',
      leak: patchParams,
      handler: async (req, _reply, scope) => {
        const { ref, patchId } = req.params;
        const loaded = await loadPatchFor(scope, ref, patchId);
        const version = pickVersion(loaded.detail, req.query.version);
        return { version: version.version, ...(await diffOf(scope, version)) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/:ref/patches/:patchId/versions',
      audience: 'user',
      leak: patchParams,
      authorize: authorizePatch,
      bodyLimit: UPLOAD_BODY_LIMIT,
      schema: { params: PatchIds, body: Type.Object(patchContent, { additionalProperties: false }) },
      handler: async (req, reply, scope) => {
        const { ref, patchId } = req.params;
        const added = await uploadVersion(scope, ref, Number(patchId), contentOf(req.body));
        return reply.code(201).send({ version: added.version });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/:ref/patches/:patchId/votes',
      audience: 'user',
      leak: patchParams,
      authorize: authorizePatch,
      schema: {
        params: PatchIds,
        body: Type.Object(
          {
            score: Type.Integer({ minimum: -2, maximum: 2 }),
            comment: Type.Optional(Type.String({ maxLength: 20_000 })),
            version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version voted on; refused when it is no longer current.' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: idResponse },
      },
      handler: async (req, reply, scope) => {
        const { ref, patchId } = req.params;
        const id = await castVote(scope, ref, Number(patchId), req.body);
        return reply.code(201).send({ id });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/:ref/patches/:patchId/comments',
      audience: 'user',
      leak: patchParams,
      authorize: authorizePatch,
      schema: {
        params: PatchIds,
        body: Type.Object(
          {
            body: Type.String({ minLength: 1, maxLength: 20_000 }),
            file: Type.Optional(Type.String({ maxLength: 4096 })),
            side: Type.Optional(Type.Union([Type.Literal('old'), Type.Literal('new')])),
            line: Type.Optional(Type.Integer({ minimum: 1 })),
            version: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: idResponse },
      },
      handler: async (req, reply, scope) => {
        const { ref, patchId } = req.params;
        const id = await commentOnPatch(scope, ref, Number(patchId), req.body);
        return reply.code(201).send({ id });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/:ref/patches/:patchId/recheck',
      audience: 'user',
      leak: patchParams,
      authorize: authorizePatch,
      schema: { params: PatchIds, body: NoBody },
      handler: async (req, reply, scope) => {
        const { ref, patchId } = req.params;
        await requestRecheck(scope, ref, Number(patchId));
        return reply.code(202).send({ queued: true });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/:ref/patches/:patchId/abandon',
      audience: 'user',
      leak: patchParams,
      authorize: authorizePatch,
      schema: { params: PatchIds, body: NoBody },
      handler: async (req, reply, scope) => {
        const { ref, patchId } = req.params;
        await abandonPatch(scope, ref, Number(patchId));
        return reply.code(204).send();
      },
    }),
  ];
}
