// What the OSV, CVE JSON 5 and CSAF builders read out of an AdvisoryRecord in the same way: links
// with their annotations, products with their parsed ranges, scored CVSS assessments, credits and
// the revision history. Keeping it here means the three formats never disagree about a fact.
import {
  CVE_ID_PATTERN,
  type AdvisoryRecord,
  type ImpactAssessment,
  type Reporter,
  type VersionRange,
  type Vulnerability,
} from '../record.js';
import { errors } from '../../errors/catalogue.js';
import { scoreCvssVector, type CvssScores } from '../../cvss/index.js';
import type { PublicationSettings } from './settings.js';

export interface LinkRef {
  url: string;
  /** Text written beside the link in the source (`errata`, `keystonemiddleware`), or null. */
  label: string | null;
}

/**
 * Real data writes notes beside links: `https://review.openstack.org/137560 -   errata`,
 * `https://… (keystonemiddleware)`, `Patch attached to https://…`. Returns the URL and the note,
 * or null when the text holds no usable http(s) URL.
 */
export function extractLink(text: string): LinkRef | null {
  const match = /https?:\/\/[^\s<>"]+/.exec(text);
  if (!match) return null;
  let url = match[0];
  // A closing parenthesis that is not part of the URL ("(see https://x/y)").
  while (/[),.;]$/.test(url) && !(url.endsWith(')') && url.includes('('))) url = url.slice(0, -1);
  try {
    const parsed = new URL(url);
    if (!parsed.host) return null;
  } catch {
    return null;
  }
  const rest = (text.slice(0, match.index) + ' ' + text.slice(match.index + match[0].length))
    .replace(/[()]/g, ' ')
    .replace(/^[\s\-–:]+|[\s\-–:]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return { url, label: rest === '' ? null : rest };
}

export interface ProductVersions {
  /** Product name as first written (or as the qualifier in `Cinder <19.1.2; Glance …`). */
  product: string;
  /** Lower-case name, used as package name (PyPI project names are case-insensitive, PEP 503). */
  packageName: string;
  /** Version text of the advisory entry (or entries) as written. */
  versionText: string;
  ranges: VersionRange[];
  allVersions: boolean;
  /** Parts of the version text that could not be read as a range. */
  unparsed: string[];
}

/**
 * One entry per affected product. Product-qualified ranges (OSSA-2023-002 lists Cinder, Glance and
 * Nova in one entry) are split into their products; entries naming the same product are merged.
 */
export function productVersions(record: AdvisoryRecord): ProductVersions[] {
  const byName = new Map<string, { entry: ProductVersions; texts: string[] }>();
  const entry = (product: string, versionText: string): ProductVersions => {
    const key = product.trim().toLowerCase();
    let found = byName.get(key);
    if (!found) {
      found = { entry: { product: product.trim(), packageName: key, versionText, ranges: [], allVersions: false, unparsed: [] }, texts: [versionText] };
      byName.set(key, found);
    } else if (!found.texts.includes(versionText)) {
      // Two entries for one product: keep both texts as written.
      found.texts.push(versionText);
      found.entry.versionText = found.texts.join('; ');
    }
    return found.entry;
  };
  for (const affected of record.affectedProducts) {
    const { text, ranges, allVersions, unparsed } = affected.versions;
    const qualified = ranges.filter((r) => r.product !== null);
    for (const range of qualified) entry(range.product ?? affected.product, text).ranges.push(range);
    const own = ranges.filter((r) => r.product === null);
    if (own.length || allVersions || unparsed.length || !qualified.length) {
      const target = entry(affected.product, text);
      target.ranges.push(...own);
      target.allVersions ||= allVersions;
      target.unparsed.push(...unparsed);
    }
  }
  return [...byName.values()].map((v) => v.entry);
}

/** Vulnerabilities that carry an assigned CVE id (the `Requested` placeholder has none yet). */
export function assignedCves(record: AdvisoryRecord): Vulnerability[] {
  return record.vulnerabilities.filter((v) => CVE_ID_PATTERN.test(v.cveId));
}

export interface ScoredAssessment {
  assessment: ImpactAssessment;
  scores: CvssScores;
}

/** Scores every CVSS assessment of a vulnerability; a bad vector is a validation error naming it. */
export function scoredAssessments(record: AdvisoryRecord, vulnerability: Vulnerability): ScoredAssessment[] {
  const index = record.vulnerabilities.indexOf(vulnerability);
  return vulnerability.impactAssessments.map((assessment, i) => ({
    assessment,
    scores: scoreCvssVector(assessment.vector, {
      field: `vulnerabilities.${index}.impactAssessments.${i}.vector`,
      versions: [assessment.version],
    }),
  }));
}

/** Every CWE id of a vulnerability, in order, without repeats. */
export function cweIdsOf(vulnerability: Vulnerability): string[] {
  return [...new Set(vulnerability.classifications.flatMap((c) => c.cweIds))];
}

/** Reporters credited for a CVE; a reporter with no `reported` list is credited for every CVE. */
export function reportersOf(record: AdvisoryRecord, cveId: string): Reporter[] {
  return record.reporters.filter((r) => r.reported.length === 0 || r.reported.includes(cveId));
}

/** `Name (Affiliation)`, without the affiliation when it is missing or the literal `UNKNOWN`. */
export function creditName(reporter: Reporter): string {
  const affiliation = reporter.affiliation?.trim();
  return affiliation && affiliation !== 'UNKNOWN' ? `${reporter.name} (${affiliation})` : reporter.name;
}

export interface Revision {
  /** ISO date `YYYY-MM-DD`. */
  date: string;
  summary: string;
}

/** The advisory date, required by every format. */
export function advisoryDate(record: AdvisoryRecord): string {
  if (!record.date || !/^\d{4}-\d{2}-\d{2}$/.test(record.date)) {
    throw errors.field('date', `advisory ${record.id} has no valid date, so it cannot be published`);
  }
  return record.date;
}

/**
 * Revisions oldest first, from the errata history (`2016-03-30 - Errata 2`, newest first in the
 * source); an advisory without errata has one revision on its date.
 */
export function revisionHistory(record: AdvisoryRecord): Revision[] {
  const date = advisoryDate(record);
  const parsed = (record.errata?.history ?? [])
    .map((line) => /^\s*(\d{4}-\d{2}-\d{2})\s*-\s*(.+?)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ date: m[1] ?? date, summary: m[2] ?? '' }))
    .reverse();
  if (parsed.length === 0) return [{ date, summary: 'Original Version' }];
  // Real data (OSSA-2026-002) has an original-version line dated after the advisory date; keep the
  // dates non-decreasing so that consumers sorting by date keep the revision order.
  let latest = '';
  return parsed.map((r) => {
    latest = r.date > latest ? r.date : latest;
    return { date: latest, summary: r.summary };
  });
}

/** The advisory must carry the instance's prefix: `OSSA-2026-012`. */
export function checkAdvisoryId(record: AdvisoryRecord, settings: PublicationSettings): void {
  const pattern = new RegExp(`^${settings.advisoryIdPrefix}-\\d{4}-\\d{3,}$`);
  if (!pattern.test(record.id)) {
    throw errors.field('id', `"${record.id}" is not an advisory id of the form ${settings.advisoryIdPrefix}-YYYY-NNN`);
  }
}

/** Drops repeated items (by JSON value): the schemas mark most of these arrays `uniqueItems`. */
export function uniqueItems<T>(items: readonly T[]): T[] {
  return [...new Map(items.map((item) => [JSON.stringify(item), item])).values()];
}

/** Midnight UTC of an ISO date, in the `YYYY-MM-DDTHH:MM:SS.sssZ` form all three schemas accept. */
export function isoTimestamp(date: string): string {
  return `${date}T00:00:00.000Z`;
}
