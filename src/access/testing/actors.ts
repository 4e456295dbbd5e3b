// An in-memory signed-in actor for tests of the policy and of queries that take one, without accounts
// in a database: roles in force (and held, when they differ), project roles, and token scopes.
import type { UserActor } from '../actor.js';
import type { InstanceRole, ProjectRole } from '../../storage/tables.js';

export interface TestActorOptions {
  roles?: InstanceRole[];
  /** Held roles, when some need a second factor not yet given (default: the roles in force). */
  held?: InstanceRole[];
  projects?: [number, ProjectRole][];
  scopes?: ('read' | 'write' | 'admin')[];
}

export function testUserActor(id: number, options: TestActorOptions = {}): UserActor {
  return {
    kind: 'user',
    userId: id,
    username: `u${id}`,
    displayName: `U ${id}`,
    email: `u${id}@example.org`,
    timeZone: 'UTC',
    heldRoles: new Set(options.held ?? options.roles ?? []),
    roles: new Set(options.roles ?? []),
    projectRoles: new Map((options.projects ?? []).map(([p, r]) => [p, new Set([r])])),
    via: options.scopes ? 'token' : 'session',
    scopes: options.scopes ? new Set(options.scopes) : null,
    mfaEnrolled: true,
    mfaPassed: true,
    mfaPendingRoles: new Set(),
  };
}
