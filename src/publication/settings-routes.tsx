// Publication settings pages (issue 15 item 3): the instance's (admins, /admin/publication) and each
// project's (admins, the VMT and the project's lead, /projects/:slug/publication). Thin handlers:
// validate → load → authorize → command (settings-store.ts) → present.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canEditProjectPublication } from '../access/policy.js';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import type { RouteDef } from '../http/route.js';
import { formBody, keepValues, lines, str, type FormBody } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { Button, CsrfField, ErrorSummary, formValue, Select, TextField, type FormState } from '../web/components.js';
import { OSV_ECOSYSTEMS } from './formats/packages.js';
import {
  loadInstancePublication,
  loadProjectPublication,
  saveInstancePublication,
  saveProjectPublication,
  type InstancePublicationInput,
  type ProjectPublicationInput,
} from './settings-store.js';
import { projectPublicationPath, PUBLICATION_SETTINGS_PATH } from './settings.js';
import type { CnaChoice } from './tables.js';
import { Params } from '../http/schemas.js';


/** A form that lacks its own fields (a stray or scripted POST) saves nothing rather than blanking the settings. */
function requireFields(form: FormBody, names: string[]): void {
  const missing = names.filter((n) => !(n in form));
  if (missing.length) throw errors.validation(missing.map((field) => ({ field, message: 'This field is missing from the form.' })), 'The form was incomplete; nothing was saved.');
}

const INSTANCE_FIELDS = ['vendor_name', 'publisher_name', 'feed_rights', 'cna_choice', 'cna_org_id', 'cna_short_name', 'osv_id_prefix'];
const PROJECT_FIELDS = ['products', 'ecosystem', 'purl_type', 'cve_version_type', 'vendor_name'];

function instanceFromForm(form: FormBody): InstancePublicationInput {
  requireFields(form, INSTANCE_FIELDS);
  return {
    vendorName: str(form, 'vendor_name'),
    publisherName: str(form, 'publisher_name'),
    feedRights: str(form, 'feed_rights'),
    cnaChoice: str(form, 'cna_choice') as CnaChoice,
    cnaOrgId: str(form, 'cna_org_id'),
    cnaShortName: str(form, 'cna_short_name'),
    osvIdPrefix: str(form, 'osv_id_prefix'),
  };
}

/** `Widget = widget-core` or just `Widget`. */
function projectFromForm(form: FormBody): ProjectPublicationInput {
  requireFields(form, PROJECT_FIELDS);
  return {
    products: lines(form, 'products').map((l) => {
      const at = l.indexOf('=');
      return at < 0 ? { name: l, package: '' } : { name: l.slice(0, at), package: l.slice(at + 1) };
    }),
    ecosystem: str(form, 'ecosystem'),
    purlType: str(form, 'purl_type'),
    cveVersionType: str(form, 'cve_version_type'),
    vendorName: str(form, 'vendor_name'),
  };
}

const ECOSYSTEM_OPTIONS: [string, string][] = [['', 'None (no package is published)'], ...Object.keys(OSV_ECOSYSTEMS).map((e): [string, string] => [e, e])];

async function instancePage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const saved = await loadInstancePublication(app.storage.db);
  const v = (name: string, fallback: string) => formValue(state?.values, name, fallback);
  const formState: FormState = {
    issues: state?.issues ?? [],
    values: {
      vendor_name: v('vendor_name', saved.vendorName),
      publisher_name: v('publisher_name', saved.publisherName),
      feed_rights: v('feed_rights', saved.feedRights),
      cna_org_id: v('cna_org_id', saved.cnaOrgId),
      cna_short_name: v('cna_short_name', saved.cnaShortName),
      osv_id_prefix: v('osv_id_prefix', saved.osvIdPrefix),
    },
  };
  const envVendor = app.config.vendorName.trim();
  return sendPage(app, req, reply, 'Publication settings', (ctx) => (
    <>
      <h1>Publication settings</h1>
      <p class="lead">
        What published advisories and notes say about who publishes them. Only what is entered here (and on each project’s publication settings) is published; a field left empty is left out of
        the records, and the publication checklist says when a format needs it.
      </p>
      <ErrorSummary state={formState} />
      <form method="post" action={PUBLICATION_SETTINGS_PATH} class="stack card">
        <CsrfField token={ctx.csrfToken} />
        <TextField
          name="vendor_name"
          label="Vendor name"
          hint={envVendor ? `VENDOR_NAME is set to “${envVendor}” in the environment and wins over this field.` : 'Vendor of the products in CVE and CSAF records (e.g. Example Foundation). Projects may override it.'}
          state={formState}
        />
        <TextField name="publisher_name" label="Publisher name" hint={`Feed author and CSAF publisher. Empty: the instance name, “${app.config.instanceName}”.`} state={formState} />
        <TextField name="feed_rights" label="Feed rights line" hint="Atom rights of the feeds, e.g. “© 2026 Example Foundation, CC BY 4.0”. Empty: none." state={formState} />
        <Select
          name="cna_choice"
          label="CVE records (CVE JSON 5)"
          options={[
            ['unset', 'Not decided yet (the checklist asks before publishing)'],
            ['none', 'No CVE records: another CNA publishes them'],
            ['set', 'Published for the CNA below'],
          ]}
          selected={formValue(state?.values, 'cna_choice', saved.cnaChoice)}
          state={formState}
        />
        <TextField name="cna_org_id" label="CNA organisation id" hint="The CVE Services organisation UUID of the CNA that assigns your CVE ids (cveMetadata.assignerOrgId)." state={formState} />
        <TextField name="cna_short_name" label="CNA short name" hint="Its CVE Services short name (assignerShortName)." state={formState} />
        <Select
          name="osv_id_prefix"
          label="OSV id prefix"
          options={[
            ['x_', '“x_” — the advisory prefix is not registered with OSV'],
            ['', 'None — the advisory prefix is registered with OSV'],
          ]}
          selected={formValue(state?.values, 'osv_id_prefix', saved.osvIdPrefix)}
          state={formState}
        />
        <div class="actions">
          <Button>Save publication settings</Button>
        </div>
      </form>
      <p class="muted">Product names, package ecosystems and package names are entered per project, on each project’s page (“Publication settings”).</p>
    </>
  ), { status });
}

async function projectPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, project: { id: number; slug: string; name: string }, state?: FormState, status?: number) {
  const saved = await loadProjectPublication(app.storage.db, project.id);
  const v = (name: string, fallback: string) => formValue(state?.values, name, fallback);
  const formState: FormState = {
    issues: state?.issues ?? [],
    values: {
      products: v('products', saved.products.map((p) => (p.package ? `${p.name} = ${p.package}` : p.name)).join('\n')),
      purl_type: v('purl_type', saved.purlType),
      cve_version_type: v('cve_version_type', saved.cveVersionType),
      vendor_name: v('vendor_name', saved.vendorName),
    },
  };
  return sendPage(app, req, reply, `Publication settings of ${project.name}`, (ctx) => (
    <>
      <h1>Publication settings of {project.name}</h1>
      <p class="lead">
        How advisories name {project.name}’s products in OSV, CVE and CSAF records. Advisories that list “{project.slug}”, “{project.name}” or a product below use these values; nothing here is
        guessed.
      </p>
      <ErrorSummary state={formState} />
      <form method="post" action={projectPublicationPath(project.slug)} class="stack card">
        <CsrfField token={ctx.csrfToken} />
        <TextField
          name="products"
          label="Products"
          hint="One per line: the product name advisories use, then optionally “= package name” in the ecosystem below (e.g. Widget = widget-core)."
          multiline
          rows={4}
          state={formState}
        />
        <Select name="ecosystem" label="Package ecosystem (OSV)" options={ECOSYSTEM_OPTIONS} selected={formValue(state?.values, 'ecosystem', saved.ecosystem)} state={formState} />
        <TextField name="purl_type" label="purl type" hint="Empty: the ecosystem’s own (PyPI → pypi, npm → npm, crates.io → cargo …)." state={formState} />
        <TextField name="cve_version_type" label="CVE version type" hint="versionType of CVE version ranges, e.g. semver or python. Empty: the ecosystem’s usual one, else “custom” (unspecified)." state={formState} />
        <TextField name="vendor_name" label="Vendor (overrides the instance’s)" hint="Empty: the vendor of the instance’s publication settings, if any." state={formState} />
        <div class="actions">
          <Button>Save publication settings</Button>
          <a href={`/projects/${project.slug}`}>Back to {project.name}</a>
        </div>
      </form>
    </>
  ), { status });
}

async function projectFor(app: AppContext, slug: string) {
  const project = await app.storage.db.selectFrom('projects').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
  if (!project) throw errors.notFound('project');
  return project;
}

export function publicationSettingsRoutes(app: AppContext): RouteDef[] {
  return [
    { method: 'GET', url: PUBLICATION_SETTINGS_PATH, audience: 'admin.write', handler: async (req, reply) => instancePage(app, req, reply) },
    {
      method: 'POST',
      url: PUBLICATION_SETTINGS_PATH,
      audience: 'admin.write',
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => instancePage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: PUBLICATION_SETTINGS_PATH, again }, async () => {
          await saveInstancePublication(scope, instanceFromForm(form));
          return { to: PUBLICATION_SETTINGS_PATH, message: 'Publication settings saved. They apply to what is published from now on.' };
        });
      },
    },
    {
      method: 'GET',
      url: '/projects/:slug/publication',
      schema: { params: Params('slug') },
      audience: 'user',
      leak: { params: { slug: 'project' } },
      handler: async (req, reply, { actor }) => {
        const project = await projectFor(app, (req.params as { slug: string }).slug);
        if (!canEditProjectPublication(actor, project.id)) throw errors.notFound('project');
        return projectPage(app, req, reply, project);
      },
    },
    {
      method: 'POST',
      url: '/projects/:slug/publication',
      audience: 'user',
      leak: { params: { slug: 'project' } },
      authorize: async (req, { actor }) => {
        const project = await projectFor(app, (req.params as { slug: string }).slug);
        if (!canEditProjectPublication(actor, project.id)) throw errors.notFound('project');
      },
      handler: async (req, reply, scope) => {
        const project = await projectFor(app, (req.params as { slug: string }).slug);
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => projectPage(app, req, reply, project, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: projectPublicationPath(project.slug), again }, async () => {
          await saveProjectPublication(scope, project.slug, projectFromForm(form));
          return { to: projectPublicationPath(project.slug), message: 'Publication settings saved. They apply to what is published from now on.' };
        });
      },
    },
  ];
}
