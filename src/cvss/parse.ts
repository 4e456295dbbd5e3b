// Strict CVSS vector syntax checks, done before any scoring so that every problem gets a message
// that names the metric at fault (FIRST CVSS v2.0 §2.4, v3.1 §6, v4.0 §7 "Vector String").
import { errors, type FieldIssue } from '../errors/catalogue.js';
import { definitions, notDefinedValue, type CvssVersion, type MetricDefinition, type VersionDefinition } from './definitions.js';

export interface CvssVector {
  readonly version: CvssVersion;
  /** The vector exactly as given, minus surrounding white space. */
  readonly vectorString: string;
  /** Metric abbreviation → value abbreviation, in the order the vector lists them. */
  readonly metrics: ReadonlyMap<string, string>;
}

export interface CvssCheckResult {
  readonly vector?: CvssVector;
  readonly issues: FieldIssue[];
}

export interface CvssParseOptions {
  /** Field name used in error messages, e.g. `vulnerabilities.0.cvss`. */
  field?: string;
  /**
   * Versions accepted here. Defaults to all four so legacy records can be read; forms for new
   * assessments pass CURRENT_CVSS_VERSIONS.
   */
  versions?: readonly CvssVersion[];
}

/** The versions FIRST currently maintains, the only ones a new assessment should use. */
export const CURRENT_CVSS_VERSIONS: readonly CvssVersion[] = ['3.1', '4.0'];
const ALL_VERSIONS: readonly CvssVersion[] = ['2.0', '3.0', '3.1', '4.0'];

function describe(def: MetricDefinition): string {
  return `"${def.abbr}" (${def.name})`;
}

function expectedStart(versions: readonly CvssVersion[]): string {
  const starts = versions.map((v) => (v === '2.0' ? 'AV: (a bare CVSS v2.0 vector)' : definitions[v].prefix));
  return starts.length === 1 ? `"${starts[0]}"` : `one of ${starts.map((p) => `"${p}"`).join(', ')}`;
}

/** Finds the version from the prefix; v2.0 vectors have none and are known by their `Au:` metric. */
function detectVersion(text: string, versions: readonly CvssVersion[]): { version?: CvssVersion; body: string; problem?: string } {
  const known = ALL_VERSIONS.find(
    (v) => v !== '2.0' && (text.startsWith(definitions[v].prefix) || text === definitions[v].prefix.slice(0, -1)),
  );
  if (known) {
    const body = text.slice(definitions[known].prefix.length);
    if (!versions.includes(known)) return { body, problem: `CVSS ${known} vectors are not accepted here: a vector must start with ${expectedStart(versions)}` };
    return { version: known, body };
  }
  const looksLikeV2 = !text.startsWith('CVSS:') && /(^|\/)Au:/.test(text);
  if (looksLikeV2 && versions.includes('2.0')) return { version: '2.0', body: text };
  const label = text.startsWith('CVSS:') ? `unknown version prefix "${text.split('/')[0] ?? text}"` : 'missing or wrong prefix';
  return { body: text, problem: `${label}: a vector must start with ${expectedStart(versions)}` };
}

/** Checks a vector and returns every problem found (empty `issues` means it is valid). */
export function checkCvssVector(input: string, options: CvssParseOptions = {}): CvssCheckResult {
  const field = options.field ?? 'cvss';
  const issues: FieldIssue[] = [];
  const add = (message: string): void => void issues.push({ field, message });
  const text = typeof input === 'string' ? input.trim() : '';
  if (!text) {
    add('the CVSS vector is empty');
    return { issues };
  }
  const { version, body, problem } = detectVersion(text, options.versions ?? ALL_VERSIONS);
  if (problem || !version) {
    add(problem ?? `not a CVSS vector: "${text}"`);
    return { issues };
  }
  const def = definitions[version];
  const metrics = parseMetrics(def, body, add);
  for (const m of def.metrics) {
    if (m.group === 'base' && !metrics.has(m.abbr)) add(`missing base metric ${describe(m)}`);
  }
  if (issues.length) return { issues };
  return { vector: { version, vectorString: text, metrics }, issues };
}

function parseMetrics(def: VersionDefinition, body: string, add: (message: string) => void): Map<string, string> {
  const metrics = new Map<string, string>();
  const byAbbr = new Map(def.metrics.map((m, index) => [m.abbr, { m, index }]));
  let lastIndex = -1;
  let lastAbbr = '';
  const parts = body === '' ? [] : body.split('/');
  parts.forEach((part, position) => {
    if (part === '') {
      add(`empty metric at position ${position + 1} (a stray "/")`);
      return;
    }
    const colon = part.indexOf(':');
    if (colon <= 0 || colon !== part.lastIndexOf(':')) {
      add(`"${part}" is not a METRIC:VALUE pair`);
      return;
    }
    const abbr = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const known = byAbbr.get(abbr);
    if (!known) {
      const hint = def.metrics.find((m) => m.abbr.toLowerCase() === abbr.toLowerCase());
      add(`unknown metric "${abbr}" for CVSS ${def.version}${hint ? ` (did you mean "${hint.abbr}"?)` : ''}`);
      return;
    }
    if (metrics.has(abbr)) {
      add(`metric ${describe(known.m)} appears more than once`);
      return;
    }
    if (!known.m.values.some((v) => v.abbr === value)) {
      const allowed = known.m.values.map((v) => v.abbr).join(', ');
      add(`metric ${describe(known.m)} has invalid value "${value}"; allowed values: ${allowed}`);
    }
    if (def.fixedOrder && known.index < lastIndex) {
      add(`metric ${describe(known.m)} is out of order: CVSS ${def.version} requires it before "${lastAbbr}"`);
    }
    if (known.index > lastIndex) {
      lastIndex = known.index;
      lastAbbr = abbr;
    }
    metrics.set(abbr, value);
  });
  return metrics;
}

/** Parses a vector or throws a `validation_failed` AppError listing every problem. */
export function parseCvssVector(input: string, options: CvssParseOptions = {}): CvssVector {
  const result = checkCvssVector(input, options);
  if (!result.vector) {
    const summary = result.issues.map((i) => i.message).join('; ');
    throw errors.validation(result.issues, `Invalid CVSS vector "${String(input).trim()}": ${summary}.`);
  }
  return result.vector;
}

/** The value of a metric, with the version's "Not Defined" value for metrics the vector omits. */
export function metricValue(vector: CvssVector, abbr: string): string {
  return vector.metrics.get(abbr) ?? notDefinedValue(vector.version);
}
