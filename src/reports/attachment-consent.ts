// Consent for what a reporter gave (DESIGN.md §5; issue 13 item 11): a report's files stay with the people
// on the report after it opens, unless the coordinator picks them — on the confirmation of the step that
// opens the report, or later on the opened report — as for the comments of a scrubbed public issue.
import type { Transaction } from 'kysely';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { canManage } from '../access/report-policy.js';
import type { Db } from '../storage/database.js';
import type { Database } from '../storage/tables.js';
import { reportForActor, requireOn } from './load-for-actor.js';
import { actorName, addTimelineEvent } from './timeline.js';

export const PUBLISH_FILES_FIELD = 'publish_files';

/** Everyone-visible files of the report that are not public yet: what the coordinator may pick. */
export async function publishableFiles(db: Db, reportId: number) {
  return db
    .selectFrom('report_attachments')
    .select(['id', 'filename', 'size', 'uploaded_label'])
    .where('report_id', '=', reportId)
    .where('visibility', '=', 'everyone')
    .where('published_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** The picked ids, checked against the report (VMT-only or foreign files cannot be published). */
export async function checkPicked(db: Db, reportId: number, raw: readonly string[]): Promise<number[]> {
  const ids = [...new Set(raw.map(Number))];
  if (ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) throw errors.field(PUBLISH_FILES_FIELD, 'Pick files from the list.');
  if (!ids.length) return [];
  const known = new Set((await publishableFiles(db, reportId)).map((f) => f.id));
  if (ids.some((id) => !known.has(id))) throw errors.field(PUBLISH_FILES_FIELD, 'Only files of this report that everyone on it can see, and that are not public yet, can be published.');
  return ids;
}

/** Publishes the picked files in the caller's transaction, with the timeline entry (the audit is the caller's). */
export async function publishFilesIn(trx: Transaction<Database>, reportId: number, ids: readonly number[], now: Date, who: { id: number | null; label: string }): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await trx.updateTable('report_attachments').set({ published_at: now.toISOString() }).where('report_id', '=', reportId).where('id', 'in', [...ids]).where('published_at', 'is', null).returning(['id', 'filename']).execute();
  const names = rows.map((r) => r.filename);
  if (names.length) await addTimelineEvent(trx, reportId, now, who, 'files_published', { files: names.join(', '), count: names.length });
  return names;
}

/** On an opened report: publish files the coordinator picks later (with a reason, as every irreversible step). */
export async function publishFiles(scope: Scope, ref: string, raw: readonly string[], reason: string): Promise<number> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'publish files');
  if (report.row.visibility !== 'public') throw errors.conflict('The report is still private: pick the files when you make it public.');
  const ids = await checkPicked(scope.app.storage.db, report.row.id, raw);
  if (!ids.length) throw errors.field(PUBLISH_FILES_FIELD, 'Pick at least one file.');
  return change(scope, async ({ trx, now, audit }) => {
    const names = await publishFilesIn(trx, report.row.id, ids, now, actorName(scope.actor));
    await audit('report.files_published', 'report', report.row.id, undefined, { attachment_ids: ids, reason });
    return names.length;
  });
}
