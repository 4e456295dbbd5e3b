// What each audience sees of a report (DESIGN.md §4: presenters shape what each audience sees).
import { canSeeDisclosureExtent, canSeeVmtOnly, visibleSubscriptions, type ReportAccess } from '../access/report-policy.js';
import type { Actor } from '../access/actor.js';
import type { ReportForActor } from './load-for-actor.js';
import type { TimelineEntry } from './timeline.js';
import { describeEvent } from './timeline.js';
import { formatTitleWithCves } from '../identifiers/impact.js';

export function displayTitle(report: Pick<ReportForActor, 'row' | 'cves'>): string {
  return report.cves.length ? formatTitleWithCves(report.row.title, report.cves) : report.row.title;
}

export interface CommentView {
  id: number;
  author: string;
  body: string;
  /** The stored rendering of `body` (migration 0022), for the page only. */
  bodyHtml: string | null;
  visibility: 'everyone' | 'vmt';
  created_at: string;
}

/**
 * Who takes part, as this viewer may see it: the VMT the whole list with reasons; anyone else at most their
 * own subscription, without the VMT's reason (DESIGN.md §5, issue 13 item 5).
 */
export function presentSubscriptions(report: ReportForActor, actor: Actor) {
  const extent = canSeeDisclosureExtent(report.access);
  return visibleSubscriptions(report.access, actor, report.subscriptions).map((s) => ({
    id: s.id,
    username: s.username,
    displayName: s.displayName,
    level: s.level,
    readOnly: s.readOnly,
    addedAt: s.addedAt,
    ...(extent ? { reason: s.reason } : {}),
  }));
}

export function presentReport(report: ReportForActor, actor: Actor, timeline: TimelineEntry[], comments: CommentView[], attachments: { id: number; filename: string; size: number; sha256: string; visibility: string; created_at: string; published_at: string | null }[]) {
  const r = report.row;
  const team = canSeeVmtOnly(report.access);
  return {
    ref: r.ref,
    title: displayTitle(report),
    description: r.description,
    projects: report.projects.map((p) => p.slug),
    visibility: r.visibility,
    state: r.state,
    ...(team ? { class: r.class, reporter_email: r.reporter_email, coordinator_id: r.coordinator_id, escalated_at: r.escalated_at, ack_deadline_at: r.ack_deadline_at } : {}),
    affected_versions: r.affected_versions,
    reproduction: r.reproduction,
    already_public: r.already_public === 1,
    exploited: r.exploited === 1,
    disclosure_terms: r.disclosure_terms,
    credit: r.credit_wanted ? { name: r.credit_name, affiliation: r.credit_affiliation } : null,
    received_at: r.received_at,
    acknowledged_at: r.acknowledged_at,
    embargo_end_at: r.visibility === 'private' ? r.embargo_end_at : null,
    planned_disclosure_at: r.planned_disclosure_at,
    public_at: r.public_at,
    cves: report.cves,
    impact: r.impact_text,
    subscriptions: presentSubscriptions(report, actor).map((s) => ({ username: s.username, level: s.level, read_only: s.readOnly, ...('reason' in s ? { reason: s.reason } : {}), added_at: s.addedAt })),
    comments: comments.map((c) => ({ id: c.id, author: c.author, body: c.body, visibility: c.visibility, created_at: c.created_at })),
    attachments: attachments.map((a) => ({ id: a.id, filename: a.filename, size: a.size, sha256: a.sha256, visibility: a.visibility, created_at: a.created_at, ...(team ? { published: a.published_at !== null } : {}) })),
    timeline: timeline.map((e) => ({ at: e.at, actor: e.actor, kind: e.kind, visibility: e.visibility, text: describeEvent(e) })),
    your_access: report.access satisfies ReportAccess,
  };
}
