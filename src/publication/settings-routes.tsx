// Publication settings pages (issue 15 item 3): the instance's (admins, /admin/publication) and each
// project's (admins, the VMT and the project's lead, /projects/:slug/publication). Thin handlers:
// validate → load → authorize → command (settings-store.ts) → present (settings-page.tsx).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.js';
import { canEditProjectPublication } from '../access/policy.js';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { keepValues } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { FormFields, Params, StringEnum, Text } from '../http/schemas.js';
import type { FormState } from '../web/components.js';
import { getProjectBySlug } from '../projects/projects.js';
import { InstancePublicationPage, ProjectPublicationPage } from './settings-page.js';
import {
  CNA_CHOICES,
  loadInstancePublication,
  loadProjectPublication,
  saveInstancePublication,
  saveProjectPublication,
  type InstancePublicationInput,
  type ProjectPublicationInput,
} from './settings-store.js';
import { projectPublicationPath, PUBLICATION_SETTINGS_PATH } from './settings.js';

// Every field is optional to the schema so that a form missing some is refused by requireFields, by name.
const InstanceForm = FormFields({
  vendor_name: Type.Optional(Text(500)),
  publisher_name: Type.Optional(Text(500)),
  feed_rights: Type.Optional(Text(500)),
  cna_choice: Type.Optional(StringEnum(CNA_CHOICES)),
  cna_org_id: Type.Optional(Text(500)),
  cna_short_name: Type.Optional(Text(500)),
  osv_id_prefix: Type.Optional(Text(50)),
});
type InstanceFormBody = (typeof InstanceForm)['static'];

const ProjectForm = FormFields({
  products: Type.Optional(Text(20_000)),
  ecosystem: Type.Optional(Text(200)),
  purl_type: Type.Optional(Text(500)),
  cve_version_type: Type.Optional(Text(500)),
  vendor_name: Type.Optional(Text(500)),
});
type ProjectFormBody = (typeof ProjectForm)['static'];

/** A form that lacks its own fields (a stray or scripted POST) saves nothing rather than blanking the settings. */
function requireFields(form: object, names: string[]): void {
  const missing = names.filter((n) => !(n in form));
  if (missing.length) throw errors.validation(missing.map((field) => ({ field, message: 'This field is missing from the form.' })), 'The form was incomplete; nothing was saved.');
}

const INSTANCE_FIELDS = ['vendor_name', 'publisher_name', 'feed_rights', 'cna_choice', 'cna_org_id', 'cna_short_name', 'osv_id_prefix'];
const PROJECT_FIELDS = ['products', 'ecosystem', 'purl_type', 'cve_version_type', 'vendor_name'];

function instanceFromForm(form: InstanceFormBody): InstancePublicationInput {
  requireFields(form, INSTANCE_FIELDS);
  return {
    vendorName: form.vendor_name ?? '',
    publisherName: form.publisher_name ?? '',
    feedRights: form.feed_rights ?? '',
    cnaChoice: form.cna_choice ?? 'unset',
    cnaOrgId: form.cna_org_id ?? '',
    cnaShortName: form.cna_short_name ?? '',
    osvIdPrefix: form.osv_id_prefix ?? '',
  };
}

/** `Widget = widget-core` or just `Widget`. */
function projectFromForm(form: ProjectFormBody): ProjectPublicationInput {
  requireFields(form, PROJECT_FIELDS);
  const products = (form.products ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return {
    products: products.map((l) => {
      const at = l.indexOf('=');
      return at < 0 ? { name: l, package: '' } : { name: l.slice(0, at), package: l.slice(at + 1) };
    }),
    ecosystem: form.ecosystem ?? '',
    purlType: form.purl_type ?? '',
    cveVersionType: form.cve_version_type ?? '',
    vendorName: form.vendor_name ?? '',
  };
}

async function instancePage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const saved = await loadInstancePublication(app.storage.db);
  const page = { saved, state, envVendor: app.config.vendorName.trim(), instanceName: app.config.instanceName };
  return sendPage(app, req, reply, 'Publication settings', (ctx) => <InstancePublicationPage ctx={ctx} {...page} />, { status });
}

async function projectPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, project: { id: number; slug: string; name: string }, state?: FormState, status?: number) {
  const saved = await loadProjectPublication(app.storage.db, project.id);
  return sendPage(app, req, reply, `Publication settings of ${project.name}`, (ctx) => <ProjectPublicationPage ctx={ctx} project={project} saved={saved} state={state} />, { status });
}

/** The project, when the actor may edit its publication settings; not found otherwise (DESIGN.md §5). */
async function editableProject(app: AppContext, actor: Actor, slug: string) {
  const project = await getProjectBySlug(app.storage.db, slug);
  if (!project || !canEditProjectPublication(actor, project.id)) throw errors.notFound('project');
  return project;
}

export function publicationSettingsRoutes(app: AppContext): RouteDef[] {
  return [
    { method: 'GET', url: PUBLICATION_SETTINGS_PATH, audience: 'admin.write', handler: async (req, reply) => instancePage(app, req, reply) },
    route({
      method: 'POST',
      url: PUBLICATION_SETTINGS_PATH,
      audience: 'admin.write',
      form: true,
      schema: { body: InstanceForm },
      handler: async (req, reply, scope) => {
        const form = req.body;
        const again = (issues: FieldIssue[], error: AppError) => instancePage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: PUBLICATION_SETTINGS_PATH, again }, async () => {
          await saveInstancePublication(scope, instanceFromForm(form));
          return { to: PUBLICATION_SETTINGS_PATH, message: 'Publication settings saved. They apply to what is published from now on.' };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/projects/:slug/publication',
      schema: { params: Params('slug') },
      audience: 'user',
      leak: { params: { slug: 'project' } },
      authorize: async (req, { actor }) => editableProject(app, actor, req.params.slug),
      handler: async (req, reply, { actor }) => projectPage(app, req, reply, await editableProject(app, actor, req.params.slug)),
    }),
    route({
      method: 'POST',
      url: '/projects/:slug/publication',
      audience: 'user',
      leak: { params: { slug: 'project' } },
      form: true,
      schema: { params: Params('slug'), body: ProjectForm },
      authorize: async (req, { actor }) => editableProject(app, actor, req.params.slug),
      handler: async (req, reply, scope) => {
        const project = await editableProject(app, scope.actor, req.params.slug);
        const form = req.body;
        const again = (issues: FieldIssue[], error: AppError) => projectPage(app, req, reply, project, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: projectPublicationPath(project.slug), again }, async () => {
          await saveProjectPublication(scope, project.slug, projectFromForm(form));
          return { to: projectPublicationPath(project.slug), message: 'Publication settings saved. They apply to what is published from now on.' };
        });
      },
    }),
  ];
}
