// Stored publication settings (tables publication_settings and project_publication_settings, migration
// 0016): reading them, and changing them through change() with their audit event. Validation happens
// here, at the boundary: bad input gets field errors and changes nothing.
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import { getProjectBySlug, listProjects } from '../projects/projects.js';
import type { Db } from '../storage/database.js';
import { isOsvEcosystem, OSV_ECOSYSTEMS } from './formats/packages.js';
import type { CnaChoice, ProjectPublicationSettingsTable, PublicationSettingsTable } from './tables.js';

export const CNA_CHOICES: readonly CnaChoice[] = ['unset', 'none', 'set'];

export interface InstancePublicationInput {
  vendorName: string;
  publisherName: string;
  feedRights: string;
  cnaChoice: CnaChoice;
  cnaOrgId: string;
  cnaShortName: string;
  osvIdPrefix: string;
}

export interface ProductEntry {
  name: string;
  /** '' when no package name was entered. */
  package: string;
}

export interface ProjectPublicationInput {
  products: ProductEntry[];
  /** An OSV_ECOSYSTEMS key, or '' for none. */
  ecosystem: string;
  purlType: string;
  cveVersionType: string;
  vendorName: string;
}

export const NOTHING_ENTERED: InstancePublicationInput = { vendorName: '', publisherName: '', feedRights: '', cnaChoice: 'unset', cnaOrgId: '', cnaShortName: '', osvIdPrefix: 'x_' };
export const NO_PROJECT_SETTINGS: ProjectPublicationInput = { products: [], ecosystem: '', purlType: '', cveVersionType: '', vendorName: '' };

const UUID_V4 = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;
// CVE JSON 5 `shortName`: 2–32 characters.
const SHORT_NAME = /^[A-Za-z0-9_-]{2,32}$/;
// purl-spec: a type is ASCII letters, digits, `.`, `+` and `-`, not starting with a digit.
const PURL_TYPE = /^[a-z][a-z0-9.+-]{0,31}$/;
// CVE JSON 5 `versionType` is free text (1–128); keep it a plain word such as semver or python.
const VERSION_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_TEXT = 200;

function fromRow(row: PublicationSettingsTable | undefined): InstancePublicationInput {
  if (!row) return { ...NOTHING_ENTERED };
  return { vendorName: row.vendor_name, publisherName: row.publisher_name, feedRights: row.feed_rights, cnaChoice: row.cna_choice, cnaOrgId: row.cna_org_id, cnaShortName: row.cna_short_name, osvIdPrefix: row.osv_id_prefix };
}

export async function loadInstancePublication(db: Db): Promise<InstancePublicationInput> {
  return fromRow(await db.selectFrom('publication_settings').selectAll().where('id', '=', 1).executeTakeFirst());
}

function projectFromRow(row: ProjectPublicationSettingsTable | undefined): ProjectPublicationInput {
  if (!row) return { ...NO_PROJECT_SETTINGS, products: [] };
  return { products: JSON.parse(row.products_json) as ProductEntry[], ecosystem: row.ecosystem, purlType: row.purl_type, cveVersionType: row.cve_version_type, vendorName: row.vendor_name };
}

export async function loadProjectPublication(db: Db, projectId: number): Promise<ProjectPublicationInput> {
  return projectFromRow(await db.selectFrom('project_publication_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst());
}

export interface ProjectPublication extends ProjectPublicationInput {
  slug: string;
  name: string;
}

/** Every project with its settings (nothing entered for projects without a row). */
export async function loadAllProjectPublications(db: Db): Promise<ProjectPublication[]> {
  const projects = (await listProjects(db)).sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  const rows = await db.selectFrom('project_publication_settings').selectAll().execute();
  const byId = new Map(rows.map((r) => [r.project_id, r]));
  return projects.map((p) => ({ slug: p.slug, name: p.name, ...projectFromRow(byId.get(p.id)) }));
}

function plainText(issues: IssueCollector, field: string, value: string): string {
  const v = value.trim();
  if (v.length > MAX_TEXT || /\p{Cc}/u.test(v)) issues.add(field, `Use at most ${MAX_TEXT} characters on one line.`);
  return v;
}

export function validateInstancePublication(input: InstancePublicationInput): InstancePublicationInput {
  const issues = new IssueCollector();
  const out: InstancePublicationInput = {
    vendorName: plainText(issues, 'vendor_name', input.vendorName),
    publisherName: plainText(issues, 'publisher_name', input.publisherName),
    feedRights: plainText(issues, 'feed_rights', input.feedRights),
    cnaChoice: input.cnaChoice,
    cnaOrgId: input.cnaOrgId.trim().toLowerCase(),
    cnaShortName: input.cnaShortName.trim(),
    osvIdPrefix: input.osvIdPrefix.trim(),
  };
  if (!CNA_CHOICES.includes(out.cnaChoice)) issues.add('cna_choice', 'Choose whether this instance publishes CVE records, and for which CNA.');
  if (out.cnaChoice === 'set') {
    if (!UUID_V4.test(out.cnaOrgId)) issues.add('cna_org_id', 'Enter the CNA’s CVE Services organisation id, a version 4 UUID.');
    if (!SHORT_NAME.test(out.cnaShortName)) issues.add('cna_short_name', 'Enter the CNA’s short name: 2–32 letters, digits, "_" or "-".');
  } else {
    // Only a chosen CNA is stored, so nothing half-entered is ever published.
    out.cnaOrgId = '';
    out.cnaShortName = '';
  }
  if (out.osvIdPrefix !== 'x_' && out.osvIdPrefix !== '') issues.add('osv_id_prefix', 'Use "x_" (a database not registered with OSV) or nothing (a registered prefix).');
  issues.throwIfAny('The publication settings need fixing; nothing was saved.');
  return out;
}

export function validateProjectPublication(input: ProjectPublicationInput): ProjectPublicationInput {
  const issues = new IssueCollector();
  const seen = new Set<string>();
  const products: ProductEntry[] = [];
  input.products.forEach((p, i) => {
    const name = p.name.trim();
    const pkg = p.package.trim();
    if (!name || name.length > 100 || /[\p{Cc}=]/u.test(name)) issues.add('products', `Line ${i + 1}: write a product name (at most 100 characters), optionally followed by "= package".`);
    else if (seen.has(name.toLowerCase())) issues.add('products', `Line ${i + 1}: ${name} is listed twice.`);
    if (pkg.length > 214 || /[\s\p{Cc}]/u.test(pkg)) issues.add('products', `Line ${i + 1}: a package name has no spaces and at most 214 characters.`);
    seen.add(name.toLowerCase());
    products.push({ name, package: pkg });
  });
  if (products.length > 50) issues.add('products', 'List at most 50 products.');
  const ecosystem = input.ecosystem.trim();
  if (ecosystem !== '' && !isOsvEcosystem(ecosystem)) issues.add('ecosystem', `Choose one of ${Object.keys(OSV_ECOSYSTEMS).join(', ')}, or none.`);
  if (ecosystem === '' && products.some((p) => p.package)) issues.add('ecosystem', 'Package names need the ecosystem they are published in.');
  const purlType = input.purlType.trim().toLowerCase();
  if (purlType && !PURL_TYPE.test(purlType)) issues.add('purl_type', 'A purl type is lower-case letters, digits, ".", "+" or "-" (e.g. pypi, npm, generic).');
  const cveVersionType = input.cveVersionType.trim();
  if (cveVersionType && !VERSION_TYPE.test(cveVersionType)) issues.add('cve_version_type', 'A version type is one word, such as semver, python or maven.');
  const vendorName = plainText(issues, 'vendor_name', input.vendorName);
  issues.throwIfAny('The project’s publication settings need fixing; nothing was saved.');
  return { products, ecosystem, purlType, cveVersionType, vendorName };
}

/** Saves the instance settings (one row), audited as publication.settings_changed. */
export async function saveInstancePublication(scope: Scope, input: InstancePublicationInput): Promise<InstancePublicationInput> {
  const valid = validateInstancePublication(input);
  return change(scope, async ({ trx, now, audit }) => {
    const before = await loadInstancePublication(trx);
    const values = {
      vendor_name: valid.vendorName,
      publisher_name: valid.publisherName,
      feed_rights: valid.feedRights,
      cna_choice: valid.cnaChoice,
      cna_org_id: valid.cnaOrgId,
      cna_short_name: valid.cnaShortName,
      osv_id_prefix: valid.osvIdPrefix,
      updated_at: now.toISOString(),
    };
    await trx.insertInto('publication_settings').values({ id: 1, ...values }).onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
    await audit('publication.settings_changed', 'instance', null, before, valid);
    return valid;
  });
}

/** Saves one project's settings, audited as project.publication_changed. */
export async function saveProjectPublication(scope: Scope, slug: string, input: ProjectPublicationInput): Promise<ProjectPublicationInput> {
  const valid = validateProjectPublication(input);
  return change(scope, async ({ trx, now, audit }) => {
    const project = await getProjectBySlug(trx, slug);
    if (!project) throw errors.notFound('project');
    const before = await loadProjectPublication(trx, project.id);
    const values = {
      products_json: JSON.stringify(valid.products),
      ecosystem: valid.ecosystem,
      purl_type: valid.purlType,
      cve_version_type: valid.cveVersionType,
      vendor_name: valid.vendorName,
      updated_at: now.toISOString(),
    };
    await trx.insertInto('project_publication_settings').values({ project_id: project.id, ...values }).onConflict((oc) => oc.column('project_id').doUpdateSet(values)).execute();
    await audit('project.publication_changed', 'project', project.id, before, valid);
    return valid;
  });
}
