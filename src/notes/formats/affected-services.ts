/**
 * Reading `product: version-range` lines out of an OSSN "Affected Services / Software" section.
 *
 * Newer notes write `- nova: <25.1.2, >=26.0.0 <26.1.2, ==27.0.0` (specifier syntax, DESIGN.md §2:
 * commas separate ranges, spaces join the constraints of one range). Older ones write prose
 * ("Nova, Havana, Icehouse"), which yields no product; the text is always kept as written.
 * Loose variants seen in real notes are read as meant, with a warning: `=<0.10.0` (OSSN-0024),
 * `Swift < 2.10.0` without a colon (OSSN-0077), and `>=32.0.0, <37.0.0` where a comma splits what
 * can only be one range (OSSN-0099: read literally it would mean "every version").
 */
import type { AffectedProduct, AffectedServices } from './note-record.js';
import { isLowerBound, isUpperBound, type VersionClause, type VersionConstraint, type VersionOperator } from '../../identifiers/version-specifiers.js';
import type { ImportWarning } from './import-warnings.js';

const LIST_BULLET = /^[-*+][ \t]+/;
const PRODUCT = /^[A-Za-z][\w.\-/]*(?: [\w.\-/]+){0,3}(?: ?\([^()]{1,40}\))?$/;
const CONSTRAINT = /(<=|>=|==|!=|=<|=>|<|>|=)[ \t]*(v?\d[\w.+-]*)/y;

const LOOSE_OPERATORS: Readonly<Record<string, VersionOperator>> = { '=<': '<=', '=>': '>=', '=': '==' };

interface ClauseParse {
  range: VersionClause;
  loose: string[];
}

function parseClause(text: string): ClauseParse | null {
  const constraints: VersionConstraint[] = [];
  const loose: string[] = [];
  let pos = 0;
  const src = text.trim();
  while (pos < src.length) {
    while (src[pos] === ' ' || src[pos] === '\t') pos++;
    if (pos >= src.length) break;
    CONSTRAINT.lastIndex = pos;
    const m = CONSTRAINT.exec(src);
    if (!m) return null;
    const written = m[1] ?? '';
    const operator = LOOSE_OPERATORS[written] ?? (written as VersionOperator);
    if (operator !== written) loose.push(`"${written}" read as "${operator}"`);
    constraints.push({ operator, version: m[2] ?? '' });
    pos = CONSTRAINT.lastIndex;
  }
  if (constraints.length === 0) return null;
  return { range: { text: src, constraints }, loose };
}

/** Parse specifier text (`<20.2.1, >=21.0.0 <21.2.1`); null when any part is not a range. */
export function parseVersionRanges(text: string): { ranges: VersionClause[]; loose: string[] } | null {
  const clauses: ClauseParse[] = [];
  for (const part of text.split(',')) {
    const clause = parseClause(part);
    if (!clause) return null;
    clauses.push(clause);
  }
  const ranges: VersionClause[] = [];
  const loose = clauses.flatMap((c) => c.loose);
  for (let i = 0; i < clauses.length; i++) {
    const here = clauses[i]?.range;
    const next = clauses[i + 1]?.range;
    if (!here) continue;
    // `>=32.0.0, <37.0.0`: a lone lower bound then a lone upper bound is one range split by a comma.
    if (next && here.constraints.every(isLowerBound) && next.constraints.every(isUpperBound)) {
      ranges.push({ text: `${here.text} ${next.text}`, constraints: [...here.constraints, ...next.constraints] });
      loose.push(`"${here.text}, ${next.text}" read as one range`);
      i++;
      continue;
    }
    ranges.push(here);
  }
  return { ranges, loose };
}

/** One line as `product: ranges`, or null when it is prose. */
export function parseProductLine(line: string): { product: AffectedProduct; loose: string[] } | null {
  const body = line.trim().replace(LIST_BULLET, '');
  const opAt = body.search(/[<>=!]/);
  if (opAt <= 0) return null;
  const product = body
    .slice(0, opAt)
    .replace(/[\s:,]+$/, '')
    .trim();
  if (!PRODUCT.test(product)) return null;
  const versions = body.slice(opAt).trim();
  const parsed = parseVersionRanges(versions);
  if (!parsed) return null;
  const separator = body.slice(product.length, opAt);
  const loose = [...parsed.loose];
  if (!separator.includes(':')) loose.unshift(`no ":" between "${product}" and its versions`);
  return { product: { product, versions, ranges: parsed.ranges }, loose };
}

/** The Affected section: its text as written plus every line that reads as `product: ranges`. */
export function parseAffectedServices(
  text: string,
  firstLine = 1,
): { affected: AffectedServices; warnings: ImportWarning[] } {
  const products: AffectedProduct[] = [];
  const warnings: ImportWarning[] = [];
  text.split('\n').forEach((line, n) => {
    if (/^\s/.test(line)) return; // indented lines qualify the item above (OSSN-0106)
    const parsed = parseProductLine(line);
    if (!parsed) return;
    products.push(parsed.product);
    for (const detail of parsed.loose) {
      warnings.push({ kind: 'version_range_sloppy', detail: `${parsed.product.product}: ${detail}`, line: firstLine + n });
    }
  });
  return { affected: { text, products }, warnings };
}
