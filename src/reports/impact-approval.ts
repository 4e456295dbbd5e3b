// Where each approval of a report's impact description stands, who may give it and why this viewer can or
// cannot (issue 15 item 5), and the approver's other answer: "request changes" with a comment. The policy
// (access/report-policy.ts `impactApprover`) decides; this module only words it and writes the change.
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { canWriteWith, impactApprover, IMPACT_APPROVER_ROLES, type ApproverVerdict, type ImpactApproverRole, type ReportAccessContext } from '../access/report-policy.js';
import { reportForActor, type ReportForActor } from './load-for-actor.js';
import { approverRole, textHash, textVersion, type ImpactFieldsInput } from './cve-impact.js';
import { checkedCommentBody, writeComment } from './collaboration.js';
import { notifyReport } from './notify.js';
import { actorName, addTimelineEvent } from './timeline.js';

export const IMPACT_ROLE_LABELS: Record<ImpactApproverRole, string> = { reporter: 'The reporter', lead: 'The project lead' };

export interface ImpactApprovalLine {
  role: ImpactApproverRole;
  label: string;
  /** `stale`: given for an earlier text, so it no longer counts. */
  state: 'approved' | 'stale' | 'missing';
  at: string | null;
  /** The version of the text the approval was given for. */
  version: string | null;
  /** Who may give it, in plain words. */
  whoCan: string;
  viewer: ApproverVerdict;
}

export interface ImpactPanel {
  text: string;
  /** `textVersion` of the current text ('' without one). */
  version: string;
  lines: ImpactApprovalLine[];
}

/** The approval role a form names (`role`), or undefined; an unknown value is refused by the command with a field error. */
export function impactRoleOf(form: Record<string, string | string[] | undefined>): ImpactApproverRole | undefined {
  const raw = form.role;
  const role = Array.isArray(raw) ? raw[0] : raw;
  return role ? (role as ImpactApproverRole) : undefined;
}

export function whoCanApprove(role: ImpactApproverRole, projects: readonly string[]): string {
  if (role === 'reporter') return 'The person who filed the report, from their private link or their account.';
  const names = projects.length ? projects.join(' or ') : 'an affected project';
  return `A lead of ${names} who works on this report (a VMT member who leads it counts too).`;
}

/** The approvals of the current text, each with who may give it and whether this viewer may. */
export async function impactPanel(db: Db, scope: Scope, report: ReportForActor, context: ReportAccessContext = {}): Promise<ImpactPanel> {
  const text = report.row.impact_text;
  const rows = await db.selectFrom('report_approvals').select(['role', 'text_hash', 'approved_at']).where('report_id', '=', report.row.id).where('subject', '=', 'impact').execute();
  const current = text ? textHash(text) : '';
  const lines = IMPACT_APPROVER_ROLES.map((role): ImpactApprovalLine => {
    const row = rows.find((r) => r.role === role);
    const state = !row ? 'missing' : row.text_hash === current ? 'approved' : 'stale';
    return {
      role,
      label: IMPACT_ROLE_LABELS[role],
      state,
      at: row?.approved_at ?? null,
      version: row ? row.text_hash.slice(0, 12) : null,
      whoCan: whoCanApprove(role, report.projects.map((p) => p.name)),
      viewer: impactApprover(scope.actor, report.facts, report.access, role, context),
    };
  });
  return { text, version: text ? textVersion(text) : '', lines };
}

/** The parts the impact text was drafted from, for the editor to show again ({} when there are none). */
export function storedImpactFields(json: string): Partial<ImpactFieldsInput> {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

/**
 * An approver asks for changes instead of approving: a comment everyone on the report reads (the reporter
 * included), and their earlier approval of this role is withdrawn, all in one transaction.
 */
export async function requestImpactChanges(scope: Scope, ref: string, input: { comment: string; role?: ImpactApproverRole }, context: ReportAccessContext = {}): Promise<ImpactApproverRole> {
  const report = await reportForActor(scope, ref, context);
  if (!canWriteWith(scope.actor)) throw errors.forbiddenAction('This API token may only read.');
  const role = approverRole(scope, report, context, input.role);
  if (!report.row.impact_text) throw errors.conflict('There is no impact description yet.');
  const comment = checkedCommentBody(input.comment, 'comment');
  const who = scope.actor.kind === 'user' && !context.reporterLink ? actorName(scope.actor) : { id: null, label: 'reporter' };
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const id = await writeComment(trx, now, report, who, `Changes requested to the impact description (version ${textVersion(report.row.impact_text)}):\n\n${comment}`, 'everyone');
    await trx.deleteFrom('report_approvals').where('report_id', '=', report.row.id).where('subject', '=', 'impact').where('role', '=', role).execute();
    await addTimelineEvent(trx, report.row.id, now, who, 'impact_changes_requested', { role, comment_id: id });
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'Changes to the impact description were requested.', visibility: 'everyone', reporter: role !== 'reporter', exceptUserId: who.id });
    await audit('report.impact_changes_requested', 'report', report.row.id, undefined, { role, comment_id: id });
    return role;
  });
}
