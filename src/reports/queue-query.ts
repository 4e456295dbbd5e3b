// Reading the filters of report lists from the query string (HTML pages and the JSON API share it), with a
// clear message per bad field (src/errors/catalogue.ts) instead of a crash or a silently ignored filter.
import type { FieldIssue } from '../errors/catalogue.js';
import { SLUG_RE } from '../projects/projects.js';
import type { ReportClass, ReportState } from '../storage/tables.js';
import type { ListCursor, ReportListFilter } from './store.js';
import { SEARCH_MAX_LENGTH } from './queue-search.js';
import { reportClasses, reportStates } from './triage.js';

export const PAGE_SIZE = 50;
const MAX_PAGE = 10_000;

export type ClassFilterValue = ReportClass | 'unclassified';

/** The filter values as typed, to fill the filter form back in and to build paging links. */
export interface ReportListValues {
  q: string;
  state: string[];
  class: string[];
  project: string;
  visibility: string;
}

export interface ReportListQuery {
  filter: ReportListFilter;
  page: number;
  values: ReportListValues;
  issues: FieldIssue[];
}

type RawQuery = Record<string, string | string[] | undefined>;

function all(raw: RawQuery, name: string): string[] {
  const v = raw[name];
  return (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((s) => String(s).trim()).filter(Boolean);
}

function one(raw: RawQuery, name: string): string {
  return all(raw, name)[0] ?? '';
}

/**
 * Parse `q`, `state`, `class`, `project`, `visibility` and `page`. `triage` says whether the viewer may
 * filter by class: the class is VMT-only, so filtering by it would reveal it to anyone else.
 */
export function parseReportListQuery(query: unknown, options: { triage: boolean }): ReportListQuery {
  const raw = (query && typeof query === 'object' ? query : {}) as RawQuery;
  const issues: FieldIssue[] = [];
  const values: ReportListValues = { q: one(raw, 'q'), state: all(raw, 'state'), class: all(raw, 'class'), project: one(raw, 'project'), visibility: one(raw, 'visibility') };
  const filter: ReportListFilter = {};

  if (Array.from(values.q).length > SEARCH_MAX_LENGTH) issues.push({ field: 'q', message: `Search for at most ${SEARCH_MAX_LENGTH} characters.` });
  else if (values.q) filter.text = values.q;

  const badState = values.state.filter((s) => !reportStates.includes(s as ReportState));
  if (badState.length) issues.push({ field: 'state', message: `Unknown state ${quoteList(badState)}. Use one of: ${reportStates.join(', ')}.` });
  else if (values.state.length) filter.state = [...new Set(values.state)] as ReportState[];

  if (values.class.length) {
    const known: readonly string[] = [...reportClasses, 'unclassified'];
    const badClass = values.class.filter((c) => !known.includes(c));
    if (!options.triage) issues.push({ field: 'class', message: 'Only VMT members can filter by class.' });
    else if (badClass.length) issues.push({ field: 'class', message: `Unknown class ${quoteList(badClass)}. Use one of: ${known.join(', ')}.` });
    else filter.class = [...new Set(values.class)] as ClassFilterValue[];
  }

  if (values.project && !SLUG_RE.test(values.project)) issues.push({ field: 'project', message: 'A project is named by its slug: lowercase letters, digits and dashes.' });
  else if (values.project) filter.projectSlug = values.project;

  if (values.visibility === 'private' || values.visibility === 'public') filter.visibility = values.visibility;
  else if (values.visibility) issues.push({ field: 'visibility', message: 'Use private or public.' });

  // `after`: where the page before ended (keyset paging, see ReportListFilter.after).
  const rawAfter = one(raw, 'after');
  if (rawAfter) {
    const cursor = parseListCursor(rawAfter);
    if (!cursor) issues.push({ field: 'after', message: 'This page link is damaged: follow the list’s “Older” link again, or use a page number.' });
    else filter.after = cursor;
  }

  let page = 1;
  const rawPage = one(raw, 'page');
  if (rawPage) {
    if (!/^\d{1,6}$/.test(rawPage) || Number(rawPage) < 1 || Number(rawPage) > MAX_PAGE) issues.push({ field: 'page', message: `Use a page number from 1 to ${MAX_PAGE}.` });
    else page = Number(rawPage);
  }
  filter.limit = PAGE_SIZE;
  filter.offset = (page - 1) * PAGE_SIZE;
  return { filter, page, values, issues };
}

// A cursor is "<received_at>_<id>" of a list's last row, as written by listCursorText.
const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d))_(\d{1,15})$/;

export function parseListCursor(text: string): ListCursor | undefined {
  const m = CURSOR.exec(text);
  return m ? { receivedAt: m[1]!, id: Number(m[2]) } : undefined;
}

export function listCursorText(row: { received_at: string; id: number }): string {
  return `${row.received_at}_${row.id}`;
}

function quoteList(values: string[]): string {
  return values.map((v) => `"${Array.from(v).slice(0, 40).join('')}"`).join(', ');
}

/**
 * The query string for the same filters on another page (page 1 is left out); `after` makes it a keyset
 * link (the page number then only numbers the rows shown).
 */
export function listQueryString(values: ReportListValues, page: number, after?: string): string {
  const params = new URLSearchParams();
  if (values.q) params.set('q', values.q);
  for (const s of values.state) params.append('state', s);
  for (const c of values.class) params.append('class', c);
  if (values.project) params.set('project', values.project);
  if (values.visibility) params.set('visibility', values.visibility);
  if (page > 1) params.set('page', String(page));
  if (after) params.set('after', after);
  const text = params.toString();
  return text ? `?${text}` : '';
}
