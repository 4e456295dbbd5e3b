// What the report page shows, gathered by the route before rendering (kept apart from the page components
// so the page and its action panels can both name it without importing each other).
import type { ReportForActor } from './load-for-actor.js';
import type { TimelineEntry } from './timeline.js';
import type { CommentView, presentSubscriptions } from './present.js';
import type { DisclosurePlanState } from '../disclosure/tables.js';
import type { Db } from '../storage/database.js';
import type { SafeHtml } from '../web/jsx.js';
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
  /** The disclosure plan with its card: VMT only, null otherwise or when none. */
  disclosure: ReportDisclosure | null;
  /** Mail about this report that failed for good (src/mail/failed-mail.ts): VMT only, null otherwise. */
  mailProblems?: MailProblem[] | null;
  now: Date;
  viewerZone: string;
}

/**
 * The report's disclosure plan as the report page uses it: its state and hour for the action panels, and
 * its card. The disclosure domain, above reports in the domain order, loads and draws it
 * (disclosure/summary.tsx `reportDisclosure`); the composition hands the loader to the report routes
 * (http/routes-index.ts), so reports imports nothing from above (ARCHITECTURE.md).
 */
export interface ReportDisclosure {
  state: DisclosurePlanState;
  discloseAt: string;
  /** The disclosure card on the report page (VMT only). */
  card: (reportRef: string, now: Date) => SafeHtml;
}

/** A report's disclosure plan, or null when no pre-notice was ever sent. Callers check VMT access first. */
export type LoadReportDisclosure = (db: Db, reportId: number) => Promise<ReportDisclosure | null>;
