/**
 * The advisory record Cordon stores for an OpenStack-style security advisory (OSSA), DESIGN.md §2–3.
 *
 * Shape, in short:
 *
 *   AdvisoryRecord
 *   ├─ id `OSSA-YYYY-NNN`, date (ISO `YYYY-MM-DD` + the text as written), title, description
 *   ├─ affectedProducts[]: product name + versions { text as written, parsed ranges, prose flag }
 *   ├─ vulnerabilities[]: cveId (+ note / annotation), impactAssessments[] (CVSS), classifications[] (CWE)
 *   ├─ reporters[]: name, affiliation (null when missing; `UNKNOWN` kept verbatim), reported CVE ids
 *   ├─ issues { links, type }, reviews[] { branch, links } in file order, reviewsType
 *   ├─ notes[], errata { text, history newest first } | null, references[], type
 *   ├─ extra: top-level keys Cordon does not model (kept so an export never drops them)
 *   └─ raw / sourceYaml: the loaded YAML value and the verbatim file, so nothing is ever lost
 *
 * The typed fields are what the rest of the product reads and edits (OSV, CVE JSON 5, CSAF, pages,
 * mail). `raw` and `sourceYaml` exist for fidelity: exporting an unedited record back to OSSA YAML
 * reuses them so the file loads (YAML 1.1, as PyYAML) to exactly the original data, quirks included
 * (a float version `2014.1`, an int score `4` beside float `4.0`, a string where a list belongs).
 * Records created in Cordon have `raw: null` and `sourceYaml: null`.
 */

import type { VersionClause } from '../identifiers/version-specifiers.js';

/** `OSSA-YYYY-NNN`; the prefix is an instance setting (DESIGN.md §2), OpenStack's is the default. */
export const ADVISORY_ID_PATTERN = /^[A-Z][A-Z0-9]*-(\d{4})-(\d{3,})$/;

/** The placeholder the OpenStack VMT writes as `cve-id` before MITRE assigns one. */
export const CVE_PLACEHOLDER = 'Requested';

export const CVE_ID_PATTERN = /^CVE-\d{4}-\d{4,}$/;

/** CVSS versions Cordon scores (FIRST specifications); string values, never integers (DESIGN.md §6). */
export const CvssVersion = {
  v2: '2.0',
  v3_0: '3.0',
  v3_1: '3.1',
  v4_0: '4.0',
} as const;
export type CvssVersion = (typeof CvssVersion)[keyof typeof CvssVersion];

/**
 * One affected range, one comma-separated clause of the specifier text, in OSV event terms
 * (OSV schema `ranges[].events`): `introduced` inclusive (null = since the first release),
 * then either `fixed` (exclusive upper bound: the first fixed release) or `lastAffected`
 * (inclusive upper bound), or neither (still affected).
 */
export interface VersionRange extends VersionClause {
  /** Set when the clause is qualified by a product name (`Cinder <19.1.2; Glance <23.0.1`). */
  product: string | null;
  introduced: string | null;
  /** True for `>X`: OSV cannot say "after X", consumers should treat X itself as unaffected. */
  introducedExclusive: boolean;
  fixed: string | null;
  lastAffected: string | null;
  /** True when the range was read out of English prose ("up to 2014.1.3") rather than specifiers. */
  fromProse: boolean;
}

export interface AffectedVersions {
  /** The version text as stored in the source (a float `2014.1` becomes the text Python prints). */
  text: string;
  /** Ranges that could be parsed, in text order; empty when nothing could be. */
  ranges: VersionRange[];
  /** "All versions" and its variants: every release is affected. */
  allVersions: boolean;
  /** Parts of the text that could not be read as a range (release names, "TODO", …). */
  unparsed: string[];
}

export interface AffectedProduct {
  product: string;
  versions: AffectedVersions;
}

/** A CVSS assessment of one vulnerability (OSSA `impact-assessment`). */
export interface ImpactAssessment {
  version: CvssVersion;
  /** Vector as stored; v2 has no prefix (`AV:N/AC:M/…`), v3/v4 keep `CVSS:3.1/…`. */
  vector: string;
  /** Base score as published by `source`; null when the source gave none. */
  score: number | null;
  /** Who assessed it, e.g. `Red Hat Product Security`. */
  source: string | null;
  /** Qualitative rating as written by the source (`low`, `moderate`, `important`, …). */
  rating: string | null;
}

/** A weakness classification (OSSA `classification`), normally CWE. */
export interface Classification {
  /** Scheme name as written, `CWE` in every corpus file. */
  type: string;
  /** Detail as written, e.g. `CWE-20->CWE-22` (a chain). */
  detail: string;
  /** CWE ids found in `detail`, in order: `['CWE-20', 'CWE-22']`. */
  cweIds: string[];
  source: string | null;
}

export interface Vulnerability {
  /** Bare CVE id (`CVE-2016-0737`) or the placeholder `Requested`. */
  cveId: string;
  /** Explicit `note` on the entry (OSSA-2016-009: `DHCP spoofing`). */
  note: string | null;
  /** Text written after the id inside `cve-id` itself (OSSA-2016-004: `(client to proxy)` → `client to proxy`). */
  idAnnotation: string | null;
  impactAssessments: ImpactAssessment[];
  classifications: Classification[];
}

export interface Reporter {
  name: string;
  /** null when the source gives none; the literal `UNKNOWN` is kept as written. */
  affiliation: string | null;
  /** CVE ids this reporter is credited for, in source order. */
  reported: string[];
}

export interface IssueLinks {
  links: string[];
  /** Tracker kind as written (`launchpad`, `storyboard`), null when absent. */
  type: string | null;
}

/** Fix links for one release branch; `branch` is the key as written (`master`, `2025.1/epoxy`). */
export interface ReleaseReview {
  branch: string;
  links: string[];
}

export interface Errata {
  /** Erratum text as written. */
  text: string;
  /** History lines, newest first (DESIGN.md §2: each erratum adds one). */
  history: string[];
}

export interface AdvisoryRecord {
  id: string;
  /** ISO `YYYY-MM-DD`; null when the source had no parseable date. */
  date: string | null;
  /** The date as written in the source (`2011-12-13`); '' when absent. */
  dateText: string;
  title: string;
  description: string;
  affectedProducts: AffectedProduct[];
  vulnerabilities: Vulnerability[];
  reporters: Reporter[];
  issues: IssueLinks;
  /** In source order; the notice text sorts them, other outputs may not. */
  reviews: ReleaseReview[];
  /** Review system kind (`gerrit`), from the `type` key inside `reviews`; null when absent. */
  reviewsType: string | null;
  notes: string[];
  errata: Errata | null;
  /** OSSA `reference` (a mailing-list archive link in older advisories). */
  references: string[];
  /** A top-level `type` key (one corpus file, OSSA-2016-008, holds `type: gerrit` there). */
  type: string | null;
  /** Top-level keys of the source that Cordon does not model, verbatim (JSON-safe like `raw`). */
  extra: Record<string, unknown>;
  /**
   * The loaded YAML value (YAML 1.1 as PyYAML loads it), JSON-safe: timestamps become ISO strings,
   * everything else as loaded. null for records created in Cordon.
   */
  raw: unknown;
  /** The source file verbatim, used to export unedited fields exactly as they were; null if none. */
  sourceYaml: string | null;
}

/** The display form of a CVE entry in notices and subjects: `ID (note)` (DESIGN.md §3). */
export function cveDisplay(v: Vulnerability): string {
  const note = v.note ?? v.idAnnotation;
  return note ? `${v.cveId} (${note})` : v.cveId;
}

/** Year and sequence of an advisory id, or null when it does not match `PREFIX-YYYY-NNN`. */
export function parseAdvisoryId(id: string): { year: number; sequence: number } | null {
  const m = ADVISORY_ID_PATTERN.exec(id);
  if (!m) return null;
  return { year: Number(m[1]), sequence: Number(m[2]) };
}

/** An empty record, the starting point for an advisory drafted in Cordon. */
export function emptyAdvisoryRecord(id: string): AdvisoryRecord {
  return {
    id,
    date: null,
    dateText: '',
    title: '',
    description: '',
    affectedProducts: [],
    vulnerabilities: [],
    reporters: [],
    issues: { links: [], type: null },
    reviews: [],
    reviewsType: null,
    notes: [],
    errata: null,
    references: [],
    type: null,
    extra: {},
    raw: null,
    sourceYaml: null,
  };
}
