// Loading what the report list and the VMT triage queue show. Every query goes through listReports or
// countReportsByClass, which apply the policy filter; nothing here decides visibility. The queue's counts
// come from the counters (counts.ts) only when the policy says the actor reads every report.
import type { Actor } from '../access/actor.js';
import { readsEveryReport } from '../access/report-policy.js';
import { DAY_MS } from '../calendar/calendar.js';
import type { Db, DialectName } from '../storage/database.js';
import type { ReportClass } from '../storage/tables.js';
import { queueCounts } from './counts.js';
import type { ReportListRow } from './queue-present.js';
import { countReportsByClass, cvesOfReports, listReports, projectsOfReports, type ReportListFilter } from './store.js';

/** Embargoes ending within this many days are flagged in the queue (the first warning goes out at 14, DESIGN.md §2). */
export const EMBARGO_SOON_DAYS = 14;
/**
 * Most reports one queue section lists; the section says how many more there are and links to all of
 * them in the report list. One list page's worth: 200 made the page 357 KB at 100,000 reports (issue 17).
 */
export const SECTION_LIMIT = 50;

export interface RowsAndTotal {
  rows: ReportListRow[];
  total: number;
  /** A search's count stopped at SEARCH_COUNT_CAP: there are more matches than `total`. */
  capped?: boolean;
}

/** One page of readable reports with their projects and CVE ids (`knownTotal`: see listReports). */
export async function loadReportRows(db: Db, dialect: DialectName, actor: Actor, filter: ReportListFilter, knownTotal?: number): Promise<RowsAndTotal> {
  const { items, total, capped } = await listReports(db, dialect, actor, filter, knownTotal);
  const ids = items.map((i) => i.id);
  const [projects, cves] = await Promise.all([projectsOfReports(db, ids), cvesOfReports(db, ids)]);
  return { rows: items.map((item) => ({ item, projects: projects.get(item.id) ?? [], cves: cves.get(item.id) ?? [] })), total, capped };
}

export interface TriageQueue {
  /** New reports nobody has acknowledged, the closest acknowledgement deadline first. */
  unacknowledged: RowsAndTotal;
  /** Private reports whose embargo ends within EMBARGO_SOON_DAYS (or already ended), soonest first. */
  embargoSoon: RowsAndTotal;
  /** Acknowledged reports still being worked on, newest first (grouped by project when shown). */
  inProgress: RowsAndTotal;
  /** Counts by class of open reports and of all reports. */
  openByClass: Map<ReportClass | 'unclassified', number>;
  allByClass: Map<ReportClass | 'unclassified', number>;
}

export async function loadTriageQueue(db: Db, dialect: DialectName, actor: Actor, base: Pick<ReportListFilter, 'projectSlug' | 'class'>, now: Date): Promise<TriageQueue> {
  const soon = new Date(now.getTime() + EMBARGO_SOON_DAYS * DAY_MS).toISOString();
  // The counters count every report: they answer only for someone who reads every report, and only
  // without a project filter (they are not kept per project). Otherwise each count is a COUNT under the policy.
  const counters = readsEveryReport(actor) && !base.projectSlug ? await queueCounts(db, base.class) : undefined;
  const [unacknowledged, embargoSoon, inProgress, openByClass, allByClass] = await Promise.all([
    loadReportRows(db, dialect, actor, { ...base, unacknowledged: true, order: 'ack_deadline_asc', limit: SECTION_LIMIT }, counters?.unacknowledged),
    loadReportRows(db, dialect, actor, { ...base, embargoEndsBefore: soon, order: 'embargo_asc', limit: SECTION_LIMIT }),
    loadReportRows(db, dialect, actor, { ...base, acknowledged: true, open: true, order: 'received_desc', limit: SECTION_LIMIT }, counters?.inProgress),
    counters?.openByClass ?? countReportsByClass(db, dialect, actor, { ...base, open: true }),
    counters?.allByClass ?? countReportsByClass(db, dialect, actor, base),
  ]);
  return { unacknowledged, embargoSoon, inProgress, openByClass, allByClass };
}

/** Reports grouped under each of their projects (a report filed against two projects shows under both). */
export function groupByProject(rows: ReportListRow[], onlySlug?: string): { slug: string | null; name: string; rows: ReportListRow[] }[] {
  const groups = new Map<string, { slug: string | null; name: string; rows: ReportListRow[] }>();
  for (const row of rows) {
    const projects = row.projects.length ? row.projects : [{ slug: null as string | null, name: 'No project' }];
    for (const p of projects) {
      if (onlySlug && p.slug !== onlySlug) continue;
      const key = p.slug ?? '';
      const group = groups.get(key) ?? { slug: p.slug, name: p.name, rows: [] };
      group.rows.push(row);
      groups.set(key, group);
    }
  }
  return [...groups.values()].sort((a, b) => (a.slug === null ? 1 : b.slug === null ? -1 : a.name.localeCompare(b.name)));
}
