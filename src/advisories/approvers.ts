// Who may give each approval an advisory still needs, and whether the viewer may (issue 15 item 5). The rules:
// the impact description is approved by the reporter and by a lead of the project (role rules: whoever holds
// the role, each role a person holds counts, a VMT member who leads the project included); the revision is
// approved by a second VMT member who wrote none of it (a four-eyes rule: it needs someone other than the author).
import { impactApprover, type ApproverVerdict, type ImpactApproverRole } from '../access/report-policy.js';
import type { Scope } from '../context.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { textVersion } from '../reports/cve-impact.js';
import { whoCanApprove } from '../reports/impact-approval.js';
import type { LoadedAdvisory } from './store.js';
import type { Readiness, ReadinessKey } from './publish.js';

export interface Approver {
  whoCan: string;
  viewer: ApproverVerdict;
  /** The viewer may give this impact approval here, on the report's current text (this version). */
  impactRole?: ImpactApproverRole;
  version?: string;
}

export type Approvers = Partial<Record<ReadinessKey, Approver>>;

export async function approversFor(scope: Scope, loaded: LoadedAdvisory, readiness: Readiness, authors: ReadonlySet<number>): Promise<Approvers> {
  const out: Approvers = {};
  const userId = scope.actor.kind === 'user' ? scope.actor.userId : null;
  const revision = loaded.row.current_revision;
  out.advisory_approval = {
    whoCan: 'A VMT member who wrote none of the changes since the last publication: a second person checks what is published.',
    viewer:
      userId !== null && authors.has(userId)
        ? { may: false, why: `This needs someone other than you, because you wrote part of revision ${revision}: a second VMT member checks what the author wrote.` }
        : { may: true, why: 'You are in the VMT and wrote none of these changes.' },
  };
  if (readiness.report) {
    const report = await reportForActor(scope, readiness.report.ref);
    for (const role of ['reporter', 'lead'] as const) {
      const viewer = impactApprover(scope.actor, report.facts, report.access, role);
      out[role === 'reporter' ? 'impact_reporter' : 'impact_lead'] = {
        whoCan: `${whoCanApprove(role, report.projects.map((p) => p.name))} They approve on report ${report.row.ref}${role === 'reporter' ? ' (the private link shows the text and an Approve button)' : ''}.`,
        viewer,
        ...(viewer.may && report.row.impact_text ? { impactRole: role, version: textVersion(report.row.impact_text) } : {}),
      };
    }
  } else {
    const viewer = { may: true, why: 'You are in the VMT: record how and when they approved (below).' };
    out.impact_reporter = { whoCan: 'The reporter; this advisory has no report, so a VMT member records their approval.', viewer };
    out.impact_lead = { whoCan: 'A lead of the project; this advisory has no report, so a VMT member records their approval.', viewer };
  }
  return out;
}
