// What the report page shows, gathered by the route before rendering (kept apart from the page components
// so the page and its action panels can both name it without importing each other).
import type { ReportForActor } from './load-for-actor.js';
import type { TimelineEntry } from './timeline.js';
import type { CommentView, presentSubscriptions } from './present.js';
import type { DisclosureSummary } from '../disclosure/plans.js';
import type { MailProblem } from '../mail/failed-mail.js';
import type { ImpactPanel } from './impact-approval.js';

export interface ReportPageData {
  report: ReportForActor;
  timeline: TimelineEntry[];
  comments: CommentView[];
  attachments: { id: number; filename: string; size: number; sha256: string; visibility: string; uploaded_label: string; created_at: string; published_at: string | null }[];
  /** Who takes part, as this viewer may see it (presentSubscriptions). */
  subscriptions: ReturnType<typeof presentSubscriptions>;
  approvals: { reporter: boolean; lead: boolean };
  /** The impact approvals with who may give each and whether this viewer may (issue 15 item 5). */
  impact: ImpactPanel;
  coordinatorName: string | null;
  /** The disclosure plan with its pre-notice recipients: VMT only, null otherwise or when none. */
  disclosure: DisclosureSummary | null;
  /** Mail about this report that failed for good (src/mail/failed-mail.ts): VMT only, null otherwise. */
  mailProblems?: MailProblem[] | null;
  now: Date;
  viewerZone: string;
}
