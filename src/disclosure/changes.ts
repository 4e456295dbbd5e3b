// Changing a scheduled disclosure (issue 7 item 5): moving it re-notifies the stakeholders with a short
// signed mail and reschedules the job (new version, old job cancelled); cancelling stops the job; a leak
// runs the disclosure steps at once.
import { canManage } from '../access/report-policy.js';
import { setPlannedDisclosure } from '../reports/store-writes.js';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { cancelJob } from '../jobs/queue.js';
import { enqueueMail } from '../mail/outbox.js';
import { reportForActor, requireOn, type ReportForActor } from '../reports/load-for-actor.js';
import { actorName, addTimelineEvent } from '../reports/timeline.js';
import { endEmbargoEarly } from '../reports/embargo/decisions.js';
import { openReportIn } from '../reports/embargo/opening.js';
import { checkPicked, publishFilesIn } from '../reports/attachment-consent.js';
import type { Db } from '../storage/database.js';
import { planPreNotice, requireOverrideReason } from './planner.js';
import { runKey, scheduleRun } from './run.js';

async function scheduledPlan(db: Db, report: ReportForActor) {
  const plan = await db.selectFrom('disclosure_plans').selectAll().where('report_id', '=', report.row.id).executeTakeFirst();
  if (!plan || plan.state !== 'scheduled') throw errors.conflict('No disclosure is scheduled for this report.');
  return plan;
}

/** Moves the disclosure to `at` (warnings need a reason), re-notifying every pre-notice recipient. */
export async function moveDisclosure(scope: Scope, ref: string, input: { at: string; reason?: string }): Promise<void> {
  const plan = await planPreNotice(scope, ref, { at: input.at });
  const reason = requireOverrideReason(plan.warnings, input.reason);
  const report = plan.report;
  const current = await scheduledPlan(scope.app.storage.db, report);
  const product = report.projects.map((p) => p.name).join(', ') || scope.app.config.instanceName;
  const cves = report.cves.length ? report.cves.join(', ') : 'CVE pending';
  const at = plan.at.toISOString();
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    const version = current.version + 1;
    const r = await trx.updateTable('disclosure_plans').set({ disclose_at: at, version, override_reason: reason, warnings_json: JSON.stringify(plan.warnings.map((w) => w.code)), updated_at: now.toISOString() }).where('id', '=', current.id).where('version', '=', current.version).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw errors.conflict('The plan changed meanwhile; reload and try again.');
    await cancelJob(trx, now, runKey(current.id, current.version));
    await scheduleRun(trx, now, { id: current.id, version, disclose_at: at });
    await setPlannedDisclosure(trx, report.row.id, at, now);
    const recipients = await trx.selectFrom('prenotice_recipients').select('email').where('plan_id', '=', current.id).execute();
    for (const rcpt of recipients) {
      await enqueueMail(enqueue, {
        to: [rcpt.email],
        subject: `[pre-OSSA] New disclosure date: Vulnerability in ${product} (${cves})`,
        text: `The proposed public disclosure date of the vulnerability in ${product} (${cves}) has changed.\n\nNew disclosure date/time:\n${at.slice(0, 10)}, ${at.slice(11, 13)}${at.slice(14, 16)}UTC\n\nPlease keep the embargo until then.\n`,
        headers: { 'X-Cordon-Report': report.row.ref },
      });
    }
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'disclosure_planned', { at, moved_from: current.disclose_at, reason }, 'vmt');
    await audit('disclosure.moved', 'report', report.row.id, { disclose_at: current.disclose_at }, { disclose_at: at, reason });
  });
}

/** Cancels the scheduled disclosure: the job is stopped and the report keeps its embargo. */
export async function cancelDisclosure(scope: Scope, ref: string, reason: string): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'cancel the disclosure');
  if (!reason.trim()) throw errors.field('reason', 'Say why the disclosure is cancelled.');
  const current = await scheduledPlan(scope.app.storage.db, report);
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('disclosure_plans').set({ state: 'cancelled', updated_at: now.toISOString() }).where('id', '=', current.id).execute();
    await cancelJob(trx, now, runKey(current.id, current.version));
    await setPlannedDisclosure(trx, report.row.id, null, now);
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'disclosure_planned', { at: '', cancelled: true, reason: reason.trim() }, 'vmt');
    await audit('disclosure.cancelled', 'report', report.row.id, { disclose_at: current.disclose_at }, { state: 'cancelled', reason: reason.trim() });
  });
}

/**
 * A leak (issue 7 item 5): the report opens in this transaction and the rest of the disclosure steps
 * (publish the advisory with its announcement, rebuild the site) run at once as the job, instead of at
 * the hour. The job's open_report step then finds the report public and records that.
 */
export async function discloseNow(scope: Scope, ref: string, reason: string, files: readonly string[] = []): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'end the embargo');
  if (!reason.trim()) throw errors.field('reason', 'Say what leaked or why the embargo ends early.');
  if (report.row.visibility === 'public') throw errors.conflict('The report is already public.');
  const current = await scheduledPlan(scope.app.storage.db, report);
  const picked = await checkPicked(scope.app.storage.db, report.row.id, files);
  await change(scope, async (c) => {
    const { trx, now, audit } = c;
    const version = current.version + 1;
    const r = await trx.updateTable('disclosure_plans').set({ disclose_at: now.toISOString(), version, override_reason: reason.trim(), updated_at: now.toISOString() }).where('id', '=', current.id).where('version', '=', current.version).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw errors.conflict('The plan changed meanwhile; reload and try again.');
    await cancelJob(trx, now, runKey(current.id, current.version));
    await openReportIn(c, report.row, { kind: 'embargo_ended_early', reason: reason.trim(), actor: actorName(scope.actor) });
    await setPlannedDisclosure(trx, report.row.id, now.toISOString(), now);
    await scheduleRun(trx, now, { id: current.id, version, disclose_at: now.toISOString() }, now);
    await publishFilesIn(trx, report.row.id, picked, now, actorName(scope.actor));
    await audit('disclosure.run_now', 'report', report.row.id, { disclose_at: current.disclose_at }, { disclose_at: now.toISOString(), reason: reason.trim(), published_attachment_ids: picked });
  });
}

/**
 * "End the embargo early" on the report page: with a scheduled disclosure it runs the disclosure steps
 * at once (discloseNow); without one it only opens the report.
 */
export async function endEmbargoEarlyOrDisclose(scope: Scope, ref: string, reason: string, files: readonly string[] = []): Promise<'disclosing' | 'opened'> {
  const report = await reportForActor(scope, ref);
  const plan = await scope.app.storage.db.selectFrom('disclosure_plans').select('state').where('report_id', '=', report.row.id).executeTakeFirst();
  if (plan?.state === 'scheduled') {
    await discloseNow(scope, ref, reason, files);
    return 'disclosing';
  }
  await endEmbargoEarly(scope, ref, reason, files);
  return 'opened';
}
