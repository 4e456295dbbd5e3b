// Mail that failed for good (a dead `mail.send` job), found where people look instead of only under
// Admin → Jobs (issue 15): the mails about a report (its X-Cordon-Report header), the mails to a
// stakeholder organisation's contacts, and a retry that queues the same mail (same Message-ID) again.
// Who may see or retry which mail follows the access policy: mail about a report is the VMT's business
// (like its pre-notice recipients); admins run the queue and may retry any mail.
import { can } from '../access/policy.js';
import { canManage, canSeeVmtOnly, type ReportAccess } from '../access/report-policy.js';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { retryDeadJob } from '../jobs/queue.js';
import { deadJobOfKind, deadJobsOfKind } from '../jobs/store.js';
import type { QueuedMail } from './compose.js';
import { deadMailTo, deliveryErrorsOfJobs } from './deliveries.js';
import { MAIL_JOB } from './outbox.js';

export interface MailProblem {
  jobId: number;
  recipient: string;
  /** Null when the viewer may not see what the mail was about. */
  subject: string | null;
  reportRef: string | null;
  messageId: string | null;
  error: string;
  attempts: number;
  failedAt: string;
}

interface DeadMailRow {
  id: number;
  payload: string;
  last_error: string | null;
  attempts: number;
  updated_at: string;
  delivery_error: string | null;
}

const LIMIT = 50;

/** A report as the page showing it loaded it for the viewer (reports/load-for-actor.ts's ReportForActor). */
export interface ReportSeen {
  row: { ref: string };
  access: ReportAccess;
}

/**
 * The viewer's access to the report named by ref, null when there is no such report or they may not
 * see it. Reports (above mail) answers: reports/load-for-actor.ts's reportAccessByRef, wired in
 * http/routes-index.ts.
 */
export type ReportAccessByRef = (scope: Scope, ref: string) => Promise<ReportAccess | null>;

function parsePayload(payload: string): Partial<QueuedMail> {
  try {
    return JSON.parse(payload) as Partial<QueuedMail>;
  } catch {
    return {};
  }
}

function present(row: DeadMailRow, showSubject: boolean): MailProblem {
  const mail = parsePayload(row.payload);
  return {
    jobId: row.id,
    recipient: (mail.to ?? []).join(', '),
    subject: showSubject ? (mail.subject ?? '') : null,
    reportRef: showSubject ? (mail.headers?.['X-Cordon-Report'] ?? null) : null,
    messageId: mail.messageId ?? null,
    // The delivery's error names the relay's reply; the job's is what the worker saw (e.g. a lost lease).
    error: (row.delivery_error ?? row.last_error ?? 'failed without an error message').slice(0, 1000),
    attempts: row.attempts,
    failedAt: row.updated_at,
  };
}

/** Dead mail jobs about a report, for whoever may see its pre-notice recipients (the VMT); null for others. */
export async function mailProblemsForReport(scope: Scope, report: ReportSeen): Promise<MailProblem[] | null> {
  if (!canManage(report.access) || !canSeeVmtOnly(report.access)) return null;
  const ref = report.row.ref;
  // Refs are R- and eight of [A-Z2-9] (reportForActor checks), so the pattern has no LIKE wildcards.
  const db = scope.app.storage.db;
  const jobs = await deadJobsOfKind(db, MAIL_JOB, { payloadLike: `%"X-Cordon-Report":"${ref}"%`, limit: LIMIT });
  const deliveryErrors = await deliveryErrorsOfJobs(db, jobs.map((j) => j.id));
  const rows = jobs.map((j) => ({ ...j, delivery_error: deliveryErrors.get(j.id) ?? null }));
  return rows.map((row) => present(row, true)).filter((p) => p.reportRef === ref);
}

/**
 * Dead mail jobs to these addresses (a stakeholder organisation's contacts). The caller has checked the
 * actor may see the organisation; what each mail was about only shows to the VMT.
 */
export async function mailProblemsForAddresses(scope: Scope, addresses: readonly string[]): Promise<MailProblem[]> {
  if (!addresses.length) return [];
  const rows = await deadMailTo(scope.app.storage.db, MAIL_JOB, addresses, LIMIT);
  const showSubject = can(scope.actor, 'reports.triage');
  return rows.map((row) => present(row, showSubject));
}

/** Loads a dead mail job the actor may retry; the same 404 for one that does not exist, is not dead, or is hidden. */
async function retryableJob(scope: Scope, jobId: number, reportAccessByRef: ReportAccessByRef): Promise<{ id: number; payload: Partial<QueuedMail>; last_error: string | null }> {
  const row = Number.isSafeInteger(jobId) && jobId > 0
    ? await deadJobOfKind(scope.app.storage.db, MAIL_JOB, jobId)
    : undefined;
  if (!row) throw errors.notFound('mail');
  const payload = parsePayload(row.payload);
  if (can(scope.actor, 'jobs.write')) return { ...row, payload };
  const ref = payload.headers?.['X-Cordon-Report'];
  if (!ref) throw errors.notFound('mail');
  const access = await reportAccessByRef(scope, ref);
  if (!access || !canManage(access) || !canSeeVmtOnly(access)) throw errors.notFound('mail');
  return { ...row, payload };
}

/** Queues a dead mail again, unchanged (same Message-ID, so a recipient's client sees one mail). Audited. */
export async function retryDeadMail(scope: Scope, jobId: number, reportAccessByRef: ReportAccessByRef): Promise<{ recipient: string }> {
  const job = await retryableJob(scope, jobId, reportAccessByRef);
  await change(scope, async ({ trx, now, audit }) => {
    if (!(await retryDeadJob(trx, now, job.id))) throw errors.conflict('This mail is no longer failed: it was retried already.');
    await trx.updateTable('mail_deliveries').set({ status: 'queued', last_error: null, sending_at: null, updated_at: now.toISOString() }).where('job_id', '=', job.id).execute();
    await audit('mail.retried', 'job', job.id, { status: 'dead', last_error: job.last_error }, { status: 'queued' });
  });
  return { recipient: (job.payload.to ?? []).join(', ') };
}
