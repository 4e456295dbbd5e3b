// The publication settings pages (issue 15 item 3): the instance's form and each project's. The handlers
// in settings-routes.tsx load what is saved and render these.
import { Button, CsrfField, ErrorSummary, formValue, Select, TextField, type FormState } from '../web/components.js';
import type { SafeHtml } from '../web/jsx.js';
import type { PageContext } from '../web/layout.js';
import { OSV_ECOSYSTEMS } from './formats/packages.js';
import type { InstancePublicationInput, ProjectPublicationInput } from './settings-store.js';
import { projectPublicationPath, PUBLICATION_SETTINGS_PATH } from './settings.js';

const ECOSYSTEM_OPTIONS: [string, string][] = [['', 'None (no package is published)'], ...Object.keys(OSV_ECOSYSTEMS).map((e): [string, string] => [e, e])];

export interface InstancePublicationView {
  ctx: PageContext;
  saved: InstancePublicationInput;
  /** What was sent and refused, if anything. */
  state?: FormState;
  /** VENDOR_NAME from the environment (it wins over the field). */
  envVendor: string;
  instanceName: string;
}

export function InstancePublicationPage({ ctx, saved, state, envVendor, instanceName }: InstancePublicationView): SafeHtml {
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
  return (
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
        <TextField name="publisher_name" label="Publisher name" hint={`Feed author and CSAF publisher. Empty: the instance name, “${instanceName}”.`} state={formState} />
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
  );
}

export interface ProjectPublicationView {
  ctx: PageContext;
  project: { slug: string; name: string };
  saved: ProjectPublicationInput;
  state?: FormState;
}

export function ProjectPublicationPage({ ctx, project, saved, state }: ProjectPublicationView): SafeHtml {
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
  return (
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
  );
}
