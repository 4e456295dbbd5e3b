// The one access policy (DESIGN.md §4, §5). Every handler asks here before reading or changing anything
// that is not public; handlers never decide visibility themselves. A `false` for a read means the object
// is answered with 404 (never 403), so existence is not confirmed.
import { errors } from '../errors/catalogue.js';
import { hasProjectRole, hasRole, tokenAllows, type Actor, type ApiScope } from './actor.js';

export type Permission =
  // Instance administration: people, projects, keys, settings. Admin is not VMT (DESIGN.md §1).
  | 'admin.read'
  | 'admin.write'
  | 'audit.read'
  | 'jobs.read'
  | 'jobs.write'
  | 'stakeholders.read'
  | 'stakeholders.write'
  // The VMT's triage queue and the VMT-only facts of report lists (class, coordinator, deadlines).
  | 'reports.triage'
  // Drafting, approving and publishing security advisories (VMT only, DESIGN.md §2).
  | 'advisories.edit'
  // The incoming-mail quarantine and outgoing deliveries (headers and reasons, never bodies).
  | 'mail.admin'
  | 'account.self'
  // The team key page: admins manage it, the VMT may look (its public part is published anyway).
  | 'keys.read'
  // Sending a dead mail job again from the page that shows it (report, disclosure, stakeholder).
  | 'mail.retry';

/** The API-token scope an action needs; session users are not limited by scopes. */
const scopeFor: Record<Permission, ApiScope> = {
  'admin.read': 'admin',
  'admin.write': 'admin',
  'audit.read': 'admin',
  'jobs.read': 'admin',
  'jobs.write': 'admin',
  'stakeholders.read': 'read',
  'stakeholders.write': 'write',
  'reports.triage': 'read',
  'advisories.edit': 'write',
  'mail.admin': 'admin',
  'account.self': 'read',
  'keys.read': 'read',
  'mail.retry': 'write',
};

export function can(actor: Actor, permission: Permission): boolean {
  if (actor.kind !== 'user' || !tokenAllows(actor, scopeFor[permission])) return false;
  switch (permission) {
    case 'admin.read':
    case 'admin.write':
    case 'audit.read':
    case 'jobs.read':
    case 'jobs.write':
    case 'mail.admin':
      return hasRole(actor, 'admin');
    case 'stakeholders.read':
    case 'stakeholders.write':
      // The stakeholder registry is run by the VMT; admins manage it too.
      return hasRole(actor, 'admin') || hasRole(actor, 'vmt');
    case 'reports.triage':
      // VMT only: an admin is not a VMT member by virtue of being admin (DESIGN.md §1). Agrees with
      // reportAccess, which gives 'vmt' access to exactly these actors (checked by report-policy.test.ts).
      return hasRole(actor, 'vmt');
    case 'advisories.edit':
      // VMT only, like the triage queue: unpublished advisories may describe embargoed reports.
      return hasRole(actor, 'vmt');
    case 'account.self':
      return true;
    case 'keys.read':
    case 'mail.retry':
      // Which mails an actor may retry is decided per mail (src/mail/failed-mail.ts: its report's access).
      return hasRole(actor, 'admin') || hasRole(actor, 'vmt');
  }
}

/**
 * Audit actions whose details name who was let into a report and why (subscriptions, pre-notice recipients).
 * They are the VMT's business only (DESIGN.md §5): an admin who is not VMT sees that the event happened, not
 * its before/after.
 */
const EXTENT_AUDIT_ACTIONS: ReadonlySet<string> = new Set(['report.disclosure_widened', 'report.disclosure_narrowed', 'disclosure.prenotice_sent']);

export function canSeeAuditDetails(actor: Actor, action: string): boolean {
  return !EXTENT_AUDIT_ACTIONS.has(action) || hasRole(actor, 'vmt');
}

/** Throw the 404 a hidden object answers with unless the actor may act. */
export function requireOrNotFound(actor: Actor, permission: Permission, what = 'page'): void {
  if (!can(actor, permission)) throw errors.notFound(what);
}

/** Signed-in users only; anonymous callers are sent to sign in (this reveals nothing: the route is public knowledge). */
export function requireUser(actor: Actor): asserts actor is Extract<Actor, { kind: 'user' }> {
  if (actor.kind !== 'user') throw errors.unauthenticated();
}

/**
 * Who enters a project's publication settings (vendor, products, packages): admins, the VMT, who
 * publish, and the project's lead, who knows where the project ships (issue 15).
 */
export function canEditProjectPublication(actor: Actor, projectId: number): boolean {
  if (actor.kind !== 'user') return false;
  // An API token needs a write scope; sessions are limited by their roles alone.
  if (!tokenAllows(actor, 'write')) return false;
  return hasRole(actor, 'admin') || hasRole(actor, 'vmt') || (actor.kind === 'user' && (actor.projectRoles.get(projectId)?.has('lead') ?? false));
}

/**
 * Who registers webhooks for a project's public events (issue 19): admins, who also register the
 * instance-wide endpoints, and the project's lead (an API token needs the write scope). Asked by the
 * webhooks area and by the project page that links there.
 */
export function canManageProjectWebhooks(actor: Actor, projectId: number): boolean {
  return can(actor, 'admin.write') || (tokenAllows(actor, 'write') && hasProjectRole(actor, projectId, 'lead'));
}

/**
 * Who sees a project's test recipe for private CI (issue 20): admins, the VMT and the project's lead, who
 * set it. Not secret, but internal (how and where the project's tests run), so not on the public page.
 */
export function canSeeTestRecipe(actor: Actor, projectId: number): boolean {
  if (actor.kind !== 'user') return false;
  return hasRole(actor, 'admin') || hasRole(actor, 'vmt') || (actor.projectRoles.get(projectId)?.has('lead') ?? false);
}
