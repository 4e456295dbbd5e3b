// Reading disclosure plans (the disclosure domain owns disclosure_plans, prenotice_recipients and
// disclosure_steps: sql-placement.test.ts): a report's plan with its recipients and steps, whether one is
// scheduled, and the VMT's list of upcoming disclosure hours.
import type { Db } from '../storage/database.js';
import { recipientsOfPlan, type RecipientView } from './recipients.js';
import type { DisclosurePlanState, DisclosureStep } from './tables.js';

export interface DisclosureSummary {
  planId: number;
  state: DisclosurePlanState;
  discloseAt: string;
  recipients: RecipientView[];
  steps: { step: DisclosureStep; doneAt: string; detail: string }[];
}

/** The report's disclosure plan, or null when no pre-notice was ever sent. Callers check VMT access first. */
export async function loadDisclosureSummary(db: Db, reportId: number): Promise<DisclosureSummary | null> {
  const plan = await db.selectFrom('disclosure_plans').selectAll().where('report_id', '=', reportId).executeTakeFirst();
  if (!plan) return null;
  const [recipients, steps] = await Promise.all([
    recipientsOfPlan(db, plan.id),
    db.selectFrom('disclosure_steps').select(['step', 'done_at', 'detail']).where('plan_id', '=', plan.id).orderBy('id').execute(),
  ]);
  return { planId: plan.id, state: plan.state, discloseAt: plan.disclose_at, recipients, steps: steps.map((s) => ({ step: s.step, doneAt: s.done_at, detail: s.detail })) };
}

/** Whether the report has a disclosure scheduled (a pre-notice went out and the hour has not run). */
export async function hasScheduledDisclosure(db: Db, reportId: number): Promise<boolean> {
  const plan = await db.selectFrom('disclosure_plans').select('state').where('report_id', '=', reportId).executeTakeFirst();
  return plan?.state === 'scheduled';
}

export interface UpcomingDisclosure {
  ref: string;
  title: string;
  discloseAt: string;
  recipients: number;
  acknowledged: number;
}

/** Every scheduled disclosure hour, soonest first, with how many recipients acknowledged (VMT dashboard). */
export async function upcomingDisclosures(db: Db): Promise<UpcomingDisclosure[]> {
  const rows = await db
    .selectFrom('disclosure_plans')
    .innerJoin('reports', 'reports.id', 'disclosure_plans.report_id')
    .select(['reports.ref', 'reports.title', 'disclosure_plans.disclose_at', 'disclosure_plans.id'])
    .where('disclosure_plans.state', '=', 'scheduled')
    .orderBy('disclosure_plans.disclose_at')
    .execute();
  const planIds = rows.map((r) => r.id);
  const recipients = planIds.length ? await db.selectFrom('prenotice_recipients').select(['plan_id', 'state']).where('plan_id', 'in', planIds).execute() : [];
  return rows.map((r) => {
    const mine = recipients.filter((x) => x.plan_id === r.id);
    return { ref: r.ref, title: r.title, discloseAt: r.disclose_at, recipients: mine.length, acknowledged: mine.filter((x) => x.state === 'acknowledged').length };
  });
}
