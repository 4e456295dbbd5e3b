// Opening a report: by a VMT decision ("make public"), early on a leak, or automatically when the embargo
// ends; extending the embargo (with a recorded reason, the reporter told); planning the disclosure hour;
// and publishing a scrubbed public version of a report that is not a vulnerability.
import type { Transaction } from 'kysely';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { canManage } from '../access/report-policy.js';
import type { Database, ReportRow } from '../storage/tables.js';
import type { Config } from '../config/config.js';
import type { DialectName } from '../storage/database.js';
import { cancelEmbargo, scheduleEmbargo } from '../embargo/schedule.js';
import { toUtcDate } from '../embargo/calendar.js';
import { reportForActor, requireOn } from './load-for-actor.js';
import { actorName, addTimelineEvent } from './timeline.js';
import { notifyReport } from './notify.js';
import { openReports, type OpeningHow } from './opening.js';
import { checkPicked, publishFilesIn } from './attachment-consent.js';

/**
 * Open a private report inside a transaction (shared by every way of opening). Idempotent: returns false
 * when the report is already public, so a repeated job or a race changes nothing.
 */
export async function openReportIn(
  trx: Transaction<Database>,
  dialect: DialectName,
  config: Config,
  now: Date,
  row: ReportRow,
  how: OpeningHow,
): Promise<boolean> {
  return (await openReports(trx, dialect, config, now, [row], how)).length === 1;
}

async function openByVmt(scope: Scope, ref: string, reason: string, kind: 'made_public' | 'embargo_ended_early', files: readonly string[]): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, kind === 'made_public' ? 'make the report public' : 'end the embargo');
  if (report.row.visibility === 'public') throw errors.conflict('The report is already public.');
  // Irreversible: the reason goes on the timeline and into the audit event (DESIGN.md §5, issue 13 item 11).
  if (!reason.trim()) throw errors.field('reason', kind === 'made_public' ? 'Say why the report is made public.' : 'Say what leaked or why the embargo ends early.');
  const picked = await checkPicked(scope.app.storage.db, report.row.id, files);
  await change(scope, async ({ trx, now, audit }) => {
    const how = { kind, reason: reason.trim(), actor: actorName(scope.actor), requestId: scope.requestId };
    if (!(await openReportIn(trx, scope.app.storage.dialect, scope.app.config, now, report.row, how))) throw errors.conflict('The report is already public.');
    if (picked.length) {
      await publishFilesIn(trx, report.row.id, picked, now, how.actor);
      await audit('report.files_published', 'report', report.row.id, undefined, { attachment_ids: picked, reason: reason.trim() });
    }
  });
}

/** Opens the report now; `files` are the attachment ids the coordinator chose to publish with it (none by default). */
export const makePublic = (scope: Scope, ref: string, reason: string, files: readonly string[] = []) => openByVmt(scope, ref, reason, 'made_public', files);
export const endEmbargoEarly = (scope: Scope, ref: string, reason: string, files: readonly string[] = []) => openByVmt(scope, ref, reason, 'embargo_ended_early', files);

/**
 * Fix: `new Date()` rolled impossible dates over (2026-06-31 became 1 July) and read a time without a zone
 * in the server's local zone. The calendar's strict parser refuses the former; a missing zone means UTC.
 */
function parseUtcMoment(raw: string | null | undefined, field: string, format: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})(?:(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)Z?)?$/.exec(raw ?? '');
  if (!m) throw errors.field(field, format);
  try {
    return toUtcDate(m[2] ? `${m[1]}${m[2]}Z` : m[1]!, field);
  } catch {
    throw errors.field(field, `${raw} is not a real date or time of day. ${format}`);
  }
}

/** Move the hard end past the default only for unusual circumstances: reason recorded, reporter told. */
export async function extendEmbargo(scope: Scope, ref: string, newEndIso: string, reason: string): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'extend the embargo');
  if (report.row.visibility === 'public') throw errors.conflict('The report is public; there is no embargo to extend.');
  const end = parseUtcMoment(newEndIso, 'end', 'Give the new end as YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC).');
  if (end.getTime() <= new Date(report.row.embargo_end_at).getTime()) throw errors.field('end', 'An extension must end later than the current embargo.');
  if (!reason?.trim()) throw errors.field('reason', 'Extensions are for unusual circumstances: record the reason.');
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    const version = report.row.embargo_version + 1;
    const r = await trx
      .updateTable('reports')
      .set({ embargo_end_at: end.toISOString(), embargo_version: version, updated_at: now.toISOString() })
      .where('id', '=', report.row.id)
      .where('embargo_version', '=', report.row.embargo_version)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw errors.conflict('The embargo changed meanwhile; reload and try again.');
    await cancelEmbargo(trx, now, report.row.id, report.row.embargo_version);
    await scheduleEmbargo(trx, now, { id: report.row.id, embargo_end_at: end.toISOString(), embargo_version: version });
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'embargo_extended', { end: end.toISOString(), reason: reason.trim() });
    await notifyReport(trx, scope.app.config, enqueue, report.row, { what: 'The embargo end date changed.', visibility: 'everyone', reporter: true, exceptUserId: actorName(scope.actor).id });
    await audit('embargo.extended', 'report', report.row.id, { embargo_end_at: report.row.embargo_end_at }, { embargo_end_at: end.toISOString(), reason: reason.trim() });
  });
}

/** The planned disclosure date and hour, kept apart from the hard end (default hour from config). */
export async function planDisclosure(scope: Scope, ref: string, atIso: string | null): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'plan the disclosure');
  let at: Date | null = null;
  if (atIso) {
    const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(atIso);
    if (!m) throw errors.field('planned_at', 'Give the date as YYYY-MM-DD, optionally with THH:MM (UTC).');
    // Strict parse (fix): 2026-02-30 used to roll over to 2 March instead of being refused.
    at = parseUtcMoment(`${m[1]}T${m[2] ?? String(scope.app.config.disclosureHourUtc).padStart(2, '0')}:${m[3] ?? '00'}`, 'planned_at', 'That date or time does not exist.');
    if (at.getTime() > new Date(report.row.embargo_end_at).getTime()) throw errors.field('planned_at', 'The planned disclosure is after the embargo’s hard end; extend the embargo first.');
  }
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('reports').set({ planned_disclosure_at: at?.toISOString() ?? null, updated_at: now.toISOString() }).where('id', '=', report.row.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'disclosure_planned', { at: at?.toISOString() ?? '' });
    await audit('report.disclosure_planned', 'report', report.row.id, { planned_disclosure_at: report.row.planned_disclosure_at }, { planned_disclosure_at: at?.toISOString() ?? null });
  });
}

/**
 * For reports that are not vulnerabilities (class E, or D handled in the open): publish a scrubbed public
 * version with the fields and comments the coordinator picks, instead of opening the private thread.
 */
export async function publishAsIssue(scope: Scope, ref: string, input: { summary: string; commentIds: number[] }): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'publish a public version');
  if (!report.row.class || !['D', 'E'].includes(report.row.class)) throw errors.field('class', 'Only class D or E reports are turned into public issues; classify it first.');
  const summary = (input.summary ?? '').trim();
  if (!summary) throw errors.field('summary', 'Write the public summary.');
  if (summary.length > 20_000) throw errors.field('summary', 'Use at most 20000 characters.');
  const comments = input.commentIds.length
    ? await scope.app.storage.db.selectFrom('report_comments').select(['id', 'author_label', 'body', 'created_at']).where('report_id', '=', report.row.id).where('visibility', '=', 'everyone').where('id', 'in', input.commentIds).execute()
    : [];
  if (comments.length !== new Set(input.commentIds).size) throw errors.field('comments', 'Only everyone-visible comments of this report can be published.');
  const scrubbed = JSON.stringify({ summary, comments: comments.map((c) => ({ author: c.author_label, body: c.body, at: c.created_at })) });
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('reports').set({ public_summary: scrubbed, updated_at: now.toISOString() }).where('id', '=', report.row.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'published_as_issue', { comments: comments.length });
    await audit('report.published_as_issue', 'report', report.row.id, undefined, { comments: comments.map((c) => c.id) });
  });
}

