// The report deadlines as durable job handlers: the automatic opening at the embargo's end, the warnings
// before it, and the acknowledgement deadline. Each does its work in the transaction that completes the
// job (exactly once), and does nothing when the report moved on (stale embargo version, already public).
import { activeMemberEmails } from '../../projects/projects.js';
import type { AppContext, ChangeContext } from '../../context.js';
import type { JobHandler } from '../../jobs/worker.js';
import { ACK_DEADLINE_JOB, EMBARGO_OPEN_JOB, EMBARGO_WARN_JOB, type EmbargoJobPayload } from './schedule.js';
import { EMBARGO_END_OPENING, openReportIn, openReportsAtEmbargoEnd } from './opening.js';
import { addTimelineEvent } from '../timeline.js';
import { notifyReport } from '../notify.js';
import { enqueueMail } from '../../mail/outbox.js';

const system = { id: null, label: 'Cordon (embargo clock)' };

/** Batch size of the embargo openings' batch lane (see JobHandler.batch). */
export const EMBARGO_OPEN_BATCH = 100;

export interface DeadlineHooks {
  /**
   * Runs in the transaction that opened reports at their embargo's end. The disclosure area, above this
   * one, brings a disclosure planned after the hard end forward (disclosure/run.ts); jobs/registry.ts
   * wires it, so the embargo does not import the disclosure plan.
   */
  afterOpening: (change: ChangeContext, reportIds: readonly number[]) => Promise<unknown>;
}

export function deadlineJobHandlers(ctx: AppContext, hooks: DeadlineHooks): JobHandler[] {
  const { config } = ctx;
  /** Opens the report at its embargo end, unless it moved on (opened already, embargo extended). */
  const openAtEmbargoEnd = async (change: ChangeContext, payload: EmbargoJobPayload) => {
    const row = await change.trx.selectFrom('reports').selectAll().where('id', '=', payload.reportId).executeTakeFirst();
    if (!row || row.visibility !== 'private' || row.embargo_version !== payload.version) return;
    await openReportIn(change, row, EMBARGO_END_OPENING);
    await hooks.afterOpening(change, [row.id]);
  };
  return [
    {
      kind: EMBARGO_OPEN_JOB,
      run: async ({ payload, commit }) => {
        await commit((change) => openAtEmbargoEnd(change, payload as EmbargoJobPayload));
      },
      // Many embargoes can end in the same minute; opening them a hundred to a transaction, set-wise, keeps up.
      batch: {
        size: EMBARGO_OPEN_BATCH,
        run: async ({ jobs, commit }) => {
          await commit(async (change) => {
            const opened = await openReportsAtEmbargoEnd(change, jobs.map((job) => JSON.parse(job.payload) as EmbargoJobPayload));
            if (opened.length) await hooks.afterOpening(change, opened);
          });
        },
      },
    },
    {
      kind: EMBARGO_WARN_JOB,
      run: async ({ payload, commit }) => {
        const { reportId, version, days } = payload as EmbargoJobPayload;
        await commit(async ({ trx, now, enqueue, audit }) => {
          const row = await trx.selectFrom('reports').selectAll().where('id', '=', reportId).executeTakeFirst();
          // A warning that comes due only after the end (a worker that was down) would only confuse: skip it.
          if (!row || row.visibility !== 'private' || row.embargo_version !== version || now.getTime() >= new Date(row.embargo_end_at).getTime()) return;
          await addTimelineEvent(trx, row.id, now, system, 'embargo_warning', { days });
          await notifyReport({ trx, config, enqueue }, row, { what: `The embargo ends in ${days} day${days === 1 ? '' : 's'}.`, visibility: 'everyone' });
          await audit('embargo.warning_sent', 'report', row.id, undefined, { days });
        });
      },
    },
    {
      kind: ACK_DEADLINE_JOB,
      run: async ({ payload, commit }) => {
        const { reportId } = payload as { reportId: number };
        await commit(async ({ trx, now, enqueue, audit }) => {
          const row = await trx.selectFrom('reports').selectAll().where('id', '=', reportId).executeTakeFirst();
          if (!row || row.acknowledged_at || row.escalated_at || row.state === 'invalid' || row.state === 'wont_fix') return;
          await trx.updateTable('reports').set({ escalated_at: now.toISOString() }).where('id', '=', row.id).execute();
          await addTimelineEvent(trx, row.id, now, system, 'escalated', {}, 'vmt');
          // Escalation reaches every VMT member (notifyReport's VMT list) and each affected project's lead.
          await notifyReport({ trx, config, enqueue }, row, { what: 'A report was not acknowledged in time and is escalated.', visibility: 'vmt' });
          const projectIds = (await trx.selectFrom('report_projects').select('project_id').where('report_id', '=', row.id).execute()).map((p) => p.project_id);
          const leads = await activeMemberEmails(trx, projectIds, 'lead');
          await enqueueMail(enqueue, {
            to: leads,
            subject: `[${config.instanceName} ${row.ref}] A vulnerability report for your project awaits acknowledgement`,
            text: `A private vulnerability report filed against your project was not acknowledged by the VMT within the deadline.\nThe VMT has been alerted. Report reference: ${row.ref}.\n`,
            headers: { 'X-Cordon-Report': row.ref },
          });
          await audit('report.escalated', 'report', row.id, undefined, { leads: leads.length });
        });
      },
    },
  ];
}
