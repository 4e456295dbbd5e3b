// What the coordinator is doing now with a report (issue 15 item 7): the report page opens that group of
// actions and folds the others, so a new report shows triage, not "Make public" beside "Acknowledge".
import { daysLeft } from '../calendar/calendar.js';
import type { ReportRow } from '../storage/tables.js';

export type ActionGroup = 'triage' | 'access' | 'embargo' | 'disclosure';

export const actionGroups: readonly ActionGroup[] = ['triage', 'access', 'embargo', 'disclosure'];

/** Within this many days of the hard end, the embargo itself is what needs attention (DESIGN.md §2). */
export const EMBARGO_ATTENTION_DAYS = 14;

const TRIAGE_STATES: ReadonlySet<ReportRow['state']> = new Set(['new', 'incomplete', 'confirmed']);
const CLOSED_STATES: ReadonlySet<ReportRow['state']> = new Set(['invalid', 'wont_fix', 'fix_released']);

type FocusRow = Pick<ReportRow, 'state' | 'class' | 'acknowledged_at' | 'visibility' | 'embargo_end_at' | 'planned_disclosure_at'>;

/**
 * The group that matches the report's state, or null when nothing is left to do (a closed report):
 * triage until acknowledged, classified and past confirmation; then access (bring in the project's
 * security team for the fix); the embargo when its end is near and no disclosure is planned; and the
 * disclosure once one is planned, a fix is committed or the report is public.
 */
export function currentGroup(row: FocusRow, now: Date, hasDisclosurePlan: boolean): ActionGroup | null {
  if (CLOSED_STATES.has(row.state)) return null;
  if (!row.acknowledged_at || !row.class || TRIAGE_STATES.has(row.state)) return 'triage';
  if (row.visibility === 'public' || row.planned_disclosure_at || hasDisclosurePlan || row.state === 'fix_committed') return 'disclosure';
  if (daysLeft(now, row.embargo_end_at) < EMBARGO_ATTENTION_DAYS) return 'embargo';
  return 'access';
}

/** The groups in the order the page shows them: the current one first, the others in their usual order. */
export function groupOrder(current: ActionGroup | null): ActionGroup[] {
  return current ? [current, ...actionGroups.filter((g) => g !== current)] : [...actionGroups];
}
