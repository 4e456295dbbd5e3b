// Who is asking. Built on every request; roles and memberships come from a cache emptied by every change to them (load-actor.ts).
import type { InstanceRole, ProjectRole } from '../storage/tables.js';

export type ApiScope = 'read' | 'write' | 'admin';
export const apiScopes: readonly ApiScope[] = ['read', 'write', 'admin'];

export interface AnonymousActor {
  kind: 'anonymous';
}

export interface UserActor {
  kind: 'user';
  userId: number;
  username: string;
  displayName: string;
  email: string;
  timeZone: string;
  /** Roles the account holds. */
  heldRoles: ReadonlySet<InstanceRole>;
  /**
   * Roles in force for this request: held roles that need a second factor only count once the
   * session passed TOTP (DESIGN.md §5). Policy decisions use these, never heldRoles.
   */
  roles: ReadonlySet<InstanceRole>;
  /** Project id → roles on that project. */
  projectRoles: ReadonlyMap<number, ReadonlySet<ProjectRole>>;
  via: 'session' | 'token';
  /** For API tokens: what the token may do. Sessions may do everything the roles allow. */
  scopes: ReadonlySet<ApiScope> | null;
  mfaEnrolled: boolean;
  mfaPassed: boolean;
  /** Held roles that are dormant until the user enrols/passes TOTP. */
  mfaPendingRoles: ReadonlySet<InstanceRole>;
}

export type Actor = AnonymousActor | UserActor;

export const anonymous: AnonymousActor = { kind: 'anonymous' };

export function isUser(actor: Actor): actor is UserActor {
  return actor.kind === 'user';
}

export function hasRole(actor: Actor, role: InstanceRole): boolean {
  return actor.kind === 'user' && actor.roles.has(role);
}

export function hasProjectRole(actor: Actor, projectId: number, role: ProjectRole): boolean {
  return actor.kind === 'user' && (actor.projectRoles.get(projectId)?.has(role) ?? false);
}

/**
 * The one API-token scope check: does the token allow an action needing `needed`? Sessions (and the
 * anonymous) are not limited by scopes, only by roles. `admin` covers everything and `write` covers
 * `read` (DESIGN.md §5: API tokens scoped).
 */
export function tokenAllows(actor: Actor, needed: ApiScope): boolean {
  if (actor.kind !== 'user' || actor.scopes === null) return true;
  if (actor.scopes.has('admin')) return true;
  if (needed === 'read') return actor.scopes.has('read') || actor.scopes.has('write');
  return actor.scopes.has(needed);
}

export function actorLabel(actor: Actor): string {
  return actor.kind === 'user' ? actor.username : 'anonymous';
}
