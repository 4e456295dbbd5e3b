// Routes of CI results (issue 20): the run page, its log and artifact downloads, the re-run button, and the
// JSON API. A run is private exactly like the report's patches: the same policy (canReadPatches) decides,
// and a run of another report, or of a report the caller may not read, is 404.
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply } from 'fastify';
import type { AppContext, Scope } from '../../context.js';
import { errors } from '../../errors/catalogue.js';
import { formAction } from '../../http/form-action.js';
import { sendPage } from '../../http/render.js';
import { route, type RouteDef } from '../../http/route.js';
import { EmptyForm, NoBody, Params, Query } from '../../http/schemas.js';
import { hasRole } from '../../access/actor.js';
import { canWriteWith } from '../../access/report-policy.js';
import { change } from '../../context.js';
import { getProjectById } from '../../projects/projects.js';
import { reportForActor, type ReportForActor } from '../../reports/load-for-actor.js';
import { canReadPatches, reviewerRole } from '../policy.js';
import { artifactDirFor } from './artifacts.js';
import { artifactsOf, runJson, runPath } from './present.js';
import { RunPage } from './run-views.js';
import { loadRun, queueRerun, runsOfReport, seriesOfRun, type CiRunRow } from './runs.js';

const runParams = { params: { ref: 'report', runId: 'ci_run' } } as const;
const refParam = { params: { ref: 'report' } } as const;
const RunIds = Params('ref', 'runId');

interface LoadedRun {
  report: ReportForActor;
  run: CiRunRow;
}

/** The run, when the actor may read the report's patches and the run belongs to that report; 404 otherwise. */
export async function loadRunFor(scope: Scope, ref: string, runIdParam: string): Promise<LoadedRun> {
  const report = await reportForActor(scope, ref);
  if (!canReadPatches(report.access)) throw errors.notFound('report');
  const runId = /^[1-9][0-9]{0,15}$/.test(runIdParam) ? Number(runIdParam) : NaN;
  const run = Number.isSafeInteger(runId) ? await loadRun(scope.app.storage.db, report.row.id, runId) : undefined;
  if (!run) throw errors.notFound('test run');
  return { report, run };
}

/** Re-runs: coresec of the run's project and the VMT (issue 20), with a token that may write. */
export function canRerun(scope: Scope, loaded: LoadedRun): boolean {
  if (!canWriteWith(scope.actor)) return false;
  return reviewerRole(scope.actor, loaded.report.access, loaded.run.project_id) === 'coresec' || (hasRole(scope.actor, 'vmt') && loaded.report.access === 'vmt');
}

export async function rerunTests(scope: Scope, ref: string, runIdParam: string): Promise<number> {
  const loaded = await loadRunFor(scope, ref, runIdParam);
  if (!canRerun(scope, loaded) || scope.actor.kind !== 'user') throw errors.forbiddenAction('Only coresec of the project and the VMT may run the tests again.');
  const userId = scope.actor.userId;
  const id = await change(scope, (c) => queueRerun(c, loaded.run, userId));
  if (id === null) throw errors.conflict('The project has no test recipe for this branch any more; set one first.');
  return id;
}

function sendFile(reply: FastifyReply, fileName: string, contentType: string, body: Buffer | string): FastifyReply {
  // Only safe characters in the header (RFC 6266 §4.3: a quoted token); the path is shown on the page.
  const safe = fileName.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || 'artifact';
  return reply
    .header('content-type', contentType)
    .header('content-disposition', `attachment; filename="${safe}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(body);
}

export function runRoutes(app: AppContext): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/reports/:ref/patches/runs/:runId',
      schema: { params: RunIds },
      audience: 'public',
      leak: runParams,
      handler: async (req, reply, scope) => {
        const loaded = await loadRunFor(scope, req.params.ref, req.params.runId);
        const db = app.storage.db;
        const [project, patches, runs] = await Promise.all([getProjectById(db, loaded.run.project_id), seriesOfRun(db, loaded.run), runsOfReport(db, loaded.report.row.id)]);
        const d = {
          ...loaded,
          projectName: project?.name ?? '',
          patches,
          history: runs.filter((r) => r.id !== loaded.run.id && r.project_id === loaded.run.project_id && r.repository === loaded.run.repository && r.branch === loaded.run.branch).slice(0, 20),
          canRerun: canRerun(scope, loaded),
        };
        return sendPage(app, req, reply, `Test run #${loaded.run.id} · ${loaded.report.row.ref}`, (ctx) => <RunPage ctx={ctx} d={d} />, { wide: true });
      },
    }),
    route({
      method: 'GET',
      url: '/reports/:ref/patches/runs/:runId/log',
      schema: { params: RunIds },
      audience: 'public',
      leak: runParams,
      handler: async (req, reply, scope) => {
        const { report, run } = await loadRunFor(scope, req.params.ref, req.params.runId);
        return sendFile(reply, `${report.row.ref.toLowerCase()}-run-${run.id}.log`, 'text/plain; charset=utf-8', run.log);
      },
    }),
    route({
      method: 'GET',
      url: '/reports/:ref/patches/runs/:runId/artifact',
      schema: { params: RunIds, querystring: Query('n') },
      audience: 'public',
      leak: runParams,
      handler: async (req, reply, scope) => {
        const { run } = await loadRunFor(scope, req.params.ref, req.params.runId);
        const n = /^\d{1,4}$/.test(req.query.n ?? '') ? Number(req.query.n) : -1;
        const artifact = artifactsOf(run)[n];
        if (!artifact) throw errors.notFound('artifact');
        const dir = artifactDirFor(app.config.dataDir, run.id);
        const file = path.resolve(dir, artifact.path);
        // Kept paths were checked when the recipe was saved; the file is read only if it is a plain file inside the run's directory.
        const inside = path.relative(dir, file);
        if (inside.startsWith('..') || path.isAbsolute(inside)) throw errors.notFound('artifact');
        const stat = lstatSync(file, { throwIfNoEntry: false });
        if (!stat?.isFile()) throw errors.notFound('artifact');
        return sendFile(reply, path.basename(artifact.path), 'application/octet-stream', readFileSync(file));
      },
    }),
    route({
      method: 'POST',
      url: '/reports/:ref/patches/runs/:runId/rerun',
      audience: 'user',
      leak: runParams,
      form: true,
      authorize: (req, scope) => loadRunFor(scope, req.params.ref, req.params.runId),
      schema: { params: RunIds, body: EmptyForm },
      handler: async (req, reply, scope) => {
        const back = runPath(req.params.ref, Number(req.params.runId));
        return formAction(req, reply, { back }, async () => {
          const id = await rerunTests(scope, req.params.ref, req.params.runId);
          return { to: runPath(req.params.ref, id), message: 'The tests will run again.' };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/reports/:ref/patches/runs',
      schema: { params: Params('ref') },
      audience: 'public',
      leak: refParam,
      handler: async (req, _reply, scope) => {
        const report = await reportForActor(scope, req.params.ref);
        if (!canReadPatches(report.access)) throw errors.notFound('report');
        const runs = await runsOfReport(app.storage.db, report.row.id);
        return { runs: runs.map((r) => runJson(report.row.ref, r)) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/reports/:ref/patches/runs/:runId',
      schema: { params: RunIds },
      audience: 'public',
      leak: runParams,
      handler: async (req, _reply, scope) => {
        const { report, run } = await loadRunFor(scope, req.params.ref, req.params.runId);
        return runJson(report.row.ref, run);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/reports/:ref/patches/runs/:runId/rerun',
      audience: 'user',
      leak: runParams,
      authorize: (req, scope) => loadRunFor(scope, req.params.ref, req.params.runId),
      schema: { params: RunIds, body: NoBody },
      handler: async (req, reply, scope) => {
        const id = await rerunTests(scope, req.params.ref, req.params.runId);
        return reply.status(201).send({ id, url: runPath(req.params.ref, id) });
      },
    }),
  ];
}
