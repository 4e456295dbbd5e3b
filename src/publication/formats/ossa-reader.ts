// Shared plumbing for reading an OSSA YAML value into typed fields: field paths, the warning list
// and the error collector. Paths use the YAML keys (`reporters.0.reported`) so a message points at
// the spot in the file.
import { IssueCollector } from '../../errors/catalogue.js';
import { PyDate, PyDateTime, isPyDict, isPyList, pyStr, pyTypeName, type PyDict, type PyValue } from './py-value.js';

/** Oddities an import accepts but reports (one warning per occurrence). */
export const OssaWarningKind = {
  /** affected-products version written as prose or unreadable ("All versions", "Essex, Folsom"). */
  proseVersion: 'prose-version',
  /** Specifier text with sloppy syntax (`<= 2015.1.2`, `>=18.0.0<18.2.2`, `=18.0.0`, overlapping ranges). */
  sloppyVersion: 'sloppy-version',
  /** Several products' versions in one entry (`Cinder <19.1.2; Glance <23.0.1`). */
  productQualifiedVersion: 'product-qualified-version',
  /** A value YAML 1.1 typed as a number/date/bool where text belongs (version `2014.1` is a float). */
  nonStringValue: 'non-string-value',
  /** `cve-id` carrying a note after the id: `CVE-2016-0737 (client to proxy)`. */
  annotatedCveId: 'annotated-cve-id',
  /** `cve-id` that is not `CVE-YYYY-NNNN…` nor the `Requested` placeholder. */
  invalidCveId: 'invalid-cve-id',
  /** `cve-id: Requested`: no CVE assigned yet. */
  cvePlaceholder: 'cve-placeholder',
  /** A single string where a list belongs (`reported: 'CVE-2025-44021'`). */
  stringForList: 'string-for-list',
  /** Reporter without `affiliation` (or an empty one). */
  missingAffiliation: 'missing-affiliation',
  /** Reporter with the literal affiliation `UNKNOWN` (kept as written). */
  unknownAffiliation: 'unknown-affiliation',
  /** Reporter without `reported`. */
  missingReported: 'missing-reported',
  /** Reporter credited with a CVE id the advisory does not list. */
  unlistedReportedCve: 'unlisted-reported-cve',
  /** No `date`. */
  missingDate: 'missing-date',
  /** `date` that YAML did not read as a date (quoted, or not `YYYY-MM-DD`). */
  dateNotADate: 'date-not-a-date',
  /** An optional section that is absent (reporters, issues, reviews). */
  missingSection: 'missing-section',
  /** A top-level `type` key (belongs inside `reviews`/`issues`). */
  strayType: 'stray-type',
  /** A key Cordon does not model; kept verbatim in `extra`. */
  unknownKey: 'unknown-key',
  /** An impact assessment whose scheme is not CVSS 2/3.0/3.1/4.0; kept only in `raw`. */
  unknownAssessment: 'unknown-assessment',
} as const;
export type OssaWarningKind = (typeof OssaWarningKind)[keyof typeof OssaWarningKind];

export interface OssaImportWarning {
  kind: OssaWarningKind;
  /** Dotted path of YAML keys and list indexes, e.g. `affected-products.0.version`. */
  field: string;
  message: string;
}

export class OssaReader {
  readonly warnings: OssaImportWarning[] = [];
  readonly problems = new IssueCollector();

  constructor(readonly sourceName: string) {}

  warn(kind: OssaWarningKind, field: string, message: string): void {
    this.warnings.push({ kind, field, message });
  }

  error(field: string, message: string): void {
    this.problems.add(field, message);
  }

  /** A dict, or null (with an error unless `optional`) when absent or another type. */
  dict(value: PyValue | undefined, field: string, what: string): PyDict | null {
    if (isPyDict(value)) return value;
    if (value === undefined || value === null) this.error(field, `${what} is missing`);
    else this.error(field, `expected ${what} (a mapping), found ${pyTypeName(value)}`);
    return null;
  }

  /**
   * A list of items; absent → [] when `optional`. A lone string is accepted as a one-item list
   * (with a warning) when `stringsOnly`, i.e. for lists of texts. Anything else is an error.
   */
  list(value: PyValue | undefined, field: string, what: string, optional: boolean, stringsOnly = false): PyValue[] {
    if (isPyList(value)) return value;
    if (value === undefined || value === null) {
      if (!optional) this.error(field, `${what} is missing`);
      return [];
    }
    if (typeof value === 'string' && stringsOnly) {
      this.warn(OssaWarningKind.stringForList, field, `${what} is a single string, not a list; read as a one-item list`);
      return [value];
    }
    this.error(field, `expected ${what} (a list), found ${pyTypeName(value)}`);
    return [];
  }

  /**
   * Text of a scalar. Numbers, dates and booleans are accepted as the text Python prints for them
   * (with a warning); None/absent is an error when `required`, else null; lists and mappings are errors.
   */
  text(value: PyValue | undefined, field: string, what: string, required: boolean): string | null {
    if (typeof value === 'string') return value;
    if (value === undefined || value === null) {
      if (required) this.error(field, `${what} is missing`);
      return null;
    }
    if (
      typeof value === 'number' ||
      typeof value === 'bigint' ||
      typeof value === 'boolean' ||
      value instanceof PyDate ||
      value instanceof PyDateTime
    ) {
      const printed = pyStr(value);
      this.warn(
        OssaWarningKind.nonStringValue,
        field,
        `${what} \`${printed}\` was read by YAML 1.1 as a ${pyTypeName(value)}; quote it to keep it text`,
      );
      return printed;
    }
    this.error(field, `expected ${what} (text), found ${pyTypeName(value)}`);
    return null;
  }

  /** A list of texts (string accepted as one item). */
  texts(value: PyValue | undefined, field: string, what: string): string[] {
    return this.list(value, field, what, true, true)
      .map((item, i) => this.text(item, `${field}.${i}`, what, true))
      .filter((t): t is string => t !== null);
  }
}
