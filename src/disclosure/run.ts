// The disclosure hour (issue 7 item 2): one durable job runs the steps in order — open the report, publish
// the approved advisory (which also queues the signed announcement: not sent again here), rebuild the
// public site. Each step runs in its own transaction that also records it in disclosure_steps (unique per
// plan and step), so a crash between steps resumes at the next one and no step runs twice.
import { change, systemScope, type AppContext, type ChangeContext, type Scope } from '../context.js';
import { advisoryOfReport } from '../advisories/store.js';
import { reportRowById } from '../reports/store-reads.js';
import { findUserById } from '../accounts/users.js';
import { buildUserActor } from '../access/load-actor.js';
import { publishAdvisory } from '../advisories/publish.js';
import { cancelJob, enqueueJob } from '../jobs/queue.js';
import { rebuildWholeSite, siteContextFor } from '../publication/site-files.js';
import { teamPublicKey } from '../publication/signer.js';
import { openReportIn } from '../reports/embargo/opening.js';
import { addTimelineEvent } from '../reports/timeline.js';
import type { Db } from '../storage/database.js';
import type { DisclosurePlansTable, DisclosureStep } from './tables.js';
import { sql, type Selectable } from 'kysely';

export const DISCLOSURE_RUN_JOB = 'disclosure.run';
export const DISCLOSURE_STEPS: readonly DisclosureStep[] = ['open_report', 'publish_advisory', 'rebuild_site'];

type PlanRow = Selectable<DisclosurePlansTable>;

export interface RunPayload {
  planId: number;
  version: number;
}

/** The dedupe key carries the plan version, so a moved plan's old job is cancelled and never confused. */
export function runKey(planId: number, version: number): string {
  return `disclosure-run:${planId}:v${version}`;
}

export async function scheduleRun(trx: Db, now: Date, plan: { id: number; version: number; disclose_at: string }, runAt = new Date(plan.disclose_at)): Promise<void> {
  await enqueueJob(trx, now, DISCLOSURE_RUN_JOB, { planId: plan.id, version: plan.version } satisfies RunPayload, { runAt, dedupeKey: runKey(plan.id, plan.version), maxAttempts: 20 });
}

/**
 * The embargo's hard end opened the report before a disclosure planned after it (allowed with a reason):
 * the remaining steps (advisory, announcement, site) run now rather than leave the report public without
 * its advisory. Runs in the transaction of the opening. Returns whether a plan was brought forward.
 */
export async function bringDisclosureForward({ trx, now, audit }: ChangeContext, reportId: number): Promise<boolean> {
  const plan = await trx.selectFrom('disclosure_plans').selectAll().where('report_id', '=', reportId).where('state', '=', 'scheduled').executeTakeFirst();
  if (!plan || new Date(plan.disclose_at).getTime() <= now.getTime()) return false;
  const version = plan.version + 1;
  await trx.updateTable('disclosure_plans').set({ disclose_at: now.toISOString(), version, updated_at: now.toISOString() }).where('id', '=', plan.id).execute();
  await cancelJob(trx, now, runKey(plan.id, plan.version));
  await scheduleRun(trx, now, { id: plan.id, version, disclose_at: now.toISOString() }, now);
  await addTimelineEvent(trx, reportId, now, embargoClock, 'disclosure_planned', { at: now.toISOString(), moved_from: plan.disclose_at, reason: 'The embargo reached its hard end first.', notified: false }, 'vmt');
  await audit('disclosure.brought_forward', 'report', reportId, { disclose_at: plan.disclose_at }, { disclose_at: now.toISOString() });
  return true;
}

const embargoClock = { id: null, label: 'Cordon (embargo clock)' };

/** After openings at the embargo's end (deadline-jobs.ts' afterOpening): bring their scheduled disclosures forward. */
export async function bringDisclosuresForward(change: ChangeContext, reportIds: readonly number[]): Promise<void> {
  if (!reportIds.length) return;
  // `state || ''`: SQLite would walk every scheduled plan's index entry instead (see reports/embargo/opening.ts).
  const planned = await change.trx.selectFrom('disclosure_plans').select('report_id').where('report_id', 'in', reportIds).where(sql<string>`state || ''`, '=', 'scheduled').execute();
  for (const p of planned) await bringDisclosureForward(change, p.report_id);
}

export interface RunHooks {
  /** Test seam: called after each step is committed (a throw simulates a crash between steps). */
  afterStep?: (step: DisclosureStep) => void;
}

/**
 * Runs the remaining steps of a plan. Returns the steps run now ([] for a stale or finished plan).
 * The caller (the job) marks the plan done afterwards.
 */
export async function runDisclosureSteps(app: AppContext, payload: RunPayload, hooks: RunHooks = {}): Promise<DisclosureStep[]> {
  const db = app.storage.db;
  const plan = await db.selectFrom('disclosure_plans').selectAll().where('id', '=', payload.planId).executeTakeFirst();
  if (!plan || plan.state !== 'scheduled' || plan.version !== payload.version) return [];
  const ran: DisclosureStep[] = [];
  for (const step of DISCLOSURE_STEPS) {
    const done = await db.selectFrom('disclosure_steps').select('id').where('plan_id', '=', plan.id).where('step', '=', step).executeTakeFirst();
    if (done) continue;
    await runStep(app, plan, step);
    ran.push(step);
    hooks.afterStep?.(step);
  }
  return ran;
}

async function record({ trx, now }: ChangeContext, plan: PlanRow, step: DisclosureStep, detail: string): Promise<void> {
  // The unique (plan_id, step) constraint makes a second worker's duplicate roll back its whole step.
  await trx.insertInto('disclosure_steps').values({ plan_id: plan.id, step, done_at: now.toISOString(), detail }).execute();
  await addTimelineEvent(trx, plan.report_id, now, { id: null, label: 'disclosure' }, 'disclosure_step', { step, detail });
}

async function runStep(app: AppContext, plan: PlanRow, step: DisclosureStep): Promise<void> {
  const db = app.storage.db;
  if (step === 'open_report') {
    await change(systemScope(app), async (c) => {
      const row = await reportRowById(c.trx, plan.report_id);
      if (!row) throw new Error(`disclosure plan ${plan.id}: its report ${plan.report_id} is gone`);
      const opened = await openReportIn(c, row, { kind: 'made_public', reason: 'Scheduled disclosure.', actor: { id: null, label: 'disclosure' } });
      await record(c, plan, step, opened ? 'Report opened.' : 'Report was already public.');
    });
    return;
  }
  if (step === 'publish_advisory') {
    const advisory = await advisoryOfReport(db, plan.report_id);
    let detail = 'No approved advisory to publish.';
    if (advisory?.status === 'approved') {
      // publishAdvisory commits the publication and its announcement atomically and refuses to run twice
      // (status 'published'), so a crash before the step is recorded cannot publish or announce twice.
      await publishAdvisory(await coordinatorScope(app, plan), advisory.ref);
      detail = `Published ${advisory.ref}; announcement queued.`;
    } else if (advisory?.status === 'published') {
      detail = `${advisory.ref} was already published.`;
    }
    await change(systemScope(app), (c) => record(c, plan, step, detail));
    return;
  }
  const teamKey = await teamPublicKey(db);
  await change(systemScope(app), async (c) => {
    const r = await rebuildWholeSite(c.trx, c.now, await siteContextFor(app, teamKey, c.trx));
    await record(c, plan, step, `Public site rebuilt (${r.written} written, ${r.removed} removed).`);
  });
}

/** Publishing needs an editor: the job acts for the coordinator who scheduled the disclosure. */
async function coordinatorScope(app: AppContext, plan: PlanRow): Promise<Scope> {
  const user = plan.created_by === null ? undefined : await findUserById(app.storage.db, plan.created_by);
  if (!user) throw new Error(`disclosure plan ${plan.id}: the coordinator who scheduled it no longer exists; publish the advisory by hand`);
  return { app, requestId: null, actor: await buildUserActor(app.storage.db, app.config, user, { kind: 'session', mfaPassed: true }) };
}
