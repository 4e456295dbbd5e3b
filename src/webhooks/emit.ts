// Events are raised where every change is recorded: the audit write of the change's own transaction
// (src/context.ts hands each audit write to the listeners composition registered). A delivery row and its
// job are written in that same transaction, so an event is queued exactly once, and only if its change
// commits; no lower domain knows webhooks exist.
import type { AuditEvent, ChangeContext } from '../context.js';
import { loadAdvisory } from '../advisories/store.js';
import { loadNote } from '../notes/store.js';
import { reportRowById } from '../reports/store-reads.js';
import { projectsOfReports } from '../reports/store.js';
import { EVENT_OF_AUDIT_ACTION, isPublicEvent, isWebhookEvent, type SubjectKind, type WebhookEvent } from './events.js';
import { activeEndpoints, insertDeliveries } from './store.js';
import type { WebhookEndpointRow } from './tables.js';

export const DELIVER_JOB = 'webhook.deliver';
/** 1 + 7 retries with the queue's backoff (5 s, 10 s, … 320 s): about ten minutes in all. */
export const DELIVERY_ATTEMPTS = 8;

/** The events an endpoint takes (stored as a JSON list; a name this version does not know is left out). */
export function endpointEvents(row: Pick<WebhookEndpointRow, 'events_json'>): WebhookEvent[] {
  const stored: unknown = JSON.parse(row.events_json);
  return Array.isArray(stored) ? stored.filter((e): e is WebhookEvent => typeof e === 'string' && isWebhookEvent(e)) : [];
}

/**
 * Whether an endpoint receives an event. Private events (a report's life under embargo) reach only
 * instance-wide endpoints, which admins register; a project's endpoint gets its project's public events.
 */
export function receives(endpoint: Pick<WebhookEndpointRow, 'events_json' | 'project_id'>, event: WebhookEvent, projectIds: readonly number[]): boolean {
  if (!endpointEvents(endpoint).includes(event)) return false;
  if (endpoint.project_id === null) return true;
  return isPublicEvent(event) && projectIds.includes(endpoint.project_id);
}

async function subjectOf(trx: ChangeContext['trx'], kind: SubjectKind, e: AuditEvent): Promise<string | null> {
  if (kind === 'advisory') return e.targetId === null ? null : String(e.targetId);
  if (kind === 'note') {
    const publicId = (e.after as { public_id?: unknown } | undefined)?.public_id;
    if (typeof publicId === 'string') return publicId;
    const note = await loadNote(trx, { id: Number(e.targetId) });
    return note?.row.public_id ?? null;
  }
  const row = await reportRowById(trx, Number(e.targetId));
  return row?.ref ?? null;
}

async function projectsOf(trx: ChangeContext['trx'], kind: SubjectKind, e: AuditEvent): Promise<number[]> {
  let reportId: number | null = null;
  if (kind === 'report') reportId = Number(e.targetId);
  else if (kind === 'advisory') reportId = (await loadAdvisory(trx, String(e.targetId)))?.row.report_id ?? null;
  else return ((await loadNote(trx, { id: Number(e.targetId) }))?.projects ?? []).map((p) => p.id);
  if (reportId === null) return [];
  return (await projectsOfReports(trx, [reportId])).get(reportId)?.map((p) => p.id) ?? [];
}

/** The audit listener (registered in composition): queue a delivery per matching endpoint and event. */
export async function queueWebhookDeliveries(change: ChangeContext, events: readonly AuditEvent[]): Promise<void> {
  const raised = events.flatMap((e) => {
    const mapped = EVENT_OF_AUDIT_ACTION[e.action];
    return mapped ? [{ ...mapped, audit: e }] : [];
  });
  if (!raised.length) return;
  const endpoints = await activeEndpoints(change.trx);
  if (!endpoints.length) return;
  const rows: { endpointId: number; event: string; subject: string }[] = [];
  for (const r of raised) {
    const interested = endpoints.filter((ep) => endpointEvents(ep).includes(r.event));
    if (!interested.length) continue;
    const subject = await subjectOf(change.trx, r.kind, r.audit);
    if (subject === null) continue;
    // Projects matter only to project endpoints, and only for public events.
    const projectIds = isPublicEvent(r.event) && interested.some((ep) => ep.project_id !== null) ? await projectsOf(change.trx, r.kind, r.audit) : [];
    for (const ep of interested) if (receives(ep, r.event, projectIds)) rows.push({ endpointId: ep.id, event: r.event, subject });
  }
  const ids = await insertDeliveries(change.trx, rows, change.now.toISOString());
  for (const id of ids) await change.enqueue(DELIVER_JOB, { delivery_id: id }, { maxAttempts: DELIVERY_ATTEMPTS });
}
