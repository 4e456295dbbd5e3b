// Full-text search over reports, the one place it differs between the databases (DESIGN.md §6).
// PostgreSQL: the generated `reports.search` tsvector with its GIN index; SQLite: the FTS5 table
// `reports_fts` kept by triggers. The words come already cut by reports/queue-search.ts (searchTerms),
// quoted here so no query syntax of the user's is ever interpreted.
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectName } from './database.js';
import type { Database } from './tables.js';

/** tsquery text: each word a quoted lexeme with prefix matching, all required. Stemming is PostgreSQL's ('english'). */
export function tsqueryText(terms: readonly string[]): string {
  // Inside a quoted tsquery lexeme only `'` and `\` are special; words never hold them, but escape anyway.
  return terms.map((t) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}':*`).join(' & ');
}

/** FTS5 query text: each word a quoted string (a phrase when the tokenizer splits it), prefix-matched, all required. */
export function fts5QueryText(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, '""')}"*`).join(' AND ');
}

/** Condition "the report holds all these words" (`terms` not empty). */
export function reportHasWords(dialect: DialectName, terms: readonly string[]): RawBuilder<SqlBool> {
  return dialect === 'postgres'
    ? sql<SqlBool>`reports.search @@ to_tsquery('english', ${tsqueryText(terms)})`
    : sql<SqlBool>`reports.id in (select rowid from reports_fts where reports_fts match ${fts5QueryText(terms)})`;
}

/**
 * A search by words alone, answered by the full-text engine alone: see reports/queue-search.ts
 * (wordsOnlySearch) for when it applies.
 */
export interface WordsOnlySearch {
  /**
   * The condition for one page; with `pagedInside`, the page's LIMIT and OFFSET (or its keyset cursor:
   * ids below `beforeId`) are in it already.
   */
  page(limit: number, offset: number, beforeId?: number): (eb: ExpressionBuilder<Database, 'reports'>) => Expression<SqlBool>;
  pagedInside: boolean;
  countCapped(cap: number): RawBuilder<{ n: number }>;
  /**
   * SQLite only: the ids of the newest `cap + 1` matches, newest first, so the count and the first pages come
   * from one search. PostgreSQL leaves it out: ordering a thousand matches by id costs it more than the capped
   * count and a 50-row page together (98 ms against 54 ms for "traversal" over 100,000 reports).
   */
  newestIds?: (cap: number) => RawBuilder<{ id: number }>;
}

export function reportWordsOnly(dialect: DialectName, terms: readonly string[]): WordsOnlySearch {
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
    newestIds: (cap) => sql<{ id: number }>`select rowid as id from reports_fts where reports_fts match ${q} order by rowid desc limit ${cap + 1}`,
  };
}
