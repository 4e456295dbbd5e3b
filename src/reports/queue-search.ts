// Full-text search over report titles and descriptions on both databases (PostgreSQL: the generated
// `reports.search` tsvector with its GIN index; SQLite: the FTS5 table `reports_fts` kept by triggers).
// The user's text is first cut into words; only those words, quoted, reach the engine, so no query syntax
// of the user's is ever interpreted (FTS5: `"` `*` `:` `^` `+` `-` `(` `)` NEAR/AND/OR/NOT; tsquery:
// `&` `|` `!` `<->` `:` `*` `(` `)` `'` `\`). Who may see which report is not decided here: the policy
// filter is ANDed to every search (src/access/report-policy.ts).
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectName } from '../storage/database.js';
import type { Database } from '../storage/tables.js';

/** Longest search text accepted (longer input is a field error, not a silent cut). */
export const SEARCH_MAX_LENGTH = 200;
const MAX_TERMS = 12;
const MAX_TERM_CHARS = 100;

// A word: letters and digits (with combining marks), optionally joined by single `.`, `-`, `_` or `@`,
// so versions (1.2.3), CVE ids, hyphenated and dotted names and addresses stay one phrase.
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:[._@-][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;
const CVE_ID = /^CVE-\d{4}-\d{4,19}$/i;
const REPORT_REF = /^R-[A-Z2-9]{8}$/i;

/**
 * The words of a search text, as they will be matched: NFKC-normalised (full-width and compatibility
 * forms become plain letters), at most 12 distinct words of at most 100 characters each.
 */
export function searchTerms(text: string): string[] {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const word of text.normalize('NFKC').match(WORD) ?? []) {
    // Cut by code points (never half a surrogate pair), then drop a joiner the cut may leave at the end.
    const term = Array.from(word).slice(0, MAX_TERM_CHARS).join('').replace(/[._@-]+$/u, '');
    const key = term.toLowerCase();
    if (!term || seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}

/** tsquery text: each word a quoted lexeme with prefix matching, all required. Stemming is PostgreSQL's ('english'). */
export function tsqueryText(terms: readonly string[]): string {
  // Inside a quoted tsquery lexeme only `'` and `\` are special; words never hold them, but escape anyway.
  return terms.map((t) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}':*`).join(' & ');
}

/** FTS5 query text: each word a quoted string (a phrase when the tokenizer splits it), prefix-matched, all required. */
export function fts5QueryText(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, '""')}"*`).join(' AND ');
}

/** The identifier a search text names exactly (a CVE id or a report reference), which also finds reports. */
function namesIdentifier(text: string): boolean {
  const id = text.trim().toUpperCase();
  return CVE_ID.test(id) || REPORT_REF.test(id);
}

/**
 * For a search by words alone that nothing else filters (the VMT reads every report): the full-text
 * engine alone answers, so the page's LIMIT goes inside the full-text query (FTS5 hands out rowids in
 * order, newest first, and stops) and only those rows are joined, instead of joining and sorting every
 * match (issue 17). Undefined when the text names an identifier or has no words.
 */
export interface WordsOnlySearch {
  /**
   * The condition for one page; with `pagedInside`, the page's LIMIT and OFFSET (or its keyset cursor:
   * ids below `beforeId`) are in it already.
   */
  page(limit: number, offset: number, beforeId?: number): (eb: ExpressionBuilder<Database, 'reports'>) => Expression<SqlBool>;
  pagedInside: boolean;
  countCapped(cap: number): RawBuilder<{ n: number }>;
}

export function wordsOnlySearch(dialect: DialectName, text: string): WordsOnlySearch | undefined {
  const terms = searchTerms(text);
  if (!terms.length || namesIdentifier(text)) return undefined;
  if (dialect === 'postgres') {
    const q = tsqueryText(terms);
    return {
      // PostgreSQL walks the primary key backwards and stops at the page (a GIN index gives no order).
      page: () => () => sql<SqlBool>`reports.search @@ to_tsquery('english', ${q})`,
      pagedInside: false,
      countCapped: (cap) => sql<{ n: number }>`select count(*) as n from (select 1 from reports where reports.search @@ to_tsquery('english', ${q}) limit ${cap + 1}) m`,
    };
  }
  const q = fts5QueryText(terms);
  return {
    page: (limit, offset, beforeId) => () =>
      beforeId === undefined
        ? sql<SqlBool>`reports.id in (select rowid from reports_fts where reports_fts match ${q} order by rowid desc limit ${limit} offset ${offset})`
        : sql<SqlBool>`reports.id in (select rowid from reports_fts where reports_fts match ${q} and rowid < ${beforeId} order by rowid desc limit ${limit})`,
    pagedInside: true,
    // The FTS table alone: the wide reports table is not read to count.
    countCapped: (cap) => sql<{ n: number }>`select count(*) as n from (select rowid from reports_fts where reports_fts match ${q} limit ${cap + 1})`,
  };
}

/**
 * Condition "the report matches the search text". A text that is exactly a CVE id or a report reference
 * also finds the report by that identifier. A text without any word matches nothing.
 */
export function reportTextMatch(dialect: DialectName, text: string): (eb: ExpressionBuilder<Database, 'reports'>) => Expression<SqlBool> {
  return (eb) => {
    const terms = searchTerms(text);
    const conditions: Expression<SqlBool>[] = [];
    if (terms.length) {
      conditions.push(
        dialect === 'postgres'
          ? sql<SqlBool>`reports.search @@ to_tsquery('english', ${tsqueryText(terms)})`
          : sql<SqlBool>`reports.id in (select rowid from reports_fts where reports_fts match ${fts5QueryText(terms)})`,
      );
    }
    const id = text.trim().toUpperCase();
    if (CVE_ID.test(id)) {
      conditions.push(eb.exists(eb.selectFrom('report_cves').select('report_cves.report_id').whereRef('report_cves.report_id', '=', 'reports.id').where('report_cves.cve_id', '=', id)));
    }
    if (REPORT_REF.test(id)) conditions.push(eb('reports.ref', '=', id));
    return conditions.length ? eb.or(conditions) : sql<SqlBool>`1 = 0`;
  };
}
