// Opening many reports at their embargo end in one transaction (the batch lane of embargo.open, see
// JobHandler.batch): the same rows as openReportIn(…, 'opened_at_embargo_end') for each report — state,
// cancelled deadline jobs, timeline entry, notification mail, audit event — but written with a handful of
// set-wise statements instead of ~20 per report. 100,000 embargoes ending in one minute (issue 9) were
// bound by those round trips. open-batch.test.ts checks the rows match the one-by-one path.
import { sql, type Transaction } from 'kysely';
import type { Config } from '../config/config.js';
import { recordAudits } from '../audit/audit.js';
import { openKey, warnKey, WARNING_DAYS, type EmbargoJobPayload } from '../embargo/schedule.js';
import { cancelJobs, enqueueJobs } from '../jobs/queue.js';
import { mailJobs } from '../mail/outbox.js';
import type { DialectName } from '../storage/database.js';
import type { Database, ReportRow } from '../storage/tables.js';
import { openedState, openingAudit, openingNotice, type OpeningHow } from './disclosure.js';
import { activeSubscribers, activeVmt, notificationMails } from './notify.js';

const stillPrivate = sql<boolean>`visibility || '' = 'private'`;

export const EMBARGO_END_OPENING: OpeningHow = { kind: 'opened_at_embargo_end', reason: 'The embargo reached its end.', actor: { id: null, label: 'Cordon (embargo clock)' }, requestId: null };

/**
 * Opens every report of `due` whose embargo (that version) is still running; returns the ids opened, in
 * the order given. Reports already public or with a moved embargo are left alone, as one by one.
 */
export async function openReportsAtEmbargoEnd(trx: Transaction<Database>, dialect: DialectName, config: Config, now: Date, due: readonly EmbargoJobPayload[]): Promise<number[]> {
  if (!due.length) return [];
  const at = now.toISOString();
  const how = EMBARGO_END_OPENING;
  const wanted = new Map(due.map((d) => [d.reportId, d.version]));
  // `visibility || ''` (and `state || ''` below): SQLite has no statistics unless someone runs ANALYZE, and
  // then prefers the index on visibility — every private report — to the primary key for `id in (…)`.
  const rows = await trx.selectFrom('reports').selectAll().where('id', 'in', [...wanted.keys()]).where(stillPrivate).execute();
  const byId = new Map(rows.filter((r) => wanted.get(r.id) === r.embargo_version).map((r) => [r.id, r]));
  const candidates = [...new Set(due.map((d) => d.reportId))].map((id) => byId.get(id)).filter((r): r is ReportRow => r !== undefined);
  if (!candidates.length) return [];

  // One update per resulting state; `returning` says which rows this transaction really opened.
  const opened = new Set<number>();
  const byState = new Map<ReportRow['state'], number[]>();
  for (const r of candidates) byState.set(openedState(r), [...(byState.get(openedState(r)) ?? []), r.id]);
  for (const [state, ids] of byState) {
    const done = await trx.updateTable('reports').set({ visibility: 'public', state, public_at: at, updated_at: at }).where('id', 'in', ids).where(stillPrivate).returning('id').execute();
    for (const d of done) opened.add(d.id);
  }
  const reports = candidates.filter((r) => opened.has(r.id));
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
  await recordAudits(
    trx,
    dialect,
    reports.map((r) => openingAudit(r, how, now)),
  );
  return reports.map((r) => r.id);
}
