// CVE JSON 5 records (CVE Record Format 5.1, https://github.com/CVEProject/cve-schema), one per
// assigned CVE id of an advisory, ready for the CNA to submit. Pure; the tests validate every record
// against the official bundled schema (draft-07).
import type { AdvisoryRecord, VersionRange, Vulnerability } from '../record.js';
import { errors } from '../../errors/catalogue.js';
import { cvssJson, type CvssJson } from '../../cvss/index.js';
import {
  advisoryDate,
  assignedCves,
  checkAdvisoryId,
  creditName,
  cweIdsOf,
  extractLink,
  isoTimestamp,
  productVersions,
  reportersOf,
  scoredAssessments,
  uniqueItems,
  type ProductVersions,
} from './advisory-facts.js';
import { cweName } from './cwe-names.js';
import { packageFacts } from './packages.js';
import { advisoryUrl, resolvePublicationSettings, type PublicationSettings } from './settings.js';

// CVE JSON 5.1 limits (cnaPublishedContainer.title, description.value, supportingMedia.value).
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const SUPPORTING_MEDIA_MAX = 16384;

export type CveVersionStatus = 'affected' | 'unaffected' | 'unknown';

export interface CveVersion {
  version: string;
  status: CveVersionStatus;
  versionType?: string;
  lessThan?: string;
  lessThanOrEqual?: string;
}

export interface CveAffected {
  vendor?: string;
  product: string;
  collectionURL?: string;
  packageName?: string;
  versions?: CveVersion[];
  defaultStatus: CveVersionStatus;
}

export interface CveReference {
  url: string;
  name?: string;
  tags?: string[];
}

export interface CveRecord {
  dataType: 'CVE_RECORD';
  dataVersion: '5.1';
  cveMetadata: {
    cveId: string;
    assignerOrgId: string;
    assignerShortName: string;
    state: 'PUBLISHED';
    datePublished: string;
    dateUpdated?: string;
  };
  containers: {
    cna: {
      providerMetadata: { orgId: string; shortName: string; dateUpdated?: string };
      title: string;
      datePublic: string;
      descriptions: { lang: 'en'; value: string; supportingMedia?: { type: string; base64: false; value: string }[] }[];
      affected: CveAffected[];
      problemTypes?: { descriptions: { lang: 'en'; description: string; cweId: string; type: 'CWE' }[] }[];
      metrics?: ({ format: 'CVSS'; scenarios: { lang: 'en'; value: 'GENERAL' }[] } & Record<string, unknown>)[];
      references: CveReference[];
      credits?: { lang: 'en'; value: string; type: 'finder' }[];
      source: { advisory: string };
    };
  };
}

export interface CveBuildOptions {
  settings?: PublicationSettings;
  /** Timestamp of the last change, for `dateUpdated`; omitted when not given. */
  dateUpdated?: string;
}

/** The `versions` entries of one parsed clause (CVE JSON 5 `product.versions` semantics). */
function rangeVersions(range: VersionRange, versionType: string): CveVersion[] {
  const start = range.introduced ?? '0';
  const out: CveVersion[] = [];
  // "> X": a single-version entry is matched before the range, so X itself reads as unaffected.
  if (range.introducedExclusive && range.introduced !== null) out.push({ version: range.introduced, status: 'unaffected' });
  if (range.fixed !== null) out.push({ version: start, status: 'affected', versionType, lessThan: range.fixed });
  else if (range.lastAffected !== null && range.lastAffected === range.introduced) out.push({ version: range.lastAffected, status: 'affected' });
  else if (range.lastAffected !== null) out.push({ version: start, status: 'affected', versionType, lessThanOrEqual: range.lastAffected });
  // No upper bound: every later release is affected ("*" is the schema's unbounded limit).
  else out.push({ version: start, status: 'affected', versionType, lessThan: '*' });
  return out;
}

function affectedEntry(entry: ProductVersions, settings: PublicationSettings): CveAffected {
  const facts = packageFacts(settings, entry);
  const versionType = facts.cveVersionType;
  const versions: CveVersion[] = entry.ranges.flatMap((r) => rangeVersions(r, versionType));
  if (entry.allVersions) versions.push({ version: '0', status: 'affected', versionType, lessThan: '*' });
  // Prose the importer could not read (release names such as "Folsom") is kept as written.
  for (const text of entry.unparsed) versions.push({ version: text, status: 'affected' });
  const unique = uniqueItems(versions);
  const fullyParsed = entry.unparsed.length === 0 && unique.length > 0;
  // The schema wants vendor + product or collectionURL + packageName; the checklist asks for one of them.
  if (!facts.vendor && !facts.collectionUrl) throw errors.field('vendorName', `CVE records name the vendor of ${entry.product}: enter it in the publication settings, or the package ecosystem and name in the project's`);
  return {
    ...(facts.vendor ? { vendor: facts.vendor } : {}),
    product: entry.product,
    ...(facts.collectionUrl ? { collectionURL: facts.collectionUrl, packageName: facts.packageName } : {}),
    ...(unique.length ? { versions: unique } : {}),
    // The advisory lists every affected range, so anything else is unaffected, unless it was prose.
    defaultStatus: fullyParsed ? 'unaffected' : 'unknown',
  };
}

/** Cuts text at a paragraph (or sentence) boundary so that `text + suffix` fits in `max`. */
function shorten(text: string, suffix: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - suffix.length;
  const head = text.slice(0, room);
  const cut = Math.max(head.lastIndexOf('\n\n'), head.lastIndexOf('. ') + 1);
  return (cut > room / 2 ? head.slice(0, cut) : head).trimEnd() + suffix;
}

function descriptions(record: AdvisoryRecord, settings: PublicationSettings): CveRecord['containers']['cna']['descriptions'] {
  const full = record.description.trim();
  if (!full) throw errors.field('description', `advisory ${record.id} has no description; a CVE record needs one`);
  if (full.length <= DESCRIPTION_MAX) return [{ lang: 'en', value: full }];
  // Longer than CVE JSON allows: shorten the plain text, point at the advisory and attach the full text.
  const value = shorten(full, `\n\n[…] The full description is at ${advisoryUrl(settings, record.id)}`, DESCRIPTION_MAX);
  const media = full.length <= SUPPORTING_MEDIA_MAX ? [{ type: 'text/plain', base64: false as const, value: full }] : undefined;
  return [{ lang: 'en', value, ...(media ? { supportingMedia: media } : {}) }];
}

function references(record: AdvisoryRecord, settings: PublicationSettings): CveReference[] {
  const out = new Map<string, CveReference>();
  const add = (text: string, tags: string[], name?: string): void => {
    const link = extractLink(text);
    if (!link || out.has(link.url)) return;
    const label = [name, link.label].filter(Boolean).join(' ').slice(0, 512);
    out.set(link.url, { url: link.url, ...(label ? { name: label } : {}), tags });
  };
  add(advisoryUrl(settings, record.id), ['vendor-advisory'], record.id);
  for (const link of record.issues.links) add(link, ['issue-tracking']);
  for (const review of record.reviews) for (const link of review.links) add(link, ['patch'], review.branch);
  for (const link of record.references) add(link, ['mailing-list']);
  return [...out.values()];
}

function metrics(record: AdvisoryRecord, vulnerability: Vulnerability): NonNullable<CveRecord['containers']['cna']['metrics']> {
  const key: Record<string, string> = { '2.0': 'cvssV2_0', '3.0': 'cvssV3_0', '3.1': 'cvssV3_1', '4.0': 'cvssV4_0' };
  const out = new Map<string, NonNullable<CveRecord['containers']['cna']['metrics']>[number]>();
  for (const { scores } of scoredAssessments(record, vulnerability)) {
    const json: CvssJson = cvssJson(scores);
    out.set(scores.vectorString, { format: 'CVSS', scenarios: [{ lang: 'en', value: 'GENERAL' }], [key[scores.version] ?? 'other']: json });
  }
  return [...out.values()];
}

/** The CVE record of one CVE id of the advisory. */
export function buildCveRecord(record: AdvisoryRecord, cveId: string, options: CveBuildOptions = {}): CveRecord {
  const settings = options.settings ?? resolvePublicationSettings();
  checkAdvisoryId(record, settings);
  if (!settings.cna.orgId) throw errors.field('cna', 'CVE records name the CNA that assigned the id: enter it in the publication settings');
  const vulnerability = assignedCves(record).find((v) => v.cveId === cveId);
  if (!vulnerability) throw errors.field('cveId', `${cveId} is not an assigned CVE id of ${record.id}`);
  const published = isoTimestamp(advisoryDate(record));
  const note = vulnerability.note ?? vulnerability.idAnnotation;
  const title = (note ? `${record.title.trim()} (${note})` : record.title.trim()).slice(0, TITLE_MAX);
  const cwes = cweIdsOf(vulnerability).filter((id) => /^CWE-[1-9][0-9]{0,4}$/.test(id));
  const metricList = metrics(record, vulnerability);
  const credits = [...new Set(reportersOf(record, cveId).map(creditName))].map((value) => ({ lang: 'en' as const, value, type: 'finder' as const }));
  const updated = options.dateUpdated ? { dateUpdated: options.dateUpdated } : {};
  return {
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: {
      cveId,
      assignerOrgId: settings.cna.orgId,
      assignerShortName: settings.cna.shortName,
      state: 'PUBLISHED',
      datePublished: published,
      ...updated,
    },
    containers: {
      cna: {
        providerMetadata: { orgId: settings.cna.orgId, shortName: settings.cna.shortName, ...updated },
        title: title || cveId,
        datePublic: published,
        descriptions: descriptions(record, settings),
        affected: productVersions(record).map((entry) => affectedEntry(entry, settings)),
        ...(cwes.length
          ? {
              problemTypes: [
                {
                  descriptions: cwes.map((id) => {
                    const name = cweName(id);
                    return { lang: 'en' as const, description: name ? `${id} ${name}` : id, cweId: id, type: 'CWE' as const };
                  }),
                },
              ],
            }
          : {}),
        ...(metricList.length ? { metrics: metricList } : {}),
        references: references(record, settings),
        ...(credits.length ? { credits } : {}),
        source: { advisory: record.id },
      },
    },
  };
}

/** One CVE record per assigned CVE id (the `Requested` placeholder gets none). */
export function buildCveRecords(record: AdvisoryRecord, options: CveBuildOptions = {}): CveRecord[] {
  return assignedCves(record).map((v) => buildCveRecord(record, v.cveId, options));
}
