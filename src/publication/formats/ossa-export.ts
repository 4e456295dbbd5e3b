// Export of an AdvisoryRecord back to OpenStack OSSA YAML.
//
// The typed record is the truth. To keep an unedited advisory byte-for-byte faithful in meaning
// (an int score `4` stays an int, the float version `2014.1` stays a float, a string `reported`
// stays a string), each top-level key is compared: if the record's canonical form of that key is
// the same as the canonical form of what was imported, the value from the source file is written
// (even its YAML node, so comments and layout survive); otherwise the canonical form is written.
import { isMap, isScalar, parseDocument, visit, type Pair } from 'yaml';
import {
  CvssVersion,
  type AdvisoryRecord,
  type Classification,
  type ImpactAssessment,
  type Vulnerability,
} from '../record.js';
import { recordFromOssaData } from './ossa-yaml.js';
import { PyDate, pyEquals, type PyDict, type PyValue } from './py-value.js';
import { dumpPyYaml, protectAwkwardScalars, pyToYamlNode, PYYAML_STRINGIFY_OPTIONS } from './pyyaml-dump.js';
import { loadPyYaml } from './pyyaml-load.js';
import { PYYAML_PARSE_OPTIONS } from './pyyaml-options.js';

const CVSS_TYPE_NAMES: Record<CvssVersion, string> = {
  [CvssVersion.v2]: 'CVSS2',
  [CvssVersion.v3_0]: 'CVSS3',
  [CvssVersion.v3_1]: 'CVSS3.1',
  [CvssVersion.v4_0]: 'CVSS4',
};

function dict(entries: Array<[string, PyValue | undefined]>): PyDict {
  const d: PyDict = new Map();
  for (const [k, v] of entries) if (v !== undefined) d.set(k, v);
  return d;
}

function optional<T>(v: T | null): T | undefined {
  return v === null ? undefined : v;
}

/** JSON (as stored in `extra`) → Python value: integral numbers become ints. */
export function jsonToPy(v: unknown): PyValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(jsonToPy);
  if (typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, jsonToPy(x)]));
  if (typeof v === 'bigint') return v;
  return null;
}

function isoToPyDate(iso: string): PyDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? new PyDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

function assessmentData(a: ImpactAssessment): PyDict {
  return dict([
    ['source', optional(a.source)],
    ['rating', optional(a.rating)],
    [
      'assessment',
      dict([
        ['type', CVSS_TYPE_NAMES[a.version]],
        ['score', optional(a.score)],
        ['detail', a.vector],
      ]),
    ],
  ]);
}

function classificationData(c: Classification): PyDict {
  return dict([
    ['source', optional(c.source)],
    ['type', c.type],
    ['detail', c.detail],
  ]);
}

function vulnerabilityData(v: Vulnerability): PyDict {
  const single = <T>(items: T[], build: (x: T) => PyDict): PyValue | undefined =>
    items.length === 0 ? undefined : items.length === 1 && items[0] ? build(items[0]) : items.map(build);
  return dict([
    ['cve-id', v.idAnnotation === null ? v.cveId : `${v.cveId} (${v.idAnnotation})`],
    ['note', optional(v.note)],
    ['impact-assessment', single(v.impactAssessments, assessmentData)],
    ['classification', single(v.classifications, classificationData)],
  ]);
}

/** The record in OSSA YAML shape, from typed fields only (key order as in the OpenStack files). */
export function canonicalOssaData(record: AdvisoryRecord): PyDict {
  const date = record.date ? isoToPyDate(record.date) : null;
  const reviews: PyDict = new Map(record.reviews.map((r) => [r.branch, [...r.links]]));
  if (record.reviewsType !== null) reviews.set('type', record.reviewsType);
  const d = dict([
    ['date', date ?? (record.dateText || undefined)],
    ['id', record.id],
    ['title', record.title],
    ['description', record.description],
    [
      'reference',
      record.references.length === 0 ? undefined : record.references.length === 1 ? record.references[0] : [...record.references],
    ],
    ['affected-products', record.affectedProducts.map((p) => dict([['product', p.product], ['version', p.versions.text]]))],
    ['vulnerabilities', record.vulnerabilities.map(vulnerabilityData)],
    [
      'reporters',
      record.reporters.map((r) =>
        dict([
          ['name', r.name],
          ['affiliation', optional(r.affiliation)],
          ['reported', r.reported.length ? [...r.reported] : undefined],
        ]),
      ),
    ],
    ['issues', dict([['links', [...record.issues.links]], ['type', optional(record.issues.type)]])],
    ['reviews', reviews],
    ['notes', record.notes.length ? [...record.notes] : undefined],
    ['errata', record.errata ? record.errata.text : undefined],
    ['errata_history', record.errata?.history.length ? [...record.errata.history] : undefined],
    ['type', optional(record.type)],
  ]);
  for (const [k, v] of Object.entries(record.extra)) d.set(k, jsonToPy(v));
  return d;
}

interface SourceView {
  value: PyDict;
  canonical: PyDict;
}

/**
 * The last few source documents read, by their text: a site rebuild asks for the same advisory's source
 * once for the notice text and once for the YAML export, and reading it (a PyYAML-exact load and an
 * import) is most of the cost of both. The view depends on nothing but the text, and no caller changes it.
 */
const recentSourceViews = new Map<string, SourceView | null>();
const RECENT_SOURCE_VIEWS = 4;

function sourceView(record: AdvisoryRecord): SourceView | null {
  if (record.sourceYaml === null) return null;
  const text = record.sourceYaml;
  if (recentSourceViews.has(text)) return recentSourceViews.get(text)!;
  const loaded = loadPyYaml(text, `${record.id || 'advisory'} (source)`);
  const view = loaded.value instanceof Map ? { value: loaded.value, canonical: canonicalOssaData(recordFromOssaData(loaded.value, 'source', { sourceYaml: null }).record) } : null;
  if (recentSourceViews.size >= RECENT_SOURCE_VIEWS) recentSourceViews.delete(recentSourceViews.keys().next().value!);
  recentSourceViews.set(text, view);
  return view;
}

type KeyChoice = { key: PyValue; from: 'source' | 'record'; value: PyValue | undefined };

function chooseKeys(record: AdvisoryRecord, src: SourceView | null): KeyChoice[] {
  const now = canonicalOssaData(record);
  if (!src) return [...now].map(([key, value]) => ({ key, from: 'record', value }));
  const keys: PyValue[] = [...src.value.keys()];
  for (const k of [...src.canonical.keys(), ...now.keys()]) if (!keys.some((x) => x === k)) keys.push(k);
  return keys.map((key) =>
    pyEquals(now.get(key), src.canonical.get(key))
      ? { key, from: 'source', value: src.value.get(key) }
      : { key, from: 'record', value: now.get(key) },
  );
}

/**
 * The OSSA data an export writes (what PyYAML will load from `exportOssaYaml(record)`): source
 * values for unedited keys, canonical values for edited ones.
 */
export function ossaExportData(record: AdvisoryRecord): PyDict {
  const out: PyDict = new Map();
  for (const c of chooseKeys(record, sourceView(record))) if (c.value !== undefined) out.set(c.key, c.value);
  return out;
}

/** Whether the source document can be edited in place (plain top-level keys, no anchors/aliases/merges). */
function editableInPlace(text: string): ReturnType<typeof parseDocument> | null {
  const doc = parseDocument(text, PYYAML_PARSE_OPTIONS);
  if (doc.errors.length || !isMap(doc.contents)) return null;
  let tangled = false;
  visit(doc, {
    Alias: () => {
      tangled = true;
      return visit.BREAK;
    },
    Node: (_k, node) => {
      if ('anchor' in node && node.anchor) {
        tangled = true;
        return visit.BREAK;
      }
    },
  });
  const keys = (doc.contents.items as Pair[]).map((p) => (isScalar(p.key) ? p.key.value : null));
  const plainUnique = keys.every((k) => typeof k === 'string' && k !== '<<') && new Set(keys).size === keys.length;
  return tangled || !plainUnique ? null : doc;
}

/** Writes the record as an OpenStack OSSA YAML file. */
export function exportOssaYaml(record: AdvisoryRecord): string {
  const src = sourceView(record);
  const choices = chooseKeys(record, src);
  // Nothing edited since import: the source itself is the export, byte for byte (and no second parse).
  if (record.sourceYaml !== null && src && choices.every((c) => c.from === 'source')) return record.sourceYaml;
  const doc = record.sourceYaml !== null && src ? editableInPlace(record.sourceYaml) : null;
  if (!doc || !isMap(doc.contents)) {
    const data: PyDict = new Map();
    for (const c of choices) if (c.value !== undefined) data.set(c.key, c.value);
    return dumpPyYaml(data);
  }
  protectAwkwardScalars(doc);
  const map = doc.contents;
  for (const c of choices) {
    if (c.from === 'source') continue;
    const at = map.items.findIndex((p) => isScalar(p.key) && p.key.value === c.key);
    if (c.value === undefined) {
      if (at >= 0) map.items.splice(at, 1);
      continue;
    }
    const node = pyToYamlNode(c.value);
    const pair = map.items[at];
    if (pair) pair.value = node;
    else {
      const key = pyToYamlNode(c.key);
      if (isScalar(key)) key.spaceBefore = true;
      map.items.push(doc.createPair(key, node));
    }
  }
  return doc.toString(PYYAML_STRINGIFY_OPTIONS);
}
