// Affected version ranges (DESIGN.md §2): specifier syntax, comma-separated clauses, each clause
// one range: `<20.2.1, >=21.0.0 <21.2.1, ==22.0.0`; the upper bound is the next possible patch
// release. Parsed into OSV-style events (introduced / fixed / last_affected). The real corpus also
// holds prose ("All versions", "up to 2014.1.3 and 2014.2") and sloppy variants (`<= 2015.1.2`,
// `>=18.0.0<18.2.2`, `=18.0.0`, `and` as separator): parsing is lenient and never throws; every
// deviation is reported as an issue. Import keeps issues as warnings; the editor shows them as
// errors (validateAffectedVersions).
import type { FieldIssue } from '../../errors/catalogue.js';
import type { AffectedVersions, VersionRange } from '../record.js';
import { isLowerBound, isUpperBound, type VersionConstraint, type VersionOperator } from '../../identifiers/version-specifiers.js';
import { VERSION_PATTERN, compareVersions } from './version-compare.js';

export const VersionIssueKind = {
  empty: 'empty',
  prose: 'prose',
  unparsed: 'unparsed',
  operatorSpacing: 'operator-spacing',
  missingSpace: 'missing-space',
  singleEquals: 'single-equals',
  bareVersion: 'bare-version',
  andSeparator: 'and-separator',
  productQualified: 'product-qualified',
  notEqual: 'not-equal',
  conflictingBounds: 'conflicting-bounds',
  invertedRange: 'inverted-range',
  openLowerBound: 'open-lower-bound',
  openUpperBound: 'open-upper-bound',
  overlapping: 'overlapping',
} as const;
export type VersionIssueKind = (typeof VersionIssueKind)[keyof typeof VersionIssueKind];

export interface VersionIssue {
  kind: VersionIssueKind;
  message: string;
  /** The clause or piece of text the issue is about. */
  clause: string;
}

export interface ParsedAffectedVersions extends AffectedVersions {
  issues: VersionIssue[];
}

const EXAMPLE = '`<20.2.1, >=21.0.0 <21.2.1, ==22.0.0`';
const V = VERSION_PATTERN;
const TOKEN = new RegExp(`(<=|>=|==|!=|<|>|=)?(\\s*)(${V})`, 'iy');
const ALL_VERSIONS = /^all(?:\s+supported)?\s+(?:versions|releases)$/i;
// Clause separators: commas (optionally followed by "and") and a bare "and" (but not "and later").
const SEPARATOR = /\s*,\s*(?:and\s+)?|\s+and\s+(?!later\b)/i;

// English phrasings found in pre-2015 advisories, each read as one range.
const PROSE: Array<[RegExp, (m: RegExpExecArray) => Partial<VersionRange>]> = [
  [new RegExp(`^(?:all\\s+)?(?:versions?\\s+)?(?:up\\s+to|through)\\s+(${V})$`, 'i'), (m) => ({ lastAffected: m[1] })],
  [
    new RegExp(
      `^(?:from\\s+)?(?:versions?\\s+)?(${V})(?:\\s+\\([^)]*\\))?(?:\\s+versions?)?\\s+(?:up\\s+to|through|to)\\s+(${V})$`,
      'i',
    ),
    (m) => ({ introduced: m[1], lastAffected: m[2] }),
  ],
  [new RegExp(`^versions?\\s+after\\s+(${V})$`, 'i'), (m) => ({ introduced: m[1], introducedExclusive: true })],
  [new RegExp(`^(${V})(?:\\s+\\([^)]*\\))?\\s+and\\s+later$`, 'i'), (m) => ({ introduced: m[1] })],
  [new RegExp(`^(?:versions?\\s+)?(${V})(?:\\s+versions?)?$`, 'i'), (m) => ({ introduced: m[1], lastAffected: m[1] })],
];

function emptyRange(text: string, product: string | null): VersionRange {
  return {
    text,
    product,
    constraints: [],
    introduced: null,
    introducedExclusive: false,
    fixed: null,
    lastAffected: null,
    fromProse: false,
  };
}

/** Reads `>=21.0.0 <21.2.1`-style clauses; null when the clause is not specifier syntax at all. */
function parseSpecClause(clause: string, issues: VersionIssue[]): VersionConstraint[] | null {
  const found: VersionConstraint[] = [];
  const local: VersionIssue[] = [];
  let pos = 0;
  while (pos < clause.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(clause);
    if (!m) return null;
    const [, rawOp, spacing, version = ''] = m;
    let operator: VersionOperator;
    if (rawOp === undefined) {
      if (found.length) return null;
      operator = '==';
      local.push({ kind: 'bare-version', clause, message: `\`${version}\` has no operator; read as \`==${version}\`.` });
    } else if (rawOp === '=') {
      operator = '==';
      local.push({ kind: 'single-equals', clause, message: `\`=${version}\` uses a single \`=\`; read as \`==${version}\`.` });
    } else {
      operator = rawOp as VersionOperator;
    }
    if (rawOp !== undefined && spacing) {
      local.push({
        kind: 'operator-spacing',
        clause,
        message: `\`${rawOp}${spacing}${version}\` has a space after the operator; write \`${rawOp}${version}\`.`,
      });
    }
    found.push({ operator, version });
    pos = TOKEN.lastIndex;
    const next = clause[pos];
    if (next === undefined) break;
    if (/[<>=!]/.test(next)) {
      local.push({
        kind: 'missing-space',
        clause,
        message: `\`${clause}\` needs a space between \`${version}\` and \`${clause.slice(pos)}\`.`,
      });
    } else if (/\s/.test(next)) {
      while (pos < clause.length && /\s/.test(clause[pos] ?? '')) pos++;
    } else {
      return null;
    }
  }
  issues.push(...local);
  return found;
}

function rangeFromConstraints(
  clause: string,
  constraints: VersionConstraint[],
  product: string | null,
  issues: VersionIssue[],
): VersionRange | null {
  const range = { ...emptyRange(clause, product), constraints };
  const lower = constraints.filter(isLowerBound);
  const upper = constraints.filter(isUpperBound);
  const exact = constraints.filter((c) => c.operator === '==');
  if (constraints.some((c) => c.operator === '!=')) {
    issues.push({ kind: 'not-equal', clause, message: `\`${clause}\`: \`!=\` excludes a version and cannot describe an affected range.` });
    return null;
  }
  if (exact.length === 1 && constraints.length === 1) {
    const v = exact[0]?.version ?? '';
    return { ...range, introduced: v, lastAffected: v };
  }
  if (exact.length || lower.length > 1 || upper.length > 1 || constraints.length > 2) {
    issues.push({
      kind: 'conflicting-bounds',
      clause,
      message: `\`${clause}\` must be one bound or a lower bound then an upper bound, e.g. \`>=21.0.0 <21.2.1\`.`,
    });
    return null;
  }
  const lo = lower[0];
  const hi = upper[0];
  if (lo) {
    range.introduced = lo.version;
    range.introducedExclusive = lo.operator === '>';
  }
  if (hi) {
    if (hi.operator === '<') range.fixed = hi.version;
    else range.lastAffected = hi.version;
  }
  if (lo && hi && comparable(lo.version, hi.version)) {
    const cmp = compareVersions(lo.version, hi.version);
    if (cmp > 0 || (cmp === 0 && (lo.operator === '>' || hi.operator === '<'))) {
      issues.push({ kind: 'inverted-range', clause, message: `\`${clause}\` contains no version: the lower bound is not below the upper bound.` });
    }
  }
  return range;
}

// OpenStack moved from date-based versions (2015.1.2) to semantic ones (12.0.0) in 2015; the two
// series do not compare numerically (12.0.0 came after 2015.1.2), so ordering checks skip mixed pairs.
function isDateBased(v: string): boolean {
  return /^20\d\d\./.test(v);
}

function comparable(a: string, b: string): boolean {
  return isDateBased(a) === isDateBased(b);
}

function upperOf(r: VersionRange): string | null {
  return r.fixed ?? r.lastAffected;
}

/** Checks that spec ranges are ordered, bounded where they must be, and disjoint. */
function checkSequence(ranges: VersionRange[], issues: VersionIssue[]): void {
  ranges.forEach((r, i) => {
    const prev = ranges[i - 1];
    if (i > 0 && r.introduced === null) {
      const hint = prev?.introduced && !upperOf(prev) ? ` (did you mean \`>=${prev.introduced} ${r.text}\`?)` : '';
      issues.push({
        kind: 'open-lower-bound',
        clause: r.text,
        message: `\`${r.text}\` has no lower bound, so it also covers the ranges before it${hint}.`,
      });
    }
    if (i < ranges.length - 1 && upperOf(r) === null) {
      issues.push({
        kind: 'open-upper-bound',
        clause: r.text,
        message: `\`${r.text}\` has no upper bound, so it also covers the ranges after it; only the last range may be open.`,
      });
    }
    const prevUpper = prev ? upperOf(prev) : null;
    if (prev && prevUpper && r.introduced && comparable(r.introduced, prevUpper)) {
      const cmp = compareVersions(r.introduced, prevUpper);
      if (cmp < 0 || (cmp === 0 && prev.lastAffected !== null && !r.introducedExclusive)) {
        issues.push({
          kind: 'overlapping',
          clause: r.text,
          message: `\`${r.text}\` starts before \`${prev.text}\` ends; list ranges in ascending order without overlap.`,
        });
      }
    }
  });
}

function parseProse(piece: string, product: string | null): VersionRange | null {
  for (const [re, build] of PROSE) {
    const m = re.exec(piece);
    if (m) return { ...emptyRange(piece, product), ...build(m), fromProse: true };
  }
  return null;
}

function parseClauseList(text: string, product: string | null, out: ParsedAffectedVersions): void {
  const specRanges: VersionRange[] = [];
  const proseUsed: string[] = [];
  if (/[<>=!]/.test(text) && /\s+and\s+(?!later\b)/i.test(text)) {
    out.issues.push({ kind: 'and-separator', clause: text, message: `Separate ranges with commas, not "and": ${EXAMPLE}.` });
  }
  for (const piece of text.split(SEPARATOR).map((p) => p.trim())) {
    if (!piece) continue;
    const constraints = parseSpecClause(piece, out.issues);
    if (constraints) {
      const range = rangeFromConstraints(piece, constraints, product, out.issues);
      if (range) {
        specRanges.push(range);
        out.ranges.push(range);
      } else out.unparsed.push(piece);
      continue;
    }
    const prose = parseProse(piece, product);
    if (prose) {
      out.ranges.push(prose);
      proseUsed.push(piece);
      continue;
    }
    out.unparsed.push(piece);
    out.issues.push({
      kind: 'unparsed',
      clause: piece,
      message: `\`${piece}\` is not a version range; use specifier syntax such as ${EXAMPLE}.`,
    });
  }
  if (proseUsed.length) {
    out.issues.push({
      kind: 'prose',
      clause: proseUsed.join(', '),
      message: `Read from prose (${proseUsed.map((p) => `"${p}"`).join(', ')}); use specifier syntax such as ${EXAMPLE}.`,
    });
  }
  checkSequence(specRanges, out.issues);
}

/** Lenient parse: never throws; what cannot be read lands in `unparsed` with an issue. */
export function parseAffectedVersions(text: string): ParsedAffectedVersions {
  const out: ParsedAffectedVersions = { text, ranges: [], allVersions: false, unparsed: [], issues: [] };
  const trimmed = text.trim();
  if (!trimmed) {
    out.issues.push({ kind: 'empty', clause: '', message: `No affected versions given; use specifier syntax such as ${EXAMPLE}.` });
    return out;
  }
  if (ALL_VERSIONS.test(trimmed)) {
    out.allVersions = true;
    out.issues.push({
      kind: 'prose',
      clause: trimmed,
      message: `"${trimmed}" read as every release; prefer a specifier such as \`>=0\` or ${EXAMPLE}.`,
    });
    return out;
  }
  if (trimmed.includes(';')) {
    // `Cinder <19.1.2, >=20.0.0 <20.0.2; Glance <23.0.1` (OSSA-2023-002): one list per product.
    out.issues.push({
      kind: 'product-qualified',
      clause: trimmed,
      message: 'Versions of several products in one entry; give each product its own entry.',
    });
    for (const segment of trimmed.split(';').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([A-Za-z][\w.-]*)\s+(.*[<>=].*)$/.exec(segment);
      if (m) parseClauseList(m[2] ?? '', m[1] ?? null, out);
      else parseClauseList(segment, null, out);
    }
    return nothingRead(out);
  }
  parseClauseList(trimmed, null, out);
  return nothingRead(out);
}

// Only separators (`,`, `;`, `, and`) leave no range and nothing unparsed; without this issue the
// editor accepted them as a valid empty list (found by fuzzing: ",").
function nothingRead(out: ParsedAffectedVersions): ParsedAffectedVersions {
  if (out.ranges.length === 0 && out.unparsed.length === 0) {
    out.issues.push({ kind: 'empty', clause: out.text.trim(), message: `No affected versions given; use specifier syntax such as ${EXAMPLE}.` });
  }
  return out;
}

/** The AffectedVersions to store (issues dropped; the importer turns them into warnings). */
export function toAffectedVersions(parsed: ParsedAffectedVersions): AffectedVersions {
  return { text: parsed.text, ranges: parsed.ranges, allVersions: parsed.allVersions, unparsed: parsed.unparsed };
}

/** Strict check for the advisory editor: every issue is an error on `field`. */
export function validateAffectedVersions(text: string, field = 'versions'): FieldIssue[] {
  return parseAffectedVersions(text).issues.map((i) => ({ field, message: i.message }));
}

/** Canonical specifier text of one range: `>=21.0.0 <21.2.1`, `==22.0.0`, `<20.2.1`. */
export function formatVersionRange(r: VersionRange): string {
  if (r.introduced !== null && !r.introducedExclusive && r.introduced === r.lastAffected) return `==${r.introduced}`;
  const parts: string[] = [];
  if (r.introduced !== null) parts.push(`${r.introducedExclusive ? '>' : '>='}${r.introduced}`);
  if (r.fixed !== null) parts.push(`<${r.fixed}`);
  else if (r.lastAffected !== null) parts.push(`<=${r.lastAffected}`);
  return parts.join(' ') || '>=0';
}

/** Canonical specifier text of a range list (product qualifiers are not written). */
export function formatVersionRanges(ranges: VersionRange[]): string {
  return ranges.map(formatVersionRange).join(', ');
}
