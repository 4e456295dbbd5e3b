// The events a webhook can carry, and which audit actions raise them. Public events carry the public
// record; private ones (a report under embargo) carry only the report's ref and a link, and reach only
// instance-wide endpoints, which an admin registered (issue 19: a webhook never carries private content).

export type WebhookEvent =
  | 'advisory.published'
  | 'advisory.revised'
  | 'note.published'
  | 'report.published'
  | 'report.received'
  | 'report.acknowledged'
  | 'report.state_changed'
  | 'report.embargo_changed';

export const PUBLIC_EVENTS: readonly WebhookEvent[] = ['advisory.published', 'advisory.revised', 'note.published', 'report.published'];
export const PRIVATE_EVENTS: readonly WebhookEvent[] = ['report.received', 'report.acknowledged', 'report.state_changed', 'report.embargo_changed'];
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = [...PUBLIC_EVENTS, ...PRIVATE_EVENTS];

export const EVENT_LABELS: Record<WebhookEvent, string> = {
  'advisory.published': 'An advisory is published',
  'advisory.revised': 'A published advisory is revised (erratum)',
  'note.published': 'A security note is published',
  'report.published': 'A report is made public',
  'report.received': 'A report is received (ref and link only)',
  'report.acknowledged': 'A report is acknowledged (ref and link only)',
  'report.state_changed': 'A report changes state (ref and link only)',
  'report.embargo_changed': 'A report’s embargo date changes (ref and link only)',
};

export function isPublicEvent(event: string): boolean {
  return (PUBLIC_EVENTS as readonly string[]).includes(event);
}

export function isWebhookEvent(event: string): event is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(event);
}

/** What an audit target is, for the event's subject: the three kinds of record events are about. */
export type SubjectKind = 'advisory' | 'note' | 'report';

/** Audit action → the webhook event it raises (src/context.ts hands every audit write to the listener). */
export const EVENT_OF_AUDIT_ACTION: Readonly<Record<string, { event: WebhookEvent; kind: SubjectKind }>> = {
  'advisory.published': { event: 'advisory.published', kind: 'advisory' },
  'advisory.republished': { event: 'advisory.revised', kind: 'advisory' },
  'note.published': { event: 'note.published', kind: 'note' },
  'report.made_public': { event: 'report.published', kind: 'report' },
  'report.opened_at_embargo_end': { event: 'report.published', kind: 'report' },
  'embargo.ended_early': { event: 'report.published', kind: 'report' },
  'report.received': { event: 'report.received', kind: 'report' },
  'report.acknowledged': { event: 'report.acknowledged', kind: 'report' },
  'report.state_changed': { event: 'report.state_changed', kind: 'report' },
  'embargo.extended': { event: 'report.embargo_changed', kind: 'report' },
};
