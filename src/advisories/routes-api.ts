// JSON API of advisories: the published ones for everyone (list with search, one advisory), and the
// VMT's drafting workflow (read, create, save, approve, publish, erratum). Bodies use the editor's text
// fields (one item per line), so the API and the form accept exactly the same input.
import { Type, type TSchema } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { route, type RouteDef } from '../http/route.js';
import { advisoryUrl } from '../publication/formats/settings.js';
import { publishedRecord, publishedSummaries } from './published.js';
import { searchSummaries } from '../publication/published.js';
import { publicationSettingsFor, publishesCveRecordsOf } from '../publication/settings.js';
import { advisoryFileLinks } from '../publication/pages.js';
import { EDITOR_FIELDS, formFromRecord, type AdvisoryForm } from './editor-input.js';
import { addErratum, approveAdvisory, createAdvisory, saveAdvisory } from './commands.js';
import { publicationReadiness, publishAdvisory } from './publish.js';
import { confirmFields, requireConfirmation } from '../http/confirm.js';
import { advisoryForEditor } from './store.js';
import type { AdvisoryRecord } from '../publication/record.js';
import { Params } from '../http/schemas.js';

const fieldSchemas: Record<string, TSchema> = Object.fromEntries(EDITOR_FIELDS.map((f) => [f, Type.Optional(Type.String({ maxLength: 50_000 }))]));
const Id = Params('id');
const revision = Type.Integer({ minimum: 1 });

/** The public view of a record: every typed field, without the import bookkeeping. */
export function presentRecord(record: AdvisoryRecord): Omit<AdvisoryRecord, 'raw' | 'sourceYaml' | 'extra'> {
  const { raw: _raw, sourceYaml: _source, extra: _extra, ...rest } = record;
  return rest;
}

function pickFields(body: Record<string, unknown>): Partial<AdvisoryForm> {
  const out: Partial<AdvisoryForm> = {};
  for (const f of EDITOR_FIELDS) {
    const v = body[f];
    if (typeof v === 'string') out[f] = v;
  }
  return out;
}

export function advisoryApiRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  const settings = publicationSettingsFor(app.config);
  return [
    route({
      method: 'GET',
      url: '/api/v1/advisories',
      audience: 'public',
      schema: { querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), year: Type.Optional(Type.Integer({ minimum: 1990, maximum: 9999 })) }) },
      handler: async (req) => {
        const query = req.query;
        let items = searchSummaries(await publishedSummaries(db), query.q ?? '');
        if (query.year !== undefined) items = items.filter((s) => s.year === query.year);
        return { total: items.length, advisories: items.map((s) => ({ ...s, url: advisoryUrl(settings, s.ref) })) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/advisories/:id',
      schema: { params: Id },
      audience: 'public',
      leak: { params: { id: 'advisory' } },
      handler: async (req) => {
        const record = await publishedRecord(db, req.params.id);
        if (!record) throw errors.notFound('advisory');
        const page = advisoryUrl(settings, record.id);
        const cveRecords = await publishesCveRecordsOf(app.config, db, record);
        return { url: page, files: advisoryFileLinks(record, cveRecords).map((f) => ({ label: f.label, url: new URL(f.href, page).toString() })), record: presentRecord(record) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/advisories/:id/draft',
      schema: { params: Id },
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      handler: async (req, _reply, scope) => {
        const loaded = await advisoryForEditor(db, scope.actor, req.params.id);
        const readiness = await publicationReadiness(scope, loaded);
        return {
          ref: loaded.row.ref,
          status: loaded.row.status,
          revision: loaded.row.current_revision,
          published_revision: loaded.row.published_revision,
          report: readiness.report?.ref ?? null,
          fields: formFromRecord(loaded.record),
          record: presentRecord(loaded.record),
          readiness: { ready: readiness.ready, checks: readiness.checks },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/advisories',
      audience: 'advisories.edit',
      schema: { body: Type.Object({ report: Type.Optional(Type.String({ maxLength: 20 })), ...fieldSchemas }, { additionalProperties: false }) },
      handler: async (req, reply, scope) => {
        const body: Record<string, unknown> = req.body;
        const ref = await createAdvisory(scope, pickFields(body), typeof body.report === 'string' ? { reportRef: body.report } : {});
        return reply.code(201).send({ ref, url: `/advisories/${ref}/manage` });
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/advisories/:id/draft',
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      schema: { params: Id, body: Type.Object({ revision: Type.Optional(revision), ...fieldSchemas }, { additionalProperties: false }) },
      handler: async (req, _reply, scope) => {
        const body: Record<string, unknown> = req.body;
        return saveAdvisory(scope, req.params.id, pickFields(body), typeof body.revision === 'number' ? body.revision : undefined);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/advisories/:id/approve',
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      schema: { params: Id, body: Type.Object({ revision }, { additionalProperties: false }) },
      handler: async (req, reply, scope) => {
        await approveAdvisory(scope, req.params.id, req.body.revision);
        return reply.code(204).send();
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/advisories/:id/publish',
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      // Irreversible: `confirm: true` and a reason, as on the confirmation page (issue 13 item 11).
      schema: { params: Id, body: Type.Object({ revision: Type.Optional(revision), ...confirmFields }, { additionalProperties: false }) },
      handler: async (req, _reply, scope) => {
        const body = req.body;
        const id = req.params.id;
        await advisoryForEditor(scope.app.storage.db, scope.actor, id);
        return publishAdvisory(scope, id, body.revision, requireConfirmation(body.confirm === true, body.reason));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/advisories/:id/errata',
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      schema: { params: Id, body: Type.Object({ text: Type.String({ maxLength: 10_000 }), revision: Type.Optional(revision) }, { additionalProperties: false }) },
      handler: async (req, _reply, scope) => {
        const body = req.body;
        return { revision: await addErratum(scope, req.params.id, body.text, body.revision) };
      },
    }),
  ];
}
