// Opening reports — by a VMT decision ("make public"), early on a leak, or when the embargo ends — in the
// caller's transaction: the report row, its cancelled deadline jobs, the timeline entry, the notification
// mail and the audit event. Set-wise, so the batch lane of embargo.open (JobHandler.batch) opens a hundred
// reports with a handful of statements instead of ~20 each: 100,000 embargoes ending in one minute
// (issue 9) were bound by those round trips. One report is the same code with a list of one.
import { sql } from 'kysely';
import type { AuditEvent, ChangeContext } from '../../context.js';
import { openKey, warnKey, WARNING_DAYS, type EmbargoJobPayload } from './schedule.js';
import { cancelJobs, enqueueJobs } from '../../jobs/queue.js';
import { mailJobs } from '../../mail/outbox.js';
import type { ReportRow } from '../../storage/tables.js';
import { activeSubscribers, activeVmt, notificationMails, type Notice } from '../notify.js';
import type { TimelineKind } from '../timeline.js';

const CLOSED = new Set(['invalid', 'wont_fix']);

/** The state a report takes when it opens: closed reports keep their state. */
export function openedState(row: ReportRow): ReportRow['state'] {
  return CLOSED.has(row.state) || row.state === 'fix_released' ? row.state : 'public';
}

export interface OpeningHow {
  kind: TimelineKind;
  reason: string;
  /** Who the timeline names (the audit event names the change's actor). */
  actor: { id: number | null; label: string };
}

/** Who hears that a report opened: everyone who could read it, the reporter included. */
function openingNotice(how: OpeningHow): Notice {
  // Fix: the system (embargo clock) has no user id; passing null as exceptUserId made notifyReport skip an
  // anonymous reporter (reporter_user_id null === null), so they were never told their report opened.
  return { what: 'The report is now public.', visibility: 'everyone', reporter: true, exceptUserId: how.actor.id ?? undefined };
}

function openingAudit(row: ReportRow, how: OpeningHow): AuditEvent {
  return {
    action: how.kind === 'opened_at_embargo_end' ? 'report.opened_at_embargo_end' : how.kind === 'embargo_ended_early' ? 'embargo.ended_early' : 'report.made_public',
    targetType: 'report',
    targetId: row.id,
    before: { visibility: 'private', state: row.state },
    after: { visibility: 'public', state: openedState(row), reason: how.reason },
  };
}

// `visibility || ''` (and `status || ''` in cancelJobs): SQLite has no statistics unless someone runs
// ANALYZE, and then prefers the index on visibility — every private report — to the primary key for
// `id in (…)`.
const stillPrivate = sql<boolean>`visibility || '' = 'private'`;

/**
 * Opens the given private reports; returns the ids this transaction opened, in the order given. A report
 * already public (a repeated job, a race) is skipped and changes nothing.
 */
export async function openReports(change: ChangeContext, rows: readonly ReportRow[], how: OpeningHow): Promise<number[]> {
  if (!rows.length) return [];
  const { trx, now, config } = change;
  const at = now.toISOString();
  // One update per resulting state; `returning` says which rows this transaction really opened.
  const opened = new Set<number>();
  const byState = new Map<ReportRow['state'], number[]>();
  for (const r of rows) byState.set(openedState(r), [...(byState.get(openedState(r)) ?? []), r.id]);
  for (const [state, ids] of byState) {
    const done = await trx.updateTable('reports').set({ visibility: 'public', state, public_at: at, updated_at: at }).where('id', 'in', ids).where(stillPrivate).returning('id').execute();
    for (const d of done) opened.add(d.id);
  }
  const reports = rows.filter((r) => opened.has(r.id));
  if (!reports.length) return [];

  await cancelJobs(
    trx,
    now,
    reports.flatMap((r) => [openKey(r.id, r.embargo_version), ...WARNING_DAYS.map((days) => warnKey(r.id, r.embargo_version, days))]),
  );
  await trx
    .insertInto('report_events')
    .values(reports.map((r) => ({ report_id: r.id, at, actor_id: how.actor.id, actor_label: how.actor.label, kind: how.kind, visibility: 'everyone' as const, data: JSON.stringify({ reason: how.reason }) })))
    .execute();
  const vmt = await activeVmt(trx);
  const subscribers = await activeSubscribers(
    trx,
    reports.map((r) => r.id),
  );
  const notice = openingNotice(how);
  await enqueueJobs(
    trx,
    now,
    reports.flatMap((r) => notificationMails(config, r, notice, { vmt, subscribers: subscribers.get(r.id) ?? [] }).flatMap(mailJobs)),
  );
  await change.audits(reports.map((r) => openingAudit(r, how)));
  return reports.map((r) => r.id);
}

export const EMBARGO_END_OPENING: OpeningHow = { kind: 'opened_at_embargo_end', reason: 'The embargo reached its end.', actor: { id: null, label: 'Cordon (embargo clock)' } };

/**
 * Opens every report of `due` whose embargo (that version) is still running; returns the ids opened.
 * Reports already public or whose embargo moved are left alone.
 */
export async function openReportsAtEmbargoEnd(change: ChangeContext, due: readonly EmbargoJobPayload[]): Promise<number[]> {
  if (!due.length) return [];
  const { trx } = change;
  const wanted = new Map(due.map((d) => [d.reportId, d.version]));
  const rows = await trx.selectFrom('reports').selectAll().where('id', 'in', [...wanted.keys()]).where(stillPrivate).execute();
  const byId = new Map(rows.filter((r) => wanted.get(r.id) === r.embargo_version).map((r) => [r.id, r]));
  const candidates = [...new Set(due.map((d) => d.reportId))].map((id) => byId.get(id)).filter((r): r is ReportRow => r !== undefined);
  return openReports(change, candidates, EMBARGO_END_OPENING);
}

/**
 * Open one private report inside a transaction (shared by every way of opening). Idempotent: returns false
 * when the report is already public, so a repeated job or a race changes nothing.
 */
export async function openReportIn(change: ChangeContext, row: ReportRow, how: OpeningHow): Promise<boolean> {
  return (await openReports(change, [row], how)).length === 1;
}
