// A report's timeline: every event shown on the report, with who did it and who may see it.
// Written in the same transaction as the change (next to the audit event).
import type { Db } from '../storage/database.js';
import type { CommentVisibility } from '../storage/tables.js';
import type { Actor } from '../access/actor.js';
import { canSeeVmtOnly, hiddenTimelineKinds, type ReportAccess } from '../access/report-policy.js';

export type TimelineKind =
  | 'received'
  | 'acknowledged'
  | 'escalated'
  | 'state_changed'
  | 'class_set'
  | 'coordinator_assigned'
  | 'project_redirected'
  | 'marked_duplicate'
  | 'subscribed'
  | 'unsubscribed'
  | 'comment'
  | 'attachment'
  | 'cve_requested'
  | 'cve_assigned'
  | 'impact_drafted'
  | 'impact_approved'
  | 'impact_changes_requested'
  | 'embargo_extended'
  | 'embargo_warning'
  | 'embargo_ended_early'
  | 'disclosure_planned'
  | 'made_public'
  | 'opened_at_embargo_end'
  | 'claimed'
  | 'published_as_issue'
  | 'credit_changed'
  | 'prenotice_sent'
  | 'disclosure_step'
  | 'files_published'
  | 'advisory_published';

export function actorName(actor: Actor, fallback = 'system'): { id: number | null; label: string } {
  return actor.kind === 'user' ? { id: actor.userId, label: actor.displayName } : { id: null, label: fallback };
}

export async function addTimelineEvent(
  trx: Db,
  reportId: number,
  at: Date,
  who: { id: number | null; label: string },
  kind: TimelineKind,
  data: Record<string, unknown>,
  visibility: CommentVisibility = 'everyone',
): Promise<void> {
  await trx
    .insertInto('report_events')
    .values({ report_id: reportId, at: at.toISOString(), actor_id: who.id, actor_label: who.label, kind, visibility, data: JSON.stringify(data) })
    .execute();
}

export interface TimelineEntry {
  id: number;
  at: string;
  actor: string;
  kind: TimelineKind;
  visibility: CommentVisibility;
  data: Record<string, unknown>;
}

/** The events this access may see: the policy decides (VMT-only events, who was let in and why). */
export async function readTimeline(db: Db, reportId: number, access: ReportAccess): Promise<TimelineEntry[]> {
  let q = db.selectFrom('report_events').selectAll().where('report_id', '=', reportId).orderBy('id');
  if (!canSeeVmtOnly(access)) q = q.where('visibility', '=', 'everyone');
  const hidden = hiddenTimelineKinds(access);
  if (hidden.length) q = q.where('kind', 'not in', hidden);
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor_label, kind: r.kind as TimelineKind, visibility: r.visibility, data: JSON.parse(r.data) as Record<string, unknown> }));
}

/** One line of text for a timeline entry (the UI and mail use the same words). */
export function describeEvent(e: TimelineEntry): string {
  const d = e.data;
  const s = (k: string) => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : '');
  // Moments are stored as ISO text; people read "2026-11-11 15:00 UTC".
  const when = (k: string) => s(k).replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z$/, '$1 $2 UTC');
  switch (e.kind) {
    case 'received':
      return `Report received (${s('source')}).`;
    case 'acknowledged':
      return 'Acknowledged by the vulnerability management team.';
    case 'escalated':
      return 'Not acknowledged in time: escalated to the other VMT members and the project liaison.';
    case 'state_changed':
      return `State changed from ${s('from')} to ${s('to')}${s('reason') ? `: ${s('reason')}` : '.'}`;
    case 'class_set':
      return `Classified ${s('class')} (${s('outcome')}).`;
    case 'coordinator_assigned':
      return `${s('coordinator')} is the coordinator.`;
    case 'project_redirected':
      return `Moved from ${s('from')} to ${s('to')}.`;
    case 'marked_duplicate':
      return `Marked as a duplicate of ${s('of')}.`;
    case 'subscribed':
      return `Disclosure widened: ${s('user')} subscribed as ${s('level')}${d.read_only ? ' (read-only)' : ''}. Reason: ${s('reason')}`;
    case 'unsubscribed':
      return `${s('user')} unsubscribed.`;
    case 'comment':
      return 'Comment added.';
    case 'attachment':
      return `Attachment ${s('filename')} added.`;
    case 'cve_requested':
      return 'CVE requested.';
    case 'cve_assigned':
      return `${s('cve')} assigned.`;
    case 'impact_drafted':
      return 'Impact description drafted.';
    case 'impact_approved':
      return `Impact description approved by the ${s('role') === 'lead' ? 'project lead' : s('role')}${s('version') ? ` (version ${s('version')})` : ''}.`;
    case 'impact_changes_requested':
      return `The ${s('role') === 'lead' ? 'project lead' : s('role')} asked for changes to the impact description.`;
    case 'embargo_extended':
      return `Embargo extended to ${when('end')}. Reason: ${s('reason')}`;
    case 'embargo_warning':
      return `Embargo ends in ${s('days')} day(s).`;
    case 'embargo_ended_early':
      return `Embargo ended early. Reason: ${s('reason')}`;
    case 'disclosure_planned':
      if (d.cancelled) return `Scheduled disclosure cancelled. Reason: ${s('reason')}`;
      if (s('moved_from')) return `Disclosure moved from ${when('moved_from')} to ${when('at')}${d.notified === false ? '' : '; the stakeholders were told'}.${s('reason') ? ` Reason: ${s('reason')}` : ''}`;
      return s('at') ? `Disclosure planned for ${when('at')}.` : 'Planned disclosure cleared.';
    case 'made_public':
      return `Report made public${s('reason') ? `: ${s('reason')}` : '.'}`;
    case 'opened_at_embargo_end':
      return 'The embargo ended: the report was opened automatically.';
    case 'claimed':
      return 'The reporter linked the report to their account.';
    case 'published_as_issue':
      return 'A scrubbed public version was published.';
    case 'credit_changed':
      return 'The reporter changed their credit preference.';
    case 'prenotice_sent':
      return `Pre-notice sent to ${s('recipients')} stakeholder recipient(s); disclosure planned for ${when('at')}.`;
    case 'advisory_published':
      return `Advisory ${s('advisory')} published (revision ${s('revision')})${s('reason') ? `. Reason: ${s('reason')}` : '.'}`;
    case 'files_published':
      return `Published with the report: ${s('files')}.`;
    case 'disclosure_step':
      return `Disclosure step “${s('step').replace('_', ' ')}” done. ${s('detail')}`;
  }
}
