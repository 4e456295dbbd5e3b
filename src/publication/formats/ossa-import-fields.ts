// OSSA YAML sections → typed record parts (see record.ts). Lenient where the corpus is sloppy
// (warnings), strict where a value cannot mean anything (errors collected by OssaReader).
import {
  CVE_ID_PATTERN,
  CVE_PLACEHOLDER,
  CvssVersion,
  type AffectedProduct,
  type Classification,
  type ImpactAssessment,
  type IssueLinks,
  type ReleaseReview,
  type Reporter,
  type Vulnerability,
} from '../record.js';
import { isPyList, pyGet, pyStr, type PyDict, type PyValue } from './py-value.js';
import { OssaWarningKind, type OssaReader } from './ossa-reader.js';
import { parseAffectedVersions, toAffectedVersions } from './version-range.js';

export function readAffectedProducts(r: OssaReader, value: PyValue | undefined): AffectedProduct[] {
  const out: AffectedProduct[] = [];
  r.list(value, 'affected-products', 'affected products', false).forEach((item, i) => {
    const field = `affected-products.${i}`;
    const d = r.dict(item, field, 'an affected product');
    if (!d) return;
    const product = r.text(pyGet(d, 'product'), `${field}.product`, 'product', true);
    const versionText = r.text(pyGet(d, 'version'), `${field}.version`, 'version', false);
    if (versionText === null) {
      r.warn(OssaWarningKind.proseVersion, `${field}.version`, 'version is missing');
    }
    const parsed = parseAffectedVersions(versionText ?? '');
    for (const issue of versionText === null ? [] : parsed.issues) {
      const kind =
        issue.kind === 'prose' || issue.kind === 'unparsed' || issue.kind === 'empty'
          ? OssaWarningKind.proseVersion
          : issue.kind === 'product-qualified'
            ? OssaWarningKind.productQualifiedVersion
            : OssaWarningKind.sloppyVersion;
      r.warn(kind, `${field}.version`, issue.message);
    }
    if (product !== null) out.push({ product, versions: toAffectedVersions(parsed) });
  });
  return out;
}

// `CVE-2016-0737 (client to proxy)` → id + annotation (OSSA-2016-004).
const ANNOTATED_CVE = /^(CVE-\d{4}-\d{4,})\s*\((.*)\)\s*$/;

// OSSA `assessment.type` spellings → CVSS version. The corpus only has `CVSS2`.
const CVSS_TYPES: Record<string, CvssVersion> = {
  '2': CvssVersion.v2,
  '2.0': CvssVersion.v2,
  '3': CvssVersion.v3_0,
  '3.0': CvssVersion.v3_0,
  '3.1': CvssVersion.v3_1,
  '4': CvssVersion.v4_0,
  '4.0': CvssVersion.v4_0,
};

export function cvssVersionFromType(type: string): CvssVersion | null {
  const m = /^CVSS\s*:?\s*v?(\d(?:\.\d)?)$/i.exec(type.trim());
  return m ? (CVSS_TYPES[m[1] ?? ''] ?? null) : null;
}

function readScore(r: OssaReader, v: PyValue | undefined, field: string): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) {
    r.warn(OssaWarningKind.nonStringValue, field, `score \`${v}\` is text; write it as a number`);
    return Number(v);
  }
  r.error(field, `expected a CVSS score (a number), found ${pyStr(v)}`);
  return null;
}

function readAssessments(r: OssaReader, v: PyValue | undefined, field: string): ImpactAssessment[] {
  if (v === undefined || v === null) return [];
  const items = isPyList(v) ? v : [v];
  const out: ImpactAssessment[] = [];
  items.forEach((item, i) => {
    const f = isPyList(v) ? `${field}.${i}` : field;
    const d = r.dict(item, f, 'an impact assessment');
    if (!d) return;
    const a = r.dict(pyGet(d, 'assessment'), `${f}.assessment`, 'assessment');
    if (!a) return;
    const type = r.text(pyGet(a, 'type'), `${f}.assessment.type`, 'assessment type', true);
    const vector = r.text(pyGet(a, 'detail'), `${f}.assessment.detail`, 'CVSS vector', true);
    const score = readScore(r, pyGet(a, 'score'), `${f}.assessment.score`);
    if (type === null || vector === null) return;
    const version = cvssVersionFromType(type);
    if (!version) {
      r.warn(OssaWarningKind.unknownAssessment, `${f}.assessment.type`, `assessment type \`${type}\` is not CVSS 2, 3.0, 3.1 or 4.0`);
      return;
    }
    out.push({
      version,
      vector,
      score,
      source: r.text(pyGet(d, 'source'), `${f}.source`, 'source', false),
      rating: r.text(pyGet(d, 'rating'), `${f}.rating`, 'rating', false),
    });
  });
  return out;
}

function readClassifications(r: OssaReader, v: PyValue | undefined, field: string): Classification[] {
  if (v === undefined || v === null) return [];
  const items = isPyList(v) ? v : [v];
  const out: Classification[] = [];
  items.forEach((item, i) => {
    const f = isPyList(v) ? `${field}.${i}` : field;
    const d = r.dict(item, f, 'a classification');
    if (!d) return;
    const type = r.text(pyGet(d, 'type'), `${f}.type`, 'classification type', true);
    const detail = r.text(pyGet(d, 'detail'), `${f}.detail`, 'classification detail', true);
    if (type === null || detail === null) return;
    out.push({
      type,
      detail,
      cweIds: detail.match(/CWE-\d+/g) ?? [],
      source: r.text(pyGet(d, 'source'), `${f}.source`, 'source', false),
    });
  });
  return out;
}

export function readVulnerabilities(r: OssaReader, value: PyValue | undefined): Vulnerability[] {
  const out: Vulnerability[] = [];
  r.list(value, 'vulnerabilities', 'vulnerabilities', false).forEach((item, i) => {
    const field = `vulnerabilities.${i}`;
    const d = r.dict(item, field, 'a vulnerability');
    if (!d) return;
    const idText = r.text(pyGet(d, 'cve-id'), `${field}.cve-id`, 'cve-id', true);
    if (idText === null) return;
    let cveId = idText.trim();
    let idAnnotation: string | null = null;
    const annotated = ANNOTATED_CVE.exec(cveId);
    if (annotated) {
      cveId = annotated[1] ?? cveId;
      idAnnotation = annotated[2] ?? '';
      r.warn(OssaWarningKind.annotatedCveId, `${field}.cve-id`, `cve-id \`${idText}\` carries a note; use the \`note\` key`);
    } else if (cveId === CVE_PLACEHOLDER) {
      r.warn(OssaWarningKind.cvePlaceholder, `${field}.cve-id`, 'no CVE id assigned yet (`Requested`)');
    } else if (!CVE_ID_PATTERN.test(cveId)) {
      r.warn(OssaWarningKind.invalidCveId, `${field}.cve-id`, `cve-id \`${idText}\` is not a CVE id (CVE-YYYY-NNNN)`);
      cveId = idText;
    }
    out.push({
      cveId,
      note: r.text(pyGet(d, 'note'), `${field}.note`, 'note', false),
      idAnnotation,
      impactAssessments: readAssessments(r, pyGet(d, 'impact-assessment'), `${field}.impact-assessment`),
      classifications: readClassifications(r, pyGet(d, 'classification'), `${field}.classification`),
    });
  });
  return out;
}

export function readReporters(r: OssaReader, value: PyValue | undefined, cveIds: Set<string>): Reporter[] {
  if (value === undefined) r.warn(OssaWarningKind.missingSection, 'reporters', 'no reporters listed');
  const out: Reporter[] = [];
  r.list(value, 'reporters', 'reporters', true).forEach((item, i) => {
    const field = `reporters.${i}`;
    const d = r.dict(item, field, 'a reporter');
    if (!d) return;
    const name = r.text(pyGet(d, 'name'), `${field}.name`, 'reporter name', true);
    const affiliation = r.text(pyGet(d, 'affiliation'), `${field}.affiliation`, 'affiliation', false);
    if (affiliation === null || affiliation.trim() === '') {
      r.warn(OssaWarningKind.missingAffiliation, `${field}.affiliation`, `no affiliation for ${name ?? 'reporter'}`);
    } else if (affiliation === 'UNKNOWN') {
      r.warn(OssaWarningKind.unknownAffiliation, `${field}.affiliation`, `affiliation of ${name ?? 'reporter'} is \`UNKNOWN\``);
    }
    const reportedValue = pyGet(d, 'reported');
    if (reportedValue === undefined) {
      r.warn(OssaWarningKind.missingReported, `${field}.reported`, `no CVE ids credited to ${name ?? 'reporter'}`);
    }
    const reported = r.texts(reportedValue, `${field}.reported`, 'reported CVE ids');
    for (const id of reported) {
      if (!cveIds.has(id)) {
        r.warn(OssaWarningKind.unlistedReportedCve, `${field}.reported`, `${id} is not among the advisory's vulnerabilities`);
      }
    }
    if (name !== null) out.push({ name, affiliation: affiliation === '' ? null : affiliation, reported });
  });
  return out;
}

export function readIssues(r: OssaReader, value: PyValue | undefined): IssueLinks {
  if (value === undefined) {
    r.warn(OssaWarningKind.missingSection, 'issues', 'no issue links');
    return { links: [], type: null };
  }
  const d = r.dict(value, 'issues', 'issues');
  if (!d) return { links: [], type: null };
  return {
    links: r.texts(pyGet(d, 'links'), 'issues.links', 'issue links'),
    type: r.text(pyGet(d, 'type'), 'issues.type', 'issue tracker type', false),
  };
}

export function readReviews(r: OssaReader, value: PyValue | undefined): { reviews: ReleaseReview[]; type: string | null } {
  if (value === undefined) {
    r.warn(OssaWarningKind.missingSection, 'reviews', 'no fix reviews');
    return { reviews: [], type: null };
  }
  const d: PyDict | null = r.dict(value, 'reviews', 'reviews');
  const reviews: ReleaseReview[] = [];
  let type: string | null = null;
  for (const [key, links] of d ?? []) {
    const branch = r.text(key, 'reviews', 'release branch key', true);
    if (branch === null) continue;
    // The template skips a `type` key among the branches; it names the review system (`gerrit`).
    if (branch === 'type' && typeof links === 'string') {
      type = links;
      continue;
    }
    reviews.push({ branch, links: r.texts(links, `reviews.${branch}`, 'review links') });
  }
  return { reviews, type };
}

/** The CVE ids an advisory lists, for cross-checks. */
export function cveIdSet(vulns: Vulnerability[]): Set<string> {
  return new Set(vulns.map((v) => v.cveId));
}

