// The coordinator's decisions on a report's embargo (DESIGN.md §2, §5): open it now ("make public"),
// end the embargo early on a leak, extend it (with a recorded reason, the reporter told), and plan the
// disclosure hour before its hard end. The opening itself is opening.ts; the deadlines' jobs are
// deadline-jobs.ts.
import { change, type Scope } from '../../context.js';
import { errors } from '../../errors/catalogue.js';
import { canManage } from '../../access/report-policy.js';
import { cancelEmbargo, scheduleEmbargo } from './schedule.js';
import { toUtcDate } from '../../calendar/calendar.js';
import { reportForActor, requireOn } from '../load-for-actor.js';
import { actorName, addTimelineEvent } from '../timeline.js';
import { notifyReport } from '../notify.js';
import { openReportIn } from './opening.js';
import { checkPicked, publishFilesIn } from '../attachment-consent.js';

async function openByVmt(scope: Scope, ref: string, reason: string, kind: 'made_public' | 'embargo_ended_early', files: readonly string[]): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, kind === 'made_public' ? 'make the report public' : 'end the embargo');
  if (report.row.visibility === 'public') throw errors.conflict('The report is already public.');
  // Irreversible: the reason goes on the timeline and into the audit event (DESIGN.md §5, issue 13 item 11).
  if (!reason.trim()) throw errors.field('reason', kind === 'made_public' ? 'Say why the report is made public.' : 'Say what leaked or why the embargo ends early.');
  const picked = await checkPicked(scope.app.storage.db, report.row.id, files);
  await change(scope, async (c) => {
    const { trx, now, audit } = c;
    const how = { kind, reason: reason.trim(), actor: actorName(scope.actor) };
    if (!(await openReportIn(c, report.row, how))) throw errors.conflict('The report is already public.');
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
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'The embargo end date changed.', visibility: 'everyone', reporter: true, exceptUserId: actorName(scope.actor).id });
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
