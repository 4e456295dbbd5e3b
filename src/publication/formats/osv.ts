// OSV JSON (https://ossf.github.io/osv-schema/) for one advisory. Pure: the record in, a plain
// object out; the tests validate it against the official schema (draft 2020-12).
import type { AdvisoryRecord, VersionRange } from '../record.js';
import {
  advisoryDate,
  assignedCves,
  checkAdvisoryId,
  creditName,
  cweIdsOf,
  extractLink,
  productVersions,
  revisionHistory,
  scoredAssessments,
  type ProductVersions,
} from './advisory-facts.js';
import { packageFacts } from './packages.js';
import { advisoryUrl, resolvePublicationSettings, type PublicationSettings } from './settings.js';

/** The OSV schema version the documents follow. */
export const OSV_SCHEMA_VERSION = '1.7.0';

export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string };

export interface OsvRange {
  type: 'ECOSYSTEM';
  events: OsvEvent[];
  database_specific?: Record<string, unknown>;
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: OsvRange[];
  database_specific: Record<string, unknown>;
}

export interface OsvDocument {
  schema_version: string;
  id: string;
  modified: string;
  published: string;
  aliases: string[];
  summary: string;
  details: string;
  severity?: { type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4'; score: string }[];
  affected: OsvAffected[];
  references: { type: 'ADVISORY' | 'REPORT' | 'FIX' | 'WEB' | 'ARTICLE'; url: string }[];
  credits?: { name: string; type: 'REPORTER' }[];
  database_specific: Record<string, unknown>;
}

export interface OsvBuildOptions {
  settings?: PublicationSettings;
  /** RFC 3339 time of the last change; defaults to midnight UTC of the newest revision. */
  modified?: string;
}

function timestamp(date: string): string {
  // OSV's timestamp pattern wants a `Z` and no offset.
  return `${date}T00:00:00Z`;
}

/**
 * One OSV range per parsed clause: OSV forbids `fixed` and `last_affected` in one range, and a clause
 * without an upper bound ("still affected") must not swallow the clauses after it.
 */
function osvRange(range: VersionRange): OsvRange {
  const events: OsvEvent[] = [{ introduced: range.introduced ?? '0' }];
  if (range.fixed !== null) events.push({ fixed: range.fixed });
  else if (range.lastAffected !== null) events.push({ last_affected: range.lastAffected });
  const notes: Record<string, unknown> = { specifier: range.text };
  // OSV has no exclusive lower bound: `> X` is published as introduced X and flagged here.
  if (range.introducedExclusive) notes.introduced_exclusive = true;
  if (range.fromProse) notes.from_prose = true;
  return { type: 'ECOSYSTEM', events, database_specific: notes };
}

/**
 * OpenStack projects are Python projects released to PyPI under their own names (nova, keystone,
 * python-keystoneclient, oslo.middleware…), so imported records use the PyPI ecosystem; other records
 * name the package their project entered, or none. Without a package OSV ranges have no ecosystem to
 * be read in, so the version text stays in database_specific only.
 */
function osvAffected(entry: ProductVersions, settings: PublicationSettings): OsvAffected {
  const facts = packageFacts(settings, entry);
  const ranges: OsvRange[] = entry.ranges.map(osvRange);
  if (entry.allVersions) ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }], database_specific: { specifier: 'all versions' } });
  const withPackage = facts.packageName !== '';
  return {
    ...(withPackage ? { package: { ecosystem: facts.ecosystem, name: facts.packageName, ...(facts.purl ? { purl: facts.purl } : {}) } } : {}),
    ...(withPackage && ranges.length ? { ranges } : {}),
    database_specific: {
      product: entry.product,
      version_text: entry.versionText,
      ...(entry.unparsed.length ? { unparsed_versions: entry.unparsed } : {}),
    },
  };
}

/** Builds the OSV document of an advisory. */
export function buildOsv(record: AdvisoryRecord, options: OsvBuildOptions = {}): OsvDocument {
  const settings = options.settings ?? resolvePublicationSettings();
  checkAdvisoryId(record, settings);
  const date = advisoryDate(record);
  const revisions = revisionHistory(record);
  const newest = revisions[revisions.length - 1]?.date ?? date;

  const severity = new Map<string, 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4'>();
  for (const vulnerability of record.vulnerabilities) {
    for (const { scores } of scoredAssessments(record, vulnerability)) {
      const type = scores.version === '2.0' ? 'CVSS_V2' : scores.version === '4.0' ? 'CVSS_V4' : 'CVSS_V3';
      severity.set(scores.vectorString, type);
    }
  }

  const references: OsvDocument['references'] = [{ type: 'ADVISORY', url: advisoryUrl(settings, record.id) }];
  const seen = new Set(references.map((r) => r.url));
  const addReference = (type: OsvDocument['references'][number]['type'], text: string): void => {
    const link = extractLink(text);
    if (link && !seen.has(link.url)) {
      seen.add(link.url);
      references.push({ type, url: link.url });
    }
  };
  for (const link of record.issues.links) addReference('REPORT', link);
  for (const review of record.reviews) for (const link of review.links) addReference('FIX', link);
  for (const link of record.references) addReference('WEB', link);

  const cves = assignedCves(record);
  const credits = record.reporters.map((r) => ({ name: creditName(r), type: 'REPORTER' as const }));
  return {
    schema_version: OSV_SCHEMA_VERSION,
    id: `${settings.osv.idPrefix}${record.id}`,
    modified: options.modified ?? timestamp(newest),
    published: timestamp(date),
    aliases: cves.map((v) => v.cveId),
    summary: record.title.trim(),
    details: record.description.trim(),
    ...(severity.size ? { severity: [...severity].map(([score, type]) => ({ type, score })) } : {}),
    affected: productVersions(record).map((entry) => osvAffected(entry, settings)),
    references,
    ...(credits.length ? { credits } : {}),
    database_specific: {
      advisory_id: record.id,
      url: advisoryUrl(settings, record.id),
      cwe_ids: [...new Set(record.vulnerabilities.flatMap(cweIdsOf))],
      ...(record.vulnerabilities.some((v) => v.note ?? v.idAnnotation)
        ? { cve_notes: Object.fromEntries(record.vulnerabilities.filter((v) => v.note ?? v.idAnnotation).map((v) => [v.cveId, v.note ?? v.idAnnotation])) }
        : {}),
      ...(record.errata ? { errata: record.errata.text, history: record.errata.history } : {}),
      ...(record.notes.length ? { notes: record.notes } : {}),
    },
  };
}
