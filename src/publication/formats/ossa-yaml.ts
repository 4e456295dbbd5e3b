// Import of an OpenStack Security Advisory YAML file (openstack/ossa `ossa/OSSA-YYYY-NNN.yaml`)
// into an AdvisoryRecord. Loading follows PyYAML's YAML 1.1 rules (see pyyaml-load.ts) because
// that is how the OpenStack tooling reads these files. Every oddity becomes a warning; a file that
// is not YAML or whose values have the wrong shape is refused with an error naming file and field.
import { isMap, isScalar, type Document } from 'yaml';
import { errors } from '../../errors/catalogue.js';
import { ADVISORY_ID_PATTERN, type AdvisoryRecord, type Errata } from '../record.js';
import {
  cveIdSet,
  readAffectedProducts,
  readIssues,
  readReporters,
  readReviews,
  readVulnerabilities,
} from './ossa-import-fields.js';
import { OssaReader, OssaWarningKind, type OssaImportWarning } from './ossa-reader.js';
import { PyDate, PyDateTime, isPyDict, isPyList, pyGet, pyStr, pyTypeName, type PyValue } from './py-value.js';
import { loadPyYaml, pyToJson } from './pyyaml-load.js';

export { OssaWarningKind, type OssaImportWarning } from './ossa-reader.js';

export interface OssaImportResult {
  record: AdvisoryRecord;
  warnings: OssaImportWarning[];
}

/** Top-level keys of the OSSA format that map to typed record fields. */
export const OSSA_MODELLED_KEYS = [
  'date',
  'id',
  'title',
  'description',
  'reference',
  'affected-products',
  'vulnerabilities',
  'reporters',
  'issues',
  'reviews',
  'notes',
  'errata',
  'errata_history',
  'type',
] as const;

/** The text of a top-level scalar as written in the file (e.g. the date), when there is one. */
function scalarSource(doc: Document.Parsed | null, key: string): string | null {
  const contents = doc?.contents;
  if (!isMap(contents)) return null;
  for (const pair of contents.items) {
    if (isScalar(pair.key) && pair.key.value === key && isScalar(pair.value)) {
      const node = pair.value as { source?: unknown; value: unknown };
      return typeof node.source === 'string' ? node.source : String(node.value);
    }
  }
  return null;
}

function isoDate(y: number, m: number, d: number): string {
  return new PyDate(y, m, d).toString();
}

function readDate(r: OssaReader, value: PyValue | undefined): string | null {
  if (value === undefined || value === null) {
    r.warn(OssaWarningKind.missingDate, 'date', 'the advisory has no date');
    return null;
  }
  if (value instanceof PyDate) return value.toString();
  if (value instanceof PyDateTime) {
    r.warn(OssaWarningKind.dateNotADate, 'date', `date \`${value.toString()}\` has a time of day; only the day is kept`);
    return value.date.toString();
  }
  if (typeof value === 'string') {
    const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(value);
    const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
    const valid = m && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (valid) {
      r.warn(OssaWarningKind.dateNotADate, 'date', `date \`${value}\` is text, not a YAML date; write it as YYYY-MM-DD unquoted`);
      return isoDate(y, mo, d);
    }
    r.warn(OssaWarningKind.dateNotADate, 'date', `date \`${value}\` is not a YYYY-MM-DD date`);
    return null;
  }
  r.error('date', `expected a date (YYYY-MM-DD), found ${pyTypeName(value)}`);
  return null;
}

function readErrata(r: OssaReader, text: PyValue | undefined, history: PyValue | undefined): Errata | null {
  const errata = r.text(text, 'errata', 'errata', false);
  const lines = r.texts(history, 'errata_history', 'errata history');
  if (errata === null && !lines.length) return null;
  return { text: errata ?? '', history: lines };
}

/**
 * Builds a record from an already loaded OSSA value (what `yaml.safe_load` returns).
 * Throws a validation AppError naming `sourceName` and the fields when the shape is wrong.
 */
export function recordFromOssaData(
  data: PyValue,
  sourceName: string,
  source: { sourceYaml: string | null; dateText?: string | null } = { sourceYaml: null },
): OssaImportResult {
  const r = new OssaReader(sourceName);
  if (data === null) throw errors.validation([{ field: 'yaml', message: 'the file is empty' }], `${sourceName}: the file is empty`);
  if (!isPyDict(data)) {
    const message = `expected a mapping of advisory fields at the top level, found ${pyTypeName(data)}`;
    throw errors.validation([{ field: 'yaml', message }], `${sourceName}: ${message}`);
  }
  const get = (key: string): PyValue | undefined => pyGet(data, key);

  const id = r.text(get('id'), 'id', 'advisory id', true);
  if (id !== null && !ADVISORY_ID_PATTERN.test(id)) r.error('id', `advisory id \`${id}\` is not of the form OSSA-YYYY-NNN`);
  const date = readDate(r, get('date'));
  const title = r.text(get('title'), 'title', 'title', true);
  const description = r.text(get('description'), 'description', 'description', true);
  const reference = get('reference');
  const references = isPyList(reference)
    ? r.texts(reference, 'reference', 'reference links')
    : [r.text(reference, 'reference', 'reference link', false)].filter((x): x is string => x !== null);
  const affectedProducts = readAffectedProducts(r, get('affected-products'));
  const vulnerabilities = readVulnerabilities(r, get('vulnerabilities'));
  const reporters = readReporters(r, get('reporters'), cveIdSet(vulnerabilities));
  const issues = readIssues(r, get('issues'));
  const { reviews, type: reviewsType } = readReviews(r, get('reviews'));
  const notes = r.texts(get('notes'), 'notes', 'notes');
  const errata = readErrata(r, get('errata'), get('errata_history'));
  const type = r.text(get('type'), 'type', 'type', false);
  if (type !== null) r.warn(OssaWarningKind.strayType, 'type', `top-level \`type: ${type}\` belongs inside \`reviews\``);

  const extra: Record<string, unknown> = {};
  for (const [key, value] of data) {
    if (typeof key === 'string' && (OSSA_MODELLED_KEYS as readonly string[]).includes(key)) continue;
    const name = pyStr(key);
    extra[name] = pyToJson(value);
    r.warn(OssaWarningKind.unknownKey, name, `\`${name}\` is not an OSSA field; kept as is`);
  }

  const problems = r.problems.issues;
  const first = problems[0];
  if (first) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw errors.validation(problems, `${sourceName}: ${first.field}: ${first.message}${more}`);
  }
  const record: AdvisoryRecord = {
    id: id ?? '',
    date,
    dateText: source.dateText ?? (get('date') === undefined ? '' : pyStr(get('date') ?? null)),
    title: title ?? '',
    description: description ?? '',
    affectedProducts,
    vulnerabilities,
    reporters,
    issues,
    reviews,
    reviewsType,
    notes,
    errata,
    references,
    type,
    extra,
    raw: pyToJson(data),
    sourceYaml: source.sourceYaml,
  };
  return { record, warnings: r.warnings };
}

/** Imports one OSSA YAML file's text. `sourceName` (usually the file name) prefixes every error. */
export function importOssaYaml(text: string, sourceName = 'advisory.yaml'): OssaImportResult {
  const loaded = loadPyYaml(text, sourceName);
  return recordFromOssaData(loaded.value, sourceName, {
    sourceYaml: text,
    dateText: scalarSource(loaded.document, 'date'),
  });
}
