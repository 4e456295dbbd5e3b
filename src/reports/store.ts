// Reading reports: one report with the facts the policy needs, and lists filtered by the policy.
import type { Actor } from '../access/actor.js';
import { readableReportParts, readableReports, readsEveryReport, type ReportFacts } from '../access/report-policy.js';
import type { Db, DialectName } from '../storage/database.js';
import type { ReportClass, ReportRow, ReportState, SubscriptionLevel } from '../storage/tables.js';
import { reportTextMatch, searchTerms, wordsOnlySearch } from './queue-search.js';

export interface LoadedReport {
  row: ReportRow;
  facts: ReportFacts;
  projects: { id: number; slug: string; name: string }[];
  subscriptions: { id: number; userId: number; username: string; displayName: string; level: SubscriptionLevel; readOnly: boolean; reason: string; addedAt: string }[];
  cves: string[];
}

export async function loadReportBy(db: Db, where: { ref: string } | { id: number } | { tokenHash: string }): Promise<LoadedReport | undefined> {
  let q = db.selectFrom('reports').selectAll();
  if ('ref' in where) q = q.where('ref', '=', where.ref);
  else if ('id' in where) q = q.where('id', '=', where.id);
  else q = q.where('reporter_token_hash', '=', where.tokenHash);
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  const [projects, subs, cves] = await Promise.all([
    db
      .selectFrom('report_projects')
      .innerJoin('projects', 'projects.id', 'report_projects.project_id')
      .select(['projects.id', 'projects.slug', 'projects.name'])
      .where('report_projects.report_id', '=', row.id)
      .orderBy('projects.name')
      .execute(),
    db
      .selectFrom('report_subscriptions')
      .innerJoin('users', 'users.id', 'report_subscriptions.user_id')
      .select(['report_subscriptions.id', 'report_subscriptions.user_id', 'users.username', 'users.display_name', 'report_subscriptions.level', 'report_subscriptions.read_only', 'report_subscriptions.reason', 'report_subscriptions.added_at'])
      .where('report_subscriptions.report_id', '=', row.id)
      .where('report_subscriptions.removed_at', 'is', null)
      .orderBy('report_subscriptions.id')
      .execute(),
    db.selectFrom('report_cves').select('cve_id').where('report_id', '=', row.id).orderBy('cve_id').execute(),
  ]);
  const subscriptions = subs.map((s) => ({ id: s.id, userId: s.user_id, username: s.username, displayName: s.display_name, level: s.level, readOnly: s.read_only === 1, reason: s.reason, addedAt: s.added_at }));
  return {
    row,
    projects,
    subscriptions,
    cves: cves.map((c) => c.cve_id),
    facts: {
      id: row.id,
      visibility: row.visibility,
      reporterUserId: row.reporter_user_id,
      coordinatorId: row.coordinator_id,
      projectIds: projects.map((p) => p.id),
      subscriptions: subscriptions.map((s) => ({ userId: s.userId, level: s.level, readOnly: s.readOnly })),
    },
  };
}

/** States in which a report still needs work (everything but fixed-and-released and closed). */
export const openStates: readonly ReportState[] = ['new', 'incomplete', 'confirmed', 'triaged', 'in_progress', 'fix_committed', 'public'];

export interface ReportListFilter {
  state?: ReportState[];
  /** Classes; `unclassified` selects reports without a class yet. */
  class?: (ReportClass | 'unclassified')[];
  projectSlug?: string;
  /** Full-text query over title and description (see queue-search.ts). */
  text?: string;
  /** Not yet acknowledged and not closed. */
  unacknowledged?: boolean;
  /** Acknowledged already. */
  acknowledged?: boolean;
  /** In one of `openStates`. */
  open?: boolean;
  embargoEndsBefore?: string;
  visibility?: 'private' | 'public';
  limit?: number;
  offset?: number;
  /**
   * Keyset paging: the page starts after this row (the last row of the page before), so a deep page
   * reads only its own rows instead of skipping `offset` ones. Lists newest filed first only (the
   * default order, and a search's newest-filed-first by id); `offset` is then ignored.
   */
  after?: ListCursor;
  order?: 'received_desc' | 'embargo_asc' | 'ack_deadline_asc';
}

/** Where a page of a newest-first list ends: the last row's filing time and id (ties broken by id). */
export interface ListCursor {
  receivedAt: string;
  id: number;
}

export interface ReportListItem {
  id: number;
  ref: string;
  title: string;
  state: ReportState;
  class: ReportClass | null;
  visibility: 'private' | 'public';
  received_at: string;
  acknowledged_at: string | null;
  ack_deadline_at: string;
  escalated_at: string | null;
  embargo_end_at: string;
  public_at: string | null;
  coordinator_id: number | null;
  coordinator_username: string | null;
  coordinator_name: string | null;
}

/** Reports the actor may read, with the filter's conditions; the policy filter is always applied (DESIGN.md §5). */
export function readableReportsQuery(db: Db, dialect: DialectName, actor: Actor, filter: ReportListFilter, policyPart?: ReturnType<typeof readableReportParts>[number]) {
  let q = db.selectFrom('reports').where(policyPart ?? readableReports(actor));
  if (filter.state?.length) q = q.where('reports.state', 'in', filter.state);
  const classes = filter.class ?? [];
  if (classes.length) {
    const named = classes.filter((c): c is ReportClass => c !== 'unclassified');
    const unclassified = classes.includes('unclassified');
    q = q.where((eb) => eb.or([...(named.length ? [eb('reports.class', 'in', named)] : []), ...(unclassified ? [eb('reports.class', 'is', null)] : [])]));
  }
  if (filter.visibility) q = q.where('reports.visibility', '=', filter.visibility);
  if (filter.unacknowledged) q = q.where('reports.acknowledged_at', 'is', null).where('reports.state', 'not in', ['invalid', 'wont_fix']);
  if (filter.acknowledged) q = q.where('reports.acknowledged_at', 'is not', null);
  if (filter.open) q = q.where('reports.state', 'in', [...openStates]);
  if (filter.embargoEndsBefore) q = q.where('reports.visibility', '=', 'private').where('reports.embargo_end_at', '<', filter.embargoEndsBefore);
  if (filter.projectSlug) {
    const slug = filter.projectSlug;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('report_projects')
          .innerJoin('projects', 'projects.id', 'report_projects.project_id')
          .select('report_projects.report_id')
          .whereRef('report_projects.report_id', '=', 'reports.id')
          .where('projects.slug', '=', slug),
      ),
    );
  }
  const text = filter.text?.trim();
  if (text) q = q.where(reportTextMatch(dialect, text));
  return q;
}

/** A search counts at most this many matches; more shows as "1,000+" (`total_capped`), issue 17. */
export const SEARCH_COUNT_CAP = 1_000;

/**
 * The ids of one page (newest first) taken from the newest matches, or undefined when the page lies beyond
 * them (only when there are more matches than `ids` holds: then the page is searched for on its own).
 */
function pageWithin(ids: number[], more: boolean, limit: number, offset: number, beforeId?: number): number[] | undefined {
  const start = beforeId === undefined ? offset : ids.findIndex((id) => id < beforeId);
  if (start === -1) return more ? undefined : [];
  if (start + limit <= ids.length || !more) return ids.slice(start, start + limit);
  return undefined;
}

/** Whether the filter holds anything but its text, paging and order. */
function filtersMoreThanText(filter: ReportListFilter): boolean {
  return Boolean(filter.state?.length || filter.class?.length || filter.projectSlug || filter.unacknowledged || filter.acknowledged || filter.open || filter.embargoEndsBefore || filter.visibility);
}

/**
 * Reports the actor may read, filtered, one page of them and the total; the policy filter is always applied.
 * `knownTotal` is the total when the caller has it already (the VMT queue's counters, counts.ts).
 * A search (filter.text) is ordered newest filed first and counts at most SEARCH_COUNT_CAP matches
 * (`capped` says there are more), so neither the page nor the count reads every match.
 */
export async function listReports(
  db: Db,
  dialect: DialectName,
  actor: Actor,
  filter: ReportListFilter = {},
  knownTotal?: number,
): Promise<{ items: ReportListItem[]; total: number; capped: boolean }> {
  const limit = Math.max(1, Math.min(filter.limit ?? 50, 200));
  const text = filter.text?.trim();
  const order = text ? 'id_desc' : (filter.order ?? 'received_desc');
  // A cursor pages only the newest-first orders; the queue's sections (other orders) never carry one.
  const after = order === 'id_desc' || order === 'received_desc' ? filter.after : undefined;
  const offset = after ? 0 : Math.max(0, filter.offset ?? 0);
  // Words alone, for someone who reads every report: the full-text engine answers alone (queue-search.ts).
  const wordsOnly = text && readsEveryReport(actor) && !filtersMoreThanText(filter) ? wordsOnlySearch(dialect, text) : undefined;
  let q = wordsOnly ? db.selectFrom('reports').where(wordsOnly.page(limit, offset, after?.id)) : readableReportsQuery(db, dialect, actor, filter);
  let total: number;
  let capped = false;
  // Words alone on SQLite: one search gives the count and, when the page lies within the newest matches, the page's ids.
  let pageIds: number[] | undefined;
  if (wordsOnly?.newestIds && knownTotal === undefined) {
    const ids = (await wordsOnly.newestIds(SEARCH_COUNT_CAP).execute(db)).rows.map((r) => Number(r.id));
    capped = ids.length > SEARCH_COUNT_CAP;
    total = Math.min(ids.length, SEARCH_COUNT_CAP);
    pageIds = pageWithin(ids.slice(0, SEARCH_COUNT_CAP), capped, limit, offset, after?.id);
    if (pageIds?.length === 0) return { items: [], total, capped };
    if (pageIds) q = db.selectFrom('reports').where('reports.id', 'in', pageIds);
  } else if (knownTotal !== undefined) total = knownTotal;
  else if (text) {
    const n = wordsOnly
      ? Number((await wordsOnly.countCapped(SEARCH_COUNT_CAP).execute(db)).rows[0]?.n ?? 0)
      : Number((await db.selectFrom(q.select('reports.id').limit(SEARCH_COUNT_CAP + 1).as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    capped = n > SEARCH_COUNT_CAP;
    total = Math.min(n, SEARCH_COUNT_CAP);
  } else {
    // One count per disjoint part of the policy (the public reports, the viewer's readable-id set), each
    // from its own index, summed: no report is tested against the whole rule (report-policy.ts).
    const counts = await Promise.all(readableReportParts(actor).map((part) => readableReportsQuery(db, dialect, actor, filter, part).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()));
    total = counts.reduce((sum, c) => sum + Number(c.n), 0);
  }
  if (after && order === 'id_desc' && !wordsOnly?.pagedInside && !pageIds) q = q.where('reports.id', '<', after.id);
  if (after && order === 'received_desc') q = q.where((eb) => eb(eb.refTuple('reports.received_at', 'reports.id'), '<', eb.tuple(after.receivedAt, after.id)));
  const [column, direction] =
    order === 'embargo_asc'
      ? (['reports.embargo_end_at', 'asc'] as const)
      : order === 'ack_deadline_asc'
        ? (['reports.ack_deadline_at', 'asc'] as const)
        : order === 'id_desc'
          ? (['reports.id', 'desc'] as const)
          : (['reports.received_at', 'desc'] as const);
  const items = await q
    .leftJoin('users as coordinator', 'coordinator.id', 'reports.coordinator_id')
    .select([
      'reports.id',
      'reports.ref',
      'reports.title',
      'reports.state',
      'reports.class',
      'reports.visibility',
      'reports.received_at',
      'reports.acknowledged_at',
      'reports.ack_deadline_at',
      'reports.escalated_at',
      'reports.embargo_end_at',
      'reports.public_at',
      'reports.coordinator_id',
      'coordinator.username as coordinator_username',
      'coordinator.display_name as coordinator_name',
    ])
    .orderBy(column, direction)
    .orderBy('reports.id', 'desc')
    .limit(limit)
    // SQLite's words-only page has its offset (or its cursor) inside the full-text query already.
    .offset(pageIds || wordsOnly?.pagedInside ? 0 : offset)
    .execute();
  return { items, total, capped };
}

/** How many readable reports (with the filter) each class has; `unclassified` counts those without one. */
export async function countReportsByClass(db: Db, dialect: DialectName, actor: Actor, filter: ReportListFilter = {}): Promise<Map<ReportClass | 'unclassified', number>> {
  const rows = await readableReportsQuery(db, dialect, actor, filter)
    .select((eb) => ['reports.class', eb.fn.countAll<number>().as('n')])
    .groupBy('reports.class')
    .execute();
  return new Map(rows.map((r) => [r.class ?? 'unclassified', Number(r.n)]));
}

/** The projects of several reports at once (for lists); only call it with ids the actor may read. */
export async function projectsOfReports(db: Db, reportIds: readonly number[]): Promise<Map<number, { id: number; slug: string; name: string }[]>> {
  const out = new Map<number, { id: number; slug: string; name: string }[]>();
  if (!reportIds.length) return out;
  const rows = await db
    .selectFrom('report_projects')
    .innerJoin('projects', 'projects.id', 'report_projects.project_id')
    .select(['report_projects.report_id', 'projects.id', 'projects.slug', 'projects.name'])
    .where('report_projects.report_id', 'in', [...reportIds])
    .orderBy('projects.name')
    .execute();
  for (const r of rows) out.set(r.report_id, [...(out.get(r.report_id) ?? []), { id: r.id, slug: r.slug, name: r.name }]);
  return out;
}

/** The CVE ids of several reports at once (for lists); only call it with ids the actor may read. */
export async function cvesOfReports(db: Db, reportIds: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!reportIds.length) return out;
  const rows = await db.selectFrom('report_cves').select(['report_id', 'cve_id']).where('report_id', 'in', [...reportIds]).orderBy('cve_id').execute();
  for (const r of rows) out.set(r.report_id, [...(out.get(r.report_id) ?? []), r.cve_id]);
  return out;
}

export { searchTerms };
export type { SubscriptionLevel };
