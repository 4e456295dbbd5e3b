// Reading reports: one report with the facts the policy needs, and lists filtered by the policy.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Actor } from '../access/actor.js';
import { readableReports, type ReportFacts } from '../access/report-policy.js';
import type { Db } from '../storage/database.js';
import type { ReportClass, ReportRow, ReportState, SubscriptionLevel } from '../storage/tables.js';

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

export interface ReportListFilter {
  state?: ReportState[];
  class?: ReportClass[];
  projectSlug?: string;
  /** Full-text query over title and description. */
  text?: string;
  unacknowledged?: boolean;
  embargoEndsBefore?: string;
  visibility?: 'private' | 'public';
  limit?: number;
  offset?: number;
  order?: 'received_desc' | 'embargo_asc';
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
  coordinator_id: number | null;
}

/** Reports the actor may read, filtered; the policy filter is always applied (DESIGN.md §5). */
export async function listReports(db: Db, dialect: 'sqlite' | 'postgres', actor: Actor, filter: ReportListFilter = {}): Promise<{ items: ReportListItem[]; total: number }> {
  let q = db.selectFrom('reports').where(readableReports(actor));
  if (filter.state?.length) q = q.where('reports.state', 'in', filter.state);
  if (filter.class?.length) q = q.where('reports.class', 'in', filter.class);
  if (filter.visibility) q = q.where('reports.visibility', '=', filter.visibility);
  if (filter.unacknowledged) q = q.where('reports.acknowledged_at', 'is', null).where('reports.state', 'not in', ['invalid', 'wont_fix']);
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
  if (text) q = q.where(textMatch(dialect, text));
  const totalRow = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const items = await q
    .select(['reports.id', 'reports.ref', 'reports.title', 'reports.state', 'reports.class', 'reports.visibility', 'reports.received_at', 'reports.acknowledged_at', 'reports.ack_deadline_at', 'reports.escalated_at', 'reports.embargo_end_at', 'reports.coordinator_id'])
    .orderBy(filter.order === 'embargo_asc' ? 'reports.embargo_end_at' : 'reports.received_at', filter.order === 'embargo_asc' ? 'asc' : 'desc')
    .orderBy('reports.id', 'desc')
    .limit(Math.min(filter.limit ?? 50, 200))
    .offset(filter.offset ?? 0)
    .execute();
  return { items, total: Number(totalRow.n) };
}

/** Words of the query, as a safe full-text expression: no operator of the user's reaches the engine. */
export function searchTerms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 12);
}

function textMatch(dialect: 'sqlite' | 'postgres', text: string): Expression<SqlBool> {
  const terms = searchTerms(text);
  if (!terms.length) return sql<SqlBool>`1 = 0`;
  if (dialect === 'postgres') {
    // Terms are letters and digits only, so the tsquery syntax cannot be abused.
    return sql<SqlBool>`reports.search @@ to_tsquery('english', ${terms.map((t) => `${t}:*`).join(' & ')})`;
  }
  // FTS5: each term quoted (no query syntax of the user's reaches the engine), prefix-matched, all required.
  return sql<SqlBool>`reports.id in (select rowid from reports_fts where reports_fts match ${terms.map((t) => `"${t}"*`).join(' AND ')})`;
}

export type { SubscriptionLevel };
