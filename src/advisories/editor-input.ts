// The advisory editor's fields as text (one item per line, so the form works without JavaScript) and
// their translation to and from the AdvisoryRecord (DESIGN.md §2). Every field is validated; all
// problems are collected per field and thrown together, so a bad save changes nothing.
//
// A line (or a whole field) that the user left exactly as it was rendered keeps the previous typed
// value: an imported advisory keeps its quirks (prose versions, CVSS v2 scores by their source) unless
// someone edits that part, and only edited parts must meet the editor's stricter rules.
import { errors, IssueCollector } from '../errors/catalogue.js';
import { checkCveId, checkCweId } from '../identifiers/vulnerability-ids.js';
import { checkCvssVector, CURRENT_CVSS_VERSIONS, headlineScore, scoreParsedCvss, severityRating } from '../cvss/index.js';
import { parseAffectedVersions, toAffectedVersions } from '../publication/formats/version-range.js';
import {
  CVE_PLACEHOLDER,
  type AdvisoryRecord,
  type AffectedProduct,
  type Classification,
  type ImpactAssessment,
  type ReleaseReview,
  type Reporter,
  type Vulnerability,
} from '../publication/record.js';

export const EDITOR_FIELDS = ['title', 'date', 'description', 'products', 'cves', 'cvss', 'cwes', 'reporters', 'issues', 'issuesType', 'fixes', 'notes', 'references'] as const;
export type EditorField = (typeof EDITOR_FIELDS)[number];
export type AdvisoryForm = Record<EditorField, string>;

export const FIELD_LABELS: Record<EditorField, string> = {
  title: 'Title',
  date: 'Date',
  description: 'Description (impact)',
  products: 'Affected products',
  cves: 'CVE ids',
  cvss: 'CVSS vectors',
  cwes: 'CWE',
  reporters: 'Reporters',
  issues: 'Issue links',
  issuesType: 'Issue tracker',
  fixes: 'Fixes per release branch',
  notes: 'Notes',
  references: 'References',
};

const MAX_TITLE = 200;
const MAX_FIELD = 50_000;
const CVE_PREFIX = /^(CVE-\d{4}-\d{4,}|Requested)\s*:\s*(.*)$/i;
const URL_START = /^https?:\/\/\S+/i;

function lines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function sameText(a: string, b: string): boolean {
  return lines(a).join('\n') === lines(b).join('\n');
}

function cvePrefix(record: AdvisoryRecord, v: Vulnerability): string {
  return record.vulnerabilities.length > 1 ? `${v.cveId}: ` : '';
}

function cveLine(v: Vulnerability): string {
  const note = v.note ?? v.idAnnotation;
  return note ? `${v.cveId} (${note})` : v.cveId;
}

function reporterLine(r: Reporter): string {
  const parts = [r.name, r.affiliation ?? '', r.reported.join(', ')];
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.join(' | ');
}

function productLine(p: AffectedProduct): string {
  return `${p.product}: ${p.versions.text}`;
}

/** The record as editor text. */
export function formFromRecord(record: AdvisoryRecord): AdvisoryForm {
  return {
    title: record.title,
    date: record.date ?? record.dateText,
    description: record.description.replace(/\s+$/, ''),
    products: record.affectedProducts.map(productLine).join('\n'),
    cves: record.vulnerabilities.map(cveLine).join('\n'),
    cvss: record.vulnerabilities.flatMap((v) => v.impactAssessments.map((a) => `${cvePrefix(record, v)}${a.vector}`)).join('\n'),
    cwes: record.vulnerabilities.flatMap((v) => v.classifications.map((c) => `${cvePrefix(record, v)}${c.detail}`)).join('\n'),
    reporters: record.reporters.map(reporterLine).join('\n'),
    issues: record.issues.links.join('\n'),
    issuesType: record.issues.type ?? '',
    fixes: record.reviews.flatMap((r) => r.links.map((l) => `${r.branch}: ${l}`)).join('\n'),
    notes: record.notes.join('\n\n'),
    references: record.references.join('\n'),
  };
}

/** Which fields differ between two records, as the editor shows them (for revision diffs). */
export function changedFields(a: AdvisoryRecord, b: AdvisoryRecord): EditorField[] {
  const fa = formFromRecord(a);
  const fb = formFromRecord(b);
  return EDITOR_FIELDS.filter((f) => fa[f] !== fb[f]);
}

function checkLink(text: string): string | null {
  return URL_START.test(text) ? null : `"${text.slice(0, 60)}" does not start with an http:// or https:// link`;
}

interface LineRef {
  cve: string | null;
  value: string;
  line: number;
}

function splitCveLines(text: string): LineRef[] {
  return lines(text).map((l, i) => {
    const m = CVE_PREFIX.exec(l);
    if (!m) return { cve: null, value: l, line: i + 1 };
    const id = m[1] ?? '';
    return { cve: id.toLowerCase() === 'requested' ? CVE_PLACEHOLDER : id.toUpperCase(), value: (m[2] ?? '').trim(), line: i + 1 };
  });
}

function parseCves(text: string, issues: IssueCollector): { cveId: string; note: string | null }[] {
  const out: { cveId: string; note: string | null }[] = [];
  lines(text).forEach((l, i) => {
    const m = /^(\S+)(?:\s+\((.*)\))?$/.exec(l);
    const raw = m?.[1] ?? l;
    const note = m?.[2]?.trim() || null;
    if (!m) {
      issues.add('cves', `Line ${i + 1}: write one CVE id per line, optionally followed by a note in parentheses: CVE-2026-12345 (note).`);
      return;
    }
    if (raw.toLowerCase() === CVE_PLACEHOLDER.toLowerCase()) {
      out.push({ cveId: CVE_PLACEHOLDER, note });
      return;
    }
    const checked = checkCveId(raw);
    if (!checked.ok) return issues.add('cves', `Line ${i + 1}: ${checked.message}`);
    if (out.some((c) => c.cveId === checked.value)) return issues.add('cves', `Line ${i + 1}: ${checked.value} is listed twice.`);
    out.push({ cveId: checked.value, note });
  });
  return out;
}

/** The CVE ids a prefixed line applies to: its own (which must be listed) or every one. */
function targets(ref: LineRef, cveIds: string[], field: EditorField, issues: IssueCollector): string[] {
  if (ref.cve === null) return cveIds;
  if (!cveIds.includes(ref.cve)) {
    issues.add(field, `Line ${ref.line}: ${ref.cve} is not in the CVE list.`);
    return [];
  }
  return [ref.cve];
}

function parseAssessments(text: string, previous: AdvisoryRecord, cveIds: string[], issues: IssueCollector): Map<string, ImpactAssessment[]> {
  const out = new Map<string, ImpactAssessment[]>(cveIds.map((id) => [id, []]));
  const known = previous.vulnerabilities.flatMap((v) => v.impactAssessments);
  for (const ref of splitCveLines(text)) {
    const ids = targets(ref, cveIds, 'cvss', issues);
    if (cveIds.length === 0) issues.add('cvss', `Line ${ref.line}: add a CVE id (or Requested) before scoring it.`);
    // An assessment kept from the record (any CVSS version, its source's own score) stays as it was.
    const kept = known.find((a) => a.vector === ref.value);
    let assessment = kept;
    if (!assessment) {
      const checked = checkCvssVector(ref.value, { field: 'cvss', versions: CURRENT_CVSS_VERSIONS });
      if (!checked.vector) {
        for (const issue of checked.issues) issues.add('cvss', `Line ${ref.line}: ${issue.message}`);
        continue;
      }
      const scores = scoreParsedCvss(checked.vector);
      const score = headlineScore(scores);
      assessment = { version: checked.vector.version, vector: checked.vector.vectorString, score, source: null, rating: severityRating(score).toLowerCase() };
    }
    for (const id of ids) out.get(id)?.push(assessment);
  }
  return out;
}

function parseClassifications(text: string, previous: AdvisoryRecord, cveIds: string[], issues: IssueCollector): Map<string, Classification[]> {
  const out = new Map<string, Classification[]>(cveIds.map((id) => [id, []]));
  const known = previous.vulnerabilities.flatMap((v) => v.classifications);
  for (const ref of splitCveLines(text)) {
    const ids = targets(ref, cveIds, 'cwes', issues);
    if (cveIds.length === 0) issues.add('cwes', `Line ${ref.line}: add a CVE id (or Requested) before classifying it.`);
    let classification = known.find((c) => c.detail === ref.value);
    if (!classification) {
      // A chain of weaknesses is written CWE-20->CWE-22, as in the OSSA files.
      const cweIds: string[] = [];
      for (const part of ref.value.split('->')) {
        const checked = checkCweId(part);
        if (checked.ok) cweIds.push(checked.value);
        else issues.add('cwes', `Line ${ref.line}: ${checked.message}`);
      }
      classification = { type: 'CWE', detail: cweIds.join('->'), cweIds, source: null };
    }
    for (const id of ids) out.get(id)?.push(classification);
  }
  return out;
}

function parseProducts(text: string, previous: AdvisoryRecord, issues: IssueCollector): AffectedProduct[] {
  const out: AffectedProduct[] = [];
  lines(text).forEach((l, i) => {
    const kept = previous.affectedProducts.find((p) => productLine(p) === l);
    if (kept) return void out.push(kept);
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(l);
    const product = m?.[1]?.trim() ?? '';
    const versions = m?.[2]?.trim() ?? '';
    if (!m || !product) return issues.add('products', `Line ${i + 1}: write "product: versions", e.g. nova: <20.2.1, >=21.0.0 <21.2.1.`);
    if (!/^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,99}$/.test(product)) return issues.add('products', `Line ${i + 1}: "${product.slice(0, 40)}" is not a product name (letters, digits, space, . _ + -).`);
    const parsed = parseAffectedVersions(versions);
    for (const issue of parsed.issues) issues.add('products', `Line ${i + 1} (${product}): ${issue.message}`);
    out.push({ product, versions: toAffectedVersions(parsed) });
  });
  return out;
}

function parseReporters(text: string, previous: AdvisoryRecord, cveIds: string[], issues: IssueCollector): Reporter[] {
  const out: Reporter[] = [];
  lines(text).forEach((l, i) => {
    const kept = previous.reporters.find((r) => reporterLine(r) === l);
    if (kept) return void out.push(kept);
    const [name = '', affiliation = '', reported = '', ...rest] = l.split('|').map((p) => p.trim());
    if (rest.length) return issues.add('reporters', `Line ${i + 1}: write "Name | Affiliation | CVE ids" with at most two "|".`);
    if (!name) return issues.add('reporters', `Line ${i + 1}: the reporter's name is missing.`);
    if (name.length > 200 || affiliation.length > 200) return issues.add('reporters', `Line ${i + 1}: name and affiliation are at most 200 characters.`);
    const ids: string[] = [];
    for (const part of reported.split(',').map((p) => p.trim()).filter(Boolean)) {
      const checked = checkCveId(part);
      if (!checked.ok) issues.add('reporters', `Line ${i + 1}: ${checked.message}`);
      else if (!cveIds.includes(checked.value)) issues.add('reporters', `Line ${i + 1}: ${checked.value} is not in the CVE list.`);
      else ids.push(checked.value);
    }
    out.push({ name, affiliation: affiliation || null, reported: ids });
  });
  return out;
}

function parseLinks(field: EditorField, text: string, keep: string[], issues: IssueCollector): string[] {
  return lines(text).map((l, i) => {
    const problem = keep.includes(l) ? null : checkLink(l);
    if (problem) issues.add(field, `Line ${i + 1}: ${problem}.`);
    return l;
  });
}

function parseFixes(text: string, previous: AdvisoryRecord, issues: IssueCollector): ReleaseReview[] {
  const out: ReleaseReview[] = [];
  const keep = new Set(previous.reviews.flatMap((r) => r.links.map((l) => `${r.branch}: ${l}`)));
  lines(text).forEach((l, i) => {
    // The branch may hold spaces ("2024.1/caracal (unmaintained)"); the link begins after ": ".
    const m = /^(.+?):\s+(\S.*)$/.exec(l);
    if (!m) return issues.add('fixes', `Line ${i + 1}: write "branch: link", e.g. master: https://review.opendev.org/c/openstack/nova/+/123456.`);
    const branch = (m[1] ?? '').trim();
    const link = (m[2] ?? '').trim();
    if (branch === 'type') return issues.add('fixes', `Line ${i + 1}: "type" is not a branch name.`);
    if (!keep.has(l)) {
      const problem = checkLink(link);
      if (problem) return issues.add('fixes', `Line ${i + 1}: ${problem}.`);
    }
    const entry = out.find((r) => r.branch === branch);
    if (entry) entry.links.push(link);
    else out.push({ branch, links: [link] });
  });
  return out;
}

function parseNotes(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.split('\n').map((l) => l.trim()).filter(Boolean).join(' '))
    .filter(Boolean);
}

function checkDate(text: string, issues: IssueCollector): string | null {
  const t = text.trim();
  if (!t) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const valid = m && new Date(`${t}T00:00:00Z`).toISOString().slice(0, 10) === t;
  if (!valid) issues.add('date', `"${t.slice(0, 20)}" is not a date; write YYYY-MM-DD, e.g. 2026-05-12.`);
  return valid ? t : null;
}

/**
 * The record after applying the form to `previous`. Fields missing from `form` stay as they were.
 * Throws one validation error listing every problem, per field.
 */
export function applyForm(previous: AdvisoryRecord, input: Partial<AdvisoryForm>): AdvisoryRecord {
  const issues = new IssueCollector();
  const before = formFromRecord(previous);
  const form: AdvisoryForm = { ...before, ...Object.fromEntries(Object.entries(input).filter(([, v]) => typeof v === 'string')) };
  for (const f of EDITOR_FIELDS) if (form[f].length > MAX_FIELD) issues.add(f, `${FIELD_LABELS[f]} is too long (at most ${MAX_FIELD} characters).`);
  if (!issues.ok) issues.throwIfAny();
  const unchanged = (f: EditorField): boolean => sameText(form[f], before[f]);

  const title = form.title.replace(/\s+/g, ' ').trim();
  if (!title) issues.add('title', 'Give the advisory a title.');
  else if (!unchanged('title') && title.length > MAX_TITLE) issues.add('title', `The title is too long (at most ${MAX_TITLE} characters).`);

  const dateKept = form.date.trim() === before.date.trim();
  const date = dateKept ? previous.date : checkDate(form.date, issues);
  const description = unchanged('description') && form.description.trim() === before.description.trim() ? previous.description : form.description.replace(/\r\n?/g, '\n').trim();

  let vulnerabilities = previous.vulnerabilities;
  if (!(unchanged('cves') && unchanged('cvss') && unchanged('cwes'))) {
    const cves = parseCves(form.cves, issues);
    const ids = cves.map((c) => c.cveId);
    const assessments = parseAssessments(form.cvss, previous, ids, issues);
    const classifications = parseClassifications(form.cwes, previous, ids, issues);
    vulnerabilities = cves.map((c) => {
      const old = previous.vulnerabilities.find((v) => v.cveId === c.cveId && (v.note ?? v.idAnnotation) === c.note);
      return {
        cveId: c.cveId,
        note: old ? old.note : c.note,
        idAnnotation: old ? old.idAnnotation : null,
        impactAssessments: assessments.get(c.cveId) ?? [],
        classifications: classifications.get(c.cveId) ?? [],
      };
    });
  }
  const cveIds = vulnerabilities.map((v) => v.cveId);

  const record: AdvisoryRecord = {
    ...previous,
    title: unchanged('title') ? previous.title : title,
    date,
    dateText: dateKept ? previous.dateText : (date ?? ''),
    description,
    affectedProducts: unchanged('products') ? previous.affectedProducts : parseProducts(form.products, previous, issues),
    vulnerabilities,
    reporters: unchanged('reporters') && unchanged('cves') ? previous.reporters : parseReporters(form.reporters, previous, cveIds, issues),
    issues: {
      links: unchanged('issues') ? previous.issues.links : parseLinks('issues', form.issues, previous.issues.links, issues),
      type: unchanged('issuesType') ? previous.issues.type : form.issuesType.trim() || null,
    },
    reviews: unchanged('fixes') ? previous.reviews : parseFixes(form.fixes, previous, issues),
    notes: unchanged('notes') ? previous.notes : parseNotes(form.notes),
    references: unchanged('references') ? previous.references : parseLinks('references', form.references, previous.references, issues),
  };
  if (!issues.ok) throw errors.validation(issues.issues, `The advisory was not saved: ${issues.issues.length} problem${issues.issues.length === 1 ? '' : 's'} to fix.`);
  return record;
}

/** What a record still lacks before it can be published (per field, in editor terms). */
export function publicationProblems(record: AdvisoryRecord): { field: EditorField; message: string }[] {
  const out: { field: EditorField; message: string }[] = [];
  if (!record.title.trim()) out.push({ field: 'title', message: 'The advisory has no title.' });
  if (!record.description.trim()) out.push({ field: 'description', message: 'The advisory has no description of the impact.' });
  if (!record.affectedProducts.length) out.push({ field: 'products', message: 'List at least one affected product with its versions.' });
  if (!record.vulnerabilities.length) out.push({ field: 'cves', message: 'List at least one CVE id (or Requested).' });
  return out;
}
