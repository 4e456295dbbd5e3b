// CSAF 2.0 security advisory (OASIS CSAF v2.0, profile 4.5 "Security Advisory") for one advisory.
// Pure; the tests run the BSI/secvisogram validator (strict schema and every mandatory test).
import type { AdvisoryRecord, Vulnerability } from '../record.js';
import { errors } from '../../errors/catalogue.js';
import { cvssJson, type CvssJson } from '../../cvss/index.js';
import {
  advisoryDate,
  checkAdvisoryId,
  creditName,
  cweIdsOf,
  extractLink,
  isoTimestamp,
  productVersions,
  reportersOf,
  revisionHistory,
  scoredAssessments,
  uniqueItems,
} from './advisory-facts.js';
import { buildProductTree, type CsafBranch, type CsafProductRefs } from './csaf-product-tree.js';
import { cweName } from './cwe-names.js';
import { csafDocumentUrl } from './csaf-paths.js';
import { advisoryUrl, resolvePublicationSettings, type PublicationSettings } from './settings.js';

export interface CsafNote {
  category: 'description' | 'details' | 'faq' | 'general' | 'legal_disclaimer' | 'other' | 'summary';
  text: string;
  title?: string;
}

export interface CsafReference {
  category: 'self' | 'external';
  summary: string;
  url: string;
}

export interface CsafVulnerability {
  cve?: string;
  cwe?: { id: string; name: string };
  title: string;
  notes: CsafNote[];
  product_status: { known_affected: string[]; fixed?: string[] };
  scores?: { products: string[]; cvss_v2?: CvssJson; cvss_v3?: CvssJson }[];
  remediations?: { category: 'vendor_fix'; details: string; url?: string; product_ids: string[] }[];
  acknowledgments?: { names: string[]; organization?: string; summary: string }[];
  references?: CsafReference[];
}

export interface CsafDocument {
  document: {
    category: 'csaf_security_advisory';
    csaf_version: '2.0';
    lang: 'en';
    title: string;
    publisher: { category: 'vendor'; name: string; namespace: string; contact_details?: string };
    distribution: { tlp: { label: 'WHITE'; url: string } };
    notes: CsafNote[];
    references: CsafReference[];
    tracking: {
      id: string;
      status: 'final';
      version: string;
      revision_history: { number: string; date: string; summary: string }[];
      initial_release_date: string;
      current_release_date: string;
      generator: { engine: { name: string } };
    };
  };
  product_tree: { branches: CsafBranch[] };
  vulnerabilities: CsafVulnerability[];
}

export interface CsafBuildOptions {
  settings?: PublicationSettings;
}

/**
 * CSAF 2.0 §6.2.11 (and requirement 2): the `self` reference is the document's own canonical URL in the
 * provider layout, ending in its §5.1 file name; the HTML page is an `external` reference beside it.
 */
function documentReferences(record: AdvisoryRecord, settings: PublicationSettings, initialReleaseDate: string): CsafReference[] {
  const refs: CsafReference[] = [
    { category: 'self', summary: `${record.id} as CSAF 2.0`, url: csafDocumentUrl(settings.baseUrl, record.id, initialReleaseDate) },
    { category: 'external', summary: `${record.id} advisory page`, url: advisoryUrl(settings, record.id) },
  ];
  const seen = new Set(refs.map((r) => r.url));
  const add = (text: string, summary: string): void => {
    const link = extractLink(text);
    if (!link || seen.has(link.url)) return;
    seen.add(link.url);
    refs.push({ category: 'external', summary: link.label ? `${summary} (${link.label})` : summary, url: link.url });
  };
  for (const link of record.issues.links) add(link, 'Bug report');
  for (const link of record.references) add(link, 'Announcement');
  return refs;
}

function documentNotes(record: AdvisoryRecord): CsafNote[] {
  const notes: CsafNote[] = [{ category: 'summary', title: 'Summary', text: record.title.trim() || record.id }];
  if (record.description.trim()) notes.push({ category: 'description', title: 'Description', text: record.description.trim() });
  if (record.errata?.text.trim()) notes.push({ category: 'general', title: 'Errata', text: record.errata.text.trim() });
  record.notes.filter((n) => n.trim()).forEach((text, i) => notes.push({ category: 'general', title: `Note ${i + 1}`, text: text.trim() }));
  return notes;
}

/**
 * CSAF 2.0 has a single `cwe` per vulnerability. A chain such as `CWE-20->CWE-22` ends in the
 * weakness that was exploited, so the last id is used; the full classification goes into a note.
 */
function primaryCwe(vulnerability: Vulnerability): { id: string; name: string } | undefined {
  const ids = vulnerability.classifications[0]?.cweIds ?? cweIdsOf(vulnerability);
  const id = ids[ids.length - 1];
  const name = id ? cweName(id) : undefined;
  return id && name ? { id, name } : undefined;
}

function vulnerabilityEntry(
  record: AdvisoryRecord,
  vulnerability: Vulnerability,
  refs: CsafProductRefs,
  settings: PublicationSettings,
): CsafVulnerability {
  const notes: CsafNote[] = [{ category: 'description', title: 'Vulnerability description', text: record.description.trim() || record.title.trim() || record.id }];
  const note = vulnerability.note ?? vulnerability.idAnnotation;
  if (note) notes.push({ category: 'summary', title: 'Note', text: note });
  for (const c of vulnerability.classifications) {
    if (c.detail.trim()) notes.push({ category: 'other', title: `${c.type} classification`, text: `${c.detail.trim()}${c.source ? ` (${c.source})` : ''}` });
  }

  // Mandatory test 6.1.7: one score per CVSS version and product, so the first assessment of each
  // version wins. CSAF 2.0 has no CVSS v4.0 field: v4.0 vectors (and further ones) become notes.
  const scores: NonNullable<CsafVulnerability['scores']> = [];
  const scoredFamilies = new Set<string>();
  for (const { assessment, scores: s } of scoredAssessments(record, vulnerability)) {
    const family = s.version === '2.0' ? 'cvss_v2' : s.version === '4.0' ? 'cvss_v4' : 'cvss_v3';
    const by = assessment.source ? ` by ${assessment.source}` : '';
    if (family !== 'cvss_v4' && !scoredFamilies.has(family)) {
      scoredFamilies.add(family);
      scores.push({ products: refs.affected, [family]: cvssJson(s) });
      if (assessment.source) notes.push({ category: 'other', title: `CVSS v${s.version} source`, text: `Scored${by}.` });
    } else {
      const headline = s.version === '4.0' ? `${s.score} (${s.severity}, ${s.nomenclature})` : `${s.baseScore}`;
      notes.push({ category: 'other', title: `CVSS v${s.version}`, text: `${s.vectorString}: ${headline}${by}.` });
    }
  }

  const remediations: NonNullable<CsafVulnerability['remediations']> = [];
  for (const review of record.reviews) {
    for (const text of review.links) {
      const link = extractLink(text);
      if (!link) continue;
      const details = `Patch for ${review.branch}${link.label ? ` (${link.label})` : ''}.`;
      remediations.push({ category: 'vendor_fix', details, url: link.url, product_ids: refs.affected });
    }
  }
  for (const u of refs.upgrades) {
    remediations.push({ category: 'vendor_fix', details: `Upgrade ${u.product} to ${u.fixedVersion}.`, product_ids: [u.affectedId] });
  }
  if (!remediations.length) {
    remediations.push({ category: 'vendor_fix', details: 'See the advisory for fixes.', url: advisoryUrl(settings, record.id), product_ids: refs.affected });
  }

  const acknowledgments = uniqueItems(reportersOf(record, vulnerability.cveId).map((r) => {
    const organization = r.affiliation?.trim();
    return {
      names: [r.name],
      ...(organization && organization !== 'UNKNOWN' ? { organization } : {}),
      summary: `${creditName(r)} reported the vulnerability.`,
    };
  }));
  const cwe = primaryCwe(vulnerability);
  const isCve = /^CVE-\d{4}-\d{4,}$/.test(vulnerability.cveId);
  return {
    ...(isCve ? { cve: vulnerability.cveId } : {}),
    ...(cwe ? { cwe } : {}),
    title: note ?? (record.title.trim() || record.id),
    notes,
    product_status: { known_affected: refs.affected, ...(refs.fixed.length ? { fixed: refs.fixed } : {}) },
    ...(scores.length ? { scores } : {}),
    remediations: uniqueItems(remediations),
    ...(acknowledgments.length ? { acknowledgments } : {}),
    ...(isCve
      ? { references: [{ category: 'external' as const, summary: `${vulnerability.cveId} record`, url: `https://www.cve.org/CVERecord?id=${vulnerability.cveId}` }] }
      : {}),
  };
}

/** Builds the CSAF 2.0 security advisory of an advisory. */
export function buildCsaf(record: AdvisoryRecord, options: CsafBuildOptions = {}): CsafDocument {
  const settings = options.settings ?? resolvePublicationSettings();
  checkAdvisoryId(record, settings);
  const date = advisoryDate(record);
  if (!record.affectedProducts.length) throw errors.field('affectedProducts', `advisory ${record.id} lists no affected product`);
  if (!record.vulnerabilities.length) throw errors.field('vulnerabilities', `advisory ${record.id} lists no vulnerability`);
  const revisions = revisionHistory(record);
  const newest = revisions.reduce((latest, r) => (r.date > latest ? r.date : latest), date);
  const { tree, refs } = buildProductTree(productVersions(record), settings);
  const contact = settings.publisher.contactDetails.trim();
  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      lang: 'en',
      title: `${record.id}: ${record.title.trim()}`,
      publisher: {
        category: 'vendor',
        name: settings.publisher.name,
        namespace: settings.publisher.namespace,
        ...(contact ? { contact_details: contact } : {}),
      },
      // Published advisories are public: TLP:WHITE, which CSAF 2.0 requirement 4 asks of the white/ folder.
      distribution: { tlp: { label: 'WHITE', url: 'https://www.first.org/tlp/' } },
      notes: documentNotes(record),
      references: documentReferences(record, settings, isoTimestamp(date)),
      tracking: {
        id: record.id,
        status: 'final',
        version: String(revisions.length),
        revision_history: revisions.map((r, i) => ({ number: String(i + 1), date: isoTimestamp(r.date), summary: r.summary })),
        initial_release_date: isoTimestamp(date),
        current_release_date: isoTimestamp(newest),
        generator: { engine: { name: 'Cordon' } },
      },
    },
    product_tree: tree,
    vulnerabilities: record.vulnerabilities.map((v) => vulnerabilityEntry(record, v, refs, settings)),
  };
}
