// Builds the Actor for a request from a session cookie or an API token, fresh from the database.
import type { Config } from '../config/config.js';
import type { Db } from '../storage/database.js';
import type { InstanceRole, ProjectRole, UserRow } from '../storage/tables.js';
import type { ApiScope, UserActor } from './actor.js';

export async function buildUserActor(
  db: Db,
  config: Config,
  user: UserRow,
  via: { kind: 'session'; mfaPassed: boolean } | { kind: 'token'; scopes: ApiScope[] },
): Promise<UserActor> {
  const [roleRows, memberRows] = await Promise.all([
    db.selectFrom('user_roles').select('role').where('user_id', '=', user.id).execute(),
    db.selectFrom('project_members').select(['project_id', 'role']).where('user_id', '=', user.id).execute(),
  ]);
  const held = new Set<InstanceRole>(roleRows.map((r) => r.role));
  const mfaEnrolled = user.totp_enabled_at !== null;
  // A token was created from a session that met the MFA rule, so it carries that assurance.
  const mfaPassed = via.kind === 'token' ? true : via.mfaPassed && mfaEnrolled;
  const pending = new Set<InstanceRole>();
  const active = new Set<InstanceRole>();
  for (const role of held) {
    if (config.mfaRequiredRoles.has(role) && !(mfaEnrolled && mfaPassed)) pending.add(role);
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
