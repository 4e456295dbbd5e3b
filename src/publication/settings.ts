// The publication settings a record is published under (DESIGN.md §3 "Publish only what was entered"):
// the instance's stored settings (environment variables such as VENDOR_NAME win when set), the
// projects' settings for their products, and OpenStack's values for records imported from OpenStack
// only. A record that lacks what a format needs is told by publicationSettingsProblems, before publishing.
import type { Config } from '../config/config.js';
import type { AdvisoryRecord } from './record.js';
import type { Db } from '../storage/database.js';
import { assignedCves, productVersions } from './formats/advisory-facts.js';
import { packageFacts } from './formats/packages.js';
import {
  enteredPublicationSettings,
  openStackPublicationSettings,
  type ProductPublication,
  type PublicationSettings,
} from './formats/settings.js';
import { loadAllProjectPublications, loadInstancePublication, NOTHING_ENTERED, type InstancePublicationInput, type ProjectPublication } from './settings-store.js';
import type { CnaChoice } from './tables.js';

/** Advisory pages are served at `/advisories/<id>` by the app (and `advisories/<id>.html` statically). */
export const ADVISORY_PATH_TEMPLATE = '/advisories/{id}';
/** Where an admin enters the instance's publication settings. */
export const PUBLICATION_SETTINGS_PATH = '/admin/publication';
export const projectPublicationPath = (slug: string): string => `/projects/${encodeURIComponent(slug)}/publication`;

export interface PublicationProfile {
  /** Settings of records created in Cordon: only what was entered. */
  entered: PublicationSettings;
  /** Settings of records imported from OpenStack: what was entered, else OpenStack's values. */
  imported: PublicationSettings;
  cnaChoice: CnaChoice;
  projects: ProjectPublication[];
}

/** Records imported from OSSA YAML keep their source file; records drafted in Cordon have none. */
export function isImportedRecord(record: AdvisoryRecord): boolean {
  return record.sourceYaml !== null;
}

function productsOf(projects: readonly ProjectPublication[]): ProductPublication[] {
  return projects.map((p) => {
    const names = new Set([p.slug.toLowerCase(), p.name.trim().toLowerCase(), ...p.products.map((e) => e.name.toLowerCase())]);
    return {
      names: [...names],
      vendorName: p.vendorName,
      ecosystem: p.ecosystem,
      packages: Object.fromEntries(p.products.filter((e) => e.package).map((e) => [e.name.toLowerCase(), e.package])),
      purlType: p.purlType,
      cveVersionType: p.cveVersionType,
    };
  });
}

/** Pure: the profile from the stored values and the configuration. */
export function publicationProfileOf(config: Config, stored: InstancePublicationInput, projects: ProjectPublication[]): PublicationProfile {
  const baseUrl = config.publicUrl.replace(/\/+$/, '');
  // An explicitly set VENDOR_NAME wins over the stored value (it was the only way before).
  const vendorName = config.vendorName.trim() || stored.vendorName;
  const publisherName = stored.publisherName || config.instanceName;
  const common = {
    advisoryIdPrefix: config.advisoryPrefix,
    baseUrl,
    advisoryPathTemplate: ADVISORY_PATH_TEMPLATE,
    osv: { ecosystem: '', idPrefix: stored.osvIdPrefix },
  };
  const contactDetails = config.teamEmail ? `Email: ${config.teamEmail}` : '';
  const cna = stored.cnaChoice === 'set' ? { orgId: stored.cnaOrgId, shortName: stored.cnaShortName } : { orgId: '', shortName: '' };
  const entered = enteredPublicationSettings({
    ...common,
    vendorName,
    publisher: { name: publisherName, namespace: baseUrl, contactDetails },
    cna,
    cveVersionType: '',
    feedRights: stored.feedRights,
    products: productsOf(projects),
  });
  const os = openStackPublicationSettings;
  const imported = enteredPublicationSettings({
    ...common,
    vendorName: vendorName || os.vendorName,
    publisher: { name: stored.publisherName || os.publisher.name, namespace: baseUrl, contactDetails },
    cna: stored.cnaChoice === 'set' ? cna : os.cna,
    osv: { ecosystem: os.osv.ecosystem, idPrefix: stored.osvIdPrefix },
    cveVersionType: os.cveVersionType,
    feedRights: stored.feedRights || os.feedRights,
    products: [],
  });
  return { entered, imported, cnaChoice: stored.cnaChoice, projects };
}

/** The instance settings as far as the configuration decides them (page URLs, prefixes). */
export function publicationSettingsFor(config: Config): PublicationSettings {
  return publicationProfileOf(config, NOTHING_ENTERED, []).entered;
}

export async function loadPublicationProfile(config: Config, db: Db): Promise<PublicationProfile> {
  const [stored, projects] = await Promise.all([loadInstancePublication(db), loadAllProjectPublications(db)]);
  return publicationProfileOf(config, stored, projects);
}

export function settingsForRecord(profile: PublicationProfile, record: AdvisoryRecord): PublicationSettings {
  return isImportedRecord(record) ? profile.imported : profile.entered;
}

/** Whether the record's CVE JSON 5 files are published: only for a chosen CNA (or an imported record). */
export function publishesCveRecords(profile: PublicationProfile, record: AdvisoryRecord): boolean {
  return settingsForRecord(profile, record).cna.orgId !== '';
}

/**
 * The same answer for one page view, from the instance's settings alone: the CNA is the instance's, so
 * the settings of every project (a thousand rows on a large host, read on every advisory view before)
 * are not needed.
 */
export async function publishesCveRecordsOf(config: Config, db: Db, record: AdvisoryRecord): Promise<boolean> {
  return publishesCveRecords(publicationProfileOf(config, await loadInstancePublication(db), []), record);
}

export interface SettingsProblem {
  message: string;
  /** The settings page that fixes it. */
  href: string;
}

/** What the record's formats need and nobody entered, named with the page that fixes it. */
export function publicationSettingsProblems(profile: PublicationProfile, record: AdvisoryRecord): SettingsProblem[] {
  if (isImportedRecord(record)) return [];
  const problems: SettingsProblem[] = [];
  const cves = assignedCves(record).map((v) => v.cveId);
  if (cves.length && profile.cnaChoice === 'unset') {
    problems.push({
      message: `CVE records (CVE JSON 5) of ${cves.join(', ')} need the CNA that assigned the ids (cveMetadata.assignerOrgId); nobody entered it, so they would not be published. Enter the CNA, or choose “no CVE records”.`,
      href: PUBLICATION_SETTINGS_PATH,
    });
  }
  if (cves.length && profile.cnaChoice === 'set') {
    for (const entry of productVersions(record)) {
      const facts = packageFacts(profile.entered, entry);
      if (!facts.vendor && !facts.collectionUrl) {
        const project = profile.projects.find((p) => [p.slug, p.name.toLowerCase(), ...p.products.map((e) => e.name.toLowerCase())].includes(entry.packageName));
        problems.push({
          message: `CVE records name the vendor of ${entry.product} (or its package and ecosystem); nobody entered one.`,
          href: project ? projectPublicationPath(project.slug) : PUBLICATION_SETTINGS_PATH,
        });
      }
    }
  }
  return problems;
}
