// What of an audit event a viewer may see: who was let into a report, and why, is the VMT's alone.
import type { Actor } from '../access/actor.js';
import { canSeeAuditDetails } from '../access/policy.js';
import type { listAuditEvents } from './audit.js';

export type AuditEventRow = Awaited<ReturnType<typeof listAuditEvents>>[number];

/** Drops before/after the viewer may not see. */
export function withDetailsFor(viewer: Actor): (e: AuditEventRow) => AuditEventRow & { redacted: boolean } {
  return (e) => (canSeeAuditDetails(viewer, e.action) ? { ...e, redacted: false } : { ...e, before_json: null, after_json: null, redacted: true });
}
