// Builds the Actor for a request from a session cookie or an API token. The session (or token) and the
// user row are read fresh on every request by the caller; the user's roles and memberships come from a
// short-lived cache (issue 17: they were two of the four statements of every signed-in request).
//
// Why the cache is safe:
// - It holds roles and memberships only, never the session: a revoked or expired session, a disabled
//   account, a token's scopes and the MFA state are checked on every request, as before.
// - In this process, every write to user_roles, project_members, users or projects (the tables the
//   roles and memberships are read from or cascade from) empties it before the write runs
//   (storage/write-watch.ts), so a role removed by this process is gone on the next request.
// - A value read while such a write was still uncommitted, or a change made by another process (two
//   app nodes, the CLI), lives at most ACTOR_CACHE_TTL_MS: a few seconds, like a request already in flight.
import type { Config } from '../config/config.js';
import type { Db } from '../storage/database.js';
import { watchedCache } from '../storage/watched-cache.js';
import type { InstanceRole, ProjectRole, UserRow } from '../storage/tables.js';
import type { ApiScope, UserActor } from './actor.js';

/** How long roles and memberships read for one user are reused (see above for the bound it gives). */
export const ACTOR_CACHE_TTL_MS = 3_000;
const ACTOR_CACHE_MAX = 10_000;
const ACTOR_TABLES: readonly string[] = ['user_roles', 'project_members', 'users', 'projects'];

interface Grants {
  roles: InstanceRole[];
  members: { project_id: number; role: ProjectRole }[];
}

const GRANT_CACHE = { name: 'actor-grants', tables: ACTOR_TABLES, ttlMs: ACTOR_CACHE_TTL_MS, maxEntries: ACTOR_CACHE_MAX };

async function readGrants(db: Db, userId: number): Promise<Grants> {
  const [roleRows, memberRows] = await Promise.all([
    db.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute(),
    db.selectFrom('project_members').select(['project_id', 'role']).where('user_id', '=', userId).execute(),
  ]);
  return { roles: roleRows.map((r) => r.role), members: memberRows };
}

async function grantsOf(db: Db, userId: number): Promise<Grants> {
  const cache = watchedCache<Grants>(db, GRANT_CACHE);
  return cache ? cache.get(String(userId), () => readGrants(db, userId)) : readGrants(db, userId);
}

export async function buildUserActor(
  db: Db,
  config: Config,
  user: UserRow,
  via: { kind: 'session'; mfaPassed: boolean; mfaVia?: string | null } | { kind: 'token'; scopes: ApiScope[] },
): Promise<UserActor> {
  const { roles: roleRows, members: memberRows } = await grantsOf(db, user.id);
  const held = new Set<InstanceRole>(roleRows);
  const mfaEnrolled = user.totp_enabled_at !== null;
  // A token was created from a session that met the MFA rule, so it carries that assurance.
  // A trusted OpenID provider's amr/acr (issue 19) satisfies MFA in its session without a TOTP enrolment here.
  const byProvider = via.kind === 'session' && via.mfaPassed && via.mfaVia === 'provider';
  const mfaPassed = via.kind === 'token' ? true : (via.mfaPassed && mfaEnrolled) || byProvider;
  const pending = new Set<InstanceRole>();
  const active = new Set<InstanceRole>();
  for (const role of held) {
    if (config.mfaRequiredRoles.has(role) && !((mfaEnrolled || byProvider) && mfaPassed)) pending.add(role);
    else active.add(role);
  }
  const projectRoles = new Map<number, Set<ProjectRole>>();
  for (const m of memberRows) {
    const set = projectRoles.get(m.project_id) ?? new Set<ProjectRole>();
    set.add(m.role);
    projectRoles.set(m.project_id, set);
  }
  return {
    kind: 'user',
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    email: user.email,
    timeZone: user.time_zone,
    heldRoles: held,
    roles: active,
    projectRoles,
    via: via.kind,
    scopes: via.kind === 'token' ? new Set(via.scopes) : null,
    mfaEnrolled,
    mfaPassed,
    mfaPendingRoles: pending,
  };
}
