// Scheduling a report's embargo deadlines as durable jobs (DESIGN.md §2): the automatic opening at the hard
// end and the warnings before it. Job keys carry the embargo version, so moving the embargo cancels the
// old jobs and a stale job that still runs does nothing.
import type { Db } from '../../storage/database.js';
import type { ReportRow } from '../../storage/tables.js';
import { cancelJob, enqueueJob } from '../../jobs/queue.js';
import { embargoWarningTimes } from '../../calendar/calendar.js';

export const EMBARGO_OPEN_JOB = 'embargo.open';
export const EMBARGO_WARN_JOB = 'embargo.warn';
export const ACK_DEADLINE_JOB = 'report.ack_deadline';
export const WARNING_DAYS = [14, 7, 1] as const;

export const openKey = (reportId: number, version: number) => `embargo-open:${reportId}:v${version}`;
export const warnKey = (reportId: number, version: number, days: number) => `embargo-warn:${reportId}:v${version}:${days}d`;

export interface EmbargoJobPayload {
  reportId: number;
  version: number;
  days?: number;
}

/** Queue the opening and the warnings for the report's current embargo version. */
export async function scheduleEmbargo(trx: Db, now: Date, report: Pick<ReportRow, 'id' | 'embargo_end_at' | 'embargo_version'>): Promise<void> {
  const end = new Date(report.embargo_end_at);
  await enqueueJob(trx, now, EMBARGO_OPEN_JOB, { reportId: report.id, version: report.embargo_version } satisfies EmbargoJobPayload, {
    runAt: end,
    dedupeKey: openKey(report.id, report.embargo_version),
    maxAttempts: 20,
  });
  for (const w of embargoWarningTimes(end, WARNING_DAYS)) {
    if (w.at.getTime() <= now.getTime()) continue;
    await enqueueJob(trx, now, EMBARGO_WARN_JOB, { reportId: report.id, version: report.embargo_version, days: w.daysBefore } satisfies EmbargoJobPayload, {
      runAt: w.at,
      dedupeKey: warnKey(report.id, report.embargo_version, w.daysBefore),
    });
  }
}

/** Cancel the jobs of an embargo version (before scheduling the next one, or when the report opens). */
export async function cancelEmbargo(trx: Db, now: Date, reportId: number, version: number): Promise<void> {
  await cancelJob(trx, now, openKey(reportId, version));
  for (const days of WARNING_DAYS) await cancelJob(trx, now, warnKey(reportId, version, days));
}

export async function scheduleAckDeadline(trx: Db, now: Date, report: Pick<ReportRow, 'id' | 'ack_deadline_at'>): Promise<void> {
  await enqueueJob(trx, now, ACK_DEADLINE_JOB, { reportId: report.id }, { runAt: new Date(report.ack_deadline_at), dedupeKey: `ack-deadline:${report.id}` });
}
