// The VMT's advisory workspace: the list of advisories in progress, drafting (from scratch or from a
// class A report) and editing. Every route is for `advisories.edit` only: anyone else gets 404.
import { Type, type TOptional, type TString } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { formAction, formRefusal, type FormRefusalView } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { keepValues, str, type FormBody } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import type { FormState } from '../web/components.js';
import { EDITOR_FIELDS, formFromRecord, type AdvisoryForm } from './editor-input.js';
import { DraftsPage, EditAdvisoryPage, NewAdvisoryPage } from './editor-page.js';
import { createAdvisory, saveAdvisory } from './commands.js';
import { prefillFromReport } from './from-report.js';
import { advisoryForEditor, listWorkItems } from './store.js';
import { FormFields, Params, Text } from '../http/schemas.js';


// The editor's text fields (one item per line), all optional: what is left out keeps its value.
const EditorForm = FormFields({
  ...(Object.fromEntries(EDITOR_FIELDS.map((f) => [f, Type.Optional(Text(50_000))])) as Record<(typeof EDITOR_FIELDS)[number], TOptional<TString>>),
  report: Type.Optional(Text(20)),
  revision: Type.Optional(Text(20)),
});

export function formInput(form: FormBody): Partial<AdvisoryForm> {
  const out: Partial<AdvisoryForm> = {};
  for (const f of EDITOR_FIELDS) if (form[f] !== undefined) out[f] = str(form, f);
  return out;
}

/** A refused draft goes back to the form with what was typed; a conflict is shown at the revision (form-action.ts). */
function refusedView(form: FormBody, show: (state: FormState, status: number) => Promise<FastifyReply>, back: string): FormRefusalView {
  return { back, field: 'revision', again: (issues, error) => show({ values: keepValues(form), issues }, error.status) };
}

export function editorRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;

  const newPage = async (req: FastifyRequest, reply: FastifyReply, state: FormState, reportRef: string, hints: string[], status = 200) =>
    sendPage(app, req, reply, 'New advisory', (ctx) => <NewAdvisoryPage ctx={ctx} state={state} reportRef={reportRef} hints={hints} />, { status, wide: true });

  const editPage = async (req: FastifyRequest, reply: FastifyReply, ref: string, state: FormState | null, status = 200) => {
    const loaded = await advisoryForEditor(db, req.actor, ref);
    const values = state?.values ?? { ...formFromRecord(loaded.record), revision: String(loaded.row.current_revision) };
    return sendPage(app, req, reply, `Edit ${ref}`, (ctx) => <EditAdvisoryPage ctx={ctx} loaded={loaded} values={values} issues={state?.issues ?? []} />, { status, wide: true });
  };

  return [
    {
      method: 'GET',
      url: '/advisories/drafts',
      audience: 'advisories.edit',
      handler: async (req, reply) => {
        const items = await listWorkItems(db);
        return sendPage(app, req, reply, 'Advisories in progress', () => <DraftsPage items={items} />, { wide: true });
      },
    },
    {
      method: 'GET',
      url: '/advisories/new',
      audience: 'advisories.edit',
      handler: async (req, reply, scope) => {
        const reportRef = str((req.query ?? {}) as FormBody, 'report').trim();
        if (!reportRef) return newPage(req, reply, { values: {} }, '', []);
        try {
          const prefill = await prefillFromReport(scope, reportRef);
          return newPage(req, reply, { values: prefill.form }, prefill.report.ref, prefill.hints);
        } catch (error) {
          // A report that is not class A (or already has an advisory): say so above an empty form.
          const refusal = formRefusal(error);
          if (!refusal) throw error;
          return newPage(req, reply, { values: {}, issues: [{ field: 'report', message: refusal.fields[0]?.message ?? refusal.message }] }, '', [], 400);
        }
      },
    },
    route({
      method: 'POST',
      url: '/advisories',
      audience: 'advisories.edit',
      form: true,
      schema: { body: EditorForm },
      handler: async (req, reply, scope) => {
        const form = req.body;
        const reportRef = (form.report ?? '').trim();
        const view = refusedView(form, (state, status) => newPage(req, reply, state, reportRef, [], status), '/advisories/new');
        return formAction(req, reply, view, async () => {
          const ref = await createAdvisory(scope, formInput(form), reportRef ? { reportRef } : {});
          return { to: `/advisories/${ref}/manage`, message: `Draft ${ref} saved.` };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/advisories/:id/edit',
      schema: { params: Params('id') },
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      handler: async (req, reply) => editPage(req, reply, req.params.id, null),
    }),
    route({
      method: 'POST',
      url: '/advisories/:id/edit',
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      form: true,
      schema: { params: Params('id'), body: EditorForm },
      handler: async (req, reply, scope) => {
        const { id } = req.params;
        const form = req.body;
        await advisoryForEditor(db, scope.actor, id);
        const revision = Number(form.revision ?? '');
        return formAction(req, reply, refusedView(form, (state, status) => editPage(req, reply, id, state, status), `/advisories/${id}/edit`), async () => {
          const saved = await saveAdvisory(scope, id, formInput(form), Number.isInteger(revision) && revision > 0 ? revision : undefined);
          return { to: `/advisories/${id}/manage`, message: saved.changed.length ? `Revision ${saved.revision} saved.` : 'Nothing changed.' };
        });
      },
    }),
  ];
}
