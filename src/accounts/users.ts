// User accounts and instance roles.
import { change, type ChangeContext, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { InstanceRole, UserRow } from '../storage/tables.js';
import type { VmtMemberKey } from '../keys/public-keys.js';
import { hashPassword } from './secrets.js';
import { checkDisplayName, checkEmail, checkPassword, checkTimeZone, checkUsername, normaliseEmail, normaliseUsername } from './validation.js';

export const instanceRoles: readonly InstanceRole[] = ['admin', 'vmt', 'security_core'];

export interface NewAccountInput {
  username: string;
  email: string;
  displayName: string;
  password: string;
  timeZone?: string;
  roles?: InstanceRole[];
}

export async function findUserByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  const key = login.trim().toLowerCase();
  return db.selectFrom('users').selectAll().where((eb) => eb.or([eb('username', '=', key), eb('email', '=', key)])).executeTakeFirst();
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The account with this username (not e-mail), or undefined. */
export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
}

/** Active (not disabled) holders of an instance role, e.g. the VMT that is told about every report. */
export async function activeUsersWithRole(db: Db, role: InstanceRole): Promise<Pick<UserRow, 'id' | 'email' | 'username' | 'display_name'>[]> {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.email', 'users.username', 'users.display_name'])
    .where('user_roles.role', '=', role)
    .where('users.disabled_at', 'is', null)
    .orderBy('users.id')
    .execute();
}

/** The active account with this username that holds an instance role, or undefined. */
export async function findActiveUserWithRole(db: Db, username: string, role: InstanceRole): Promise<Pick<UserRow, 'id' | 'display_name'> | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.display_name'])
    .where('users.username', '=', username.trim().toLowerCase())
    .where('user_roles.role', '=', role)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function rolesOf(db: Db, userId: number): Promise<InstanceRole[]> {
  const rows = await db.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute();
  return rows.map((r) => r.role);
}

/** Which of these users hold an instance role on an account that is not disabled. */
export async function activeHoldersOf(db: Db, role: InstanceRole, userIds: readonly number[]): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select('user_roles.user_id')
    .where('user_roles.user_id', 'in', userIds)
    .where('user_roles.role', '=', role)
    .where('users.disabled_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countActiveUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('disabled_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many active accounts hold each instance role. */
export async function activeRoleCounts(db: Db): Promise<Map<InstanceRole, number>> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(['user_roles.role', (eb) => eb.fn.countAll<number>().as('n')])
    .where('users.disabled_at', 'is', null)
    .groupBy('user_roles.role')
    .execute();
  return new Map(rows.map((r) => [r.role, Number(r.n)]));
}

export interface PreparedAccount {
  username: string;
  email: string;
  displayName: string;
  passwordHash: string;
  timeZone: string;
  roles: InstanceRole[];
}

/** Validate and hash (outside any transaction: hashing is slow). Duplicates give field errors here too. */
export async function prepareAccount(db: Db, input: NewAccountInput): Promise<PreparedAccount> {
  const username = normaliseUsername(input.username ?? '');
  const email = normaliseEmail(input.email ?? '');
  const issues = new IssueCollector();
  checkUsername(issues, username);
  checkEmail(issues, email);
  checkDisplayName(issues, input.displayName ?? '');
  checkPassword(issues, input.password ?? '');
  if (input.timeZone) checkTimeZone(issues, input.timeZone);
  for (const role of input.roles ?? []) if (!instanceRoles.includes(role)) issues.add('roles', `Unknown role ${role}.`);
  // Report taken names together with the other problems; the insert re-checks inside its transaction.
  await addDuplicateIssues(db, issues, username, email);
  issues.throwIfAny();
  const passwordHash = await hashPassword(input.password);
  return { username, email, displayName: input.displayName.trim(), passwordHash, timeZone: input.timeZone ?? 'UTC', roles: input.roles ?? [] };
}

/** Insert a prepared account and its roles, with its audit event, inside the caller's change. */
export async function insertAccount(scope: Scope, tools: ChangeContext, p: PreparedAccount, action = 'user.created'): Promise<UserRow> {
  const { trx, now, audit } = tools;
  const dup = new IssueCollector();
  await addDuplicateIssues(trx, dup, p.username, p.email);
  if (!dup.ok) throw errors.validation(dup.issues, 'An account with these details already exists.');
  const at = now.toISOString();
  const user = await trx
    .insertInto('users')
    .values({
      username: p.username,
      email: p.email,
      display_name: p.displayName,
      password_hash: p.passwordHash,
      totp_secret: null,
      totp_enabled_at: null,
      locked_until: null,
      disabled_at: null,
      time_zone: p.timeZone,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const grantedBy = scope.actor.kind === 'user' ? scope.actor.userId : null;
  for (const role of p.roles) {
    await trx.insertInto('user_roles').values({ user_id: user.id, role, granted_at: at, granted_by: grantedBy }).execute();
  }
  await audit(action, 'user', user.id, undefined, { username: p.username, email: p.email, roles: p.roles });
  return user;
}

/** Validate, then create the account and its roles with one audit event. Duplicates give field errors. */
export async function createAccount(scope: Scope, input: NewAccountInput, audit: { action?: string } = {}): Promise<UserRow> {
  const prepared = await prepareAccount(scope.app.storage.db, input);
  return change(scope, (tools) => insertAccount(scope, tools, prepared, audit.action));
}

async function addDuplicateIssues(db: Db, issues: IssueCollector, username: string, email: string): Promise<void> {
  const clash = await db.selectFrom('users').select(['username', 'email']).where((eb) => eb.or([eb('username', '=', username), eb('email', '=', email)])).execute();
  if (clash.some((c) => c.username === username)) issues.add('username', 'This username is taken.');
  if (clash.some((c) => c.email === email)) issues.add('email', 'An account with this email already exists.');
}

/** Replace a user's instance roles. Takes effect on the user's next request (actors are loaded per request). */
export async function setInstanceRoles(scope: Scope, userId: number, roles: InstanceRole[]): Promise<void> {
  const wanted = [...new Set(roles)];
  for (const r of wanted) if (!instanceRoles.includes(r)) throw errors.field('roles', `Unknown role ${r}.`);
  await change(scope, async ({ trx, now, audit }) => {
    const user = await findUserById(trx, userId);
    if (!user) throw errors.notFound('user');
    const before = await rolesOf(trx, userId);
    if (before.includes('admin') && !wanted.includes('admin')) {
      const admins = await trx.selectFrom('user_roles').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'admin').executeTakeFirstOrThrow();
      if (Number(admins.n) <= 1) throw errors.conflict('This is the last admin; make someone else admin first.');
    }
    await trx.deleteFrom('user_roles').where('user_id', '=', userId).execute();
    const grantedBy = scope.actor.kind === 'user' ? scope.actor.userId : null;
    for (const role of wanted) {
      await trx.insertInto('user_roles').values({ user_id: userId, role, granted_at: now.toISOString(), granted_by: grantedBy }).execute();
    }
    await audit('user.roles_changed', 'user', userId, { roles: before.sort() }, { roles: [...wanted].sort() });
  });
}

export async function setDisabled(scope: Scope, userId: number, disabled: boolean): Promise<void> {
  await change(scope, async ({ trx, now, audit }) => {
    const user = await findUserById(trx, userId);
    if (!user) throw errors.notFound('user');
    await trx.updateTable('users').set({ disabled_at: disabled ? now.toISOString() : null, updated_at: now.toISOString() }).where('id', '=', userId).execute();
    if (disabled) await trx.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    await audit(disabled ? 'user.disabled' : 'user.enabled', 'user', userId);
  });
}

export async function listUsers(db: Db, opts: { limit?: number; offset?: number } = {}): Promise<(UserRow & { roles: InstanceRole[] })[]> {
  const users = await db.selectFrom('users').selectAll().orderBy('username').limit(opts.limit ?? 100).offset(opts.offset ?? 0).execute();
  if (!users.length) return [];
  const roles = await db.selectFrom('user_roles').select(['user_id', 'role']).where('user_id', 'in', users.map((u) => u.id)).execute();
  return users.map((u) => ({ ...u, roles: roles.filter((r) => r.user_id === u.id).map((r) => r.role) }));
}

// What other domains ask of accounts (issue 16 item 1: accounts owns `users` and `user_roles`).


/** The OpenPGP public keys of the account(s) with this exact mail address (one at most: addresses are unique). */
export async function pgpKeysOfAccountEmail(db: Db, email: string): Promise<string[]> {
  const rows = await db.selectFrom('users').innerJoin('user_pgp_keys', 'user_pgp_keys.user_id', 'users.id').select('user_pgp_keys.public_key').where('users.email', '=', email).execute();
  return rows.map((r) => r.public_key);
}

/** VMT members (held role, active account) with their public key if any: shown on the contact page. */
export async function vmtMembersWithKeys(db: Db): Promise<VmtMemberKey[]> {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .leftJoin('user_pgp_keys', 'user_pgp_keys.user_id', 'users.id')
    .select(['users.id', 'users.display_name', 'user_pgp_keys.fingerprint', 'user_pgp_keys.public_key'])
    .where('user_roles.role', '=', 'vmt')
    .where('users.disabled_at', 'is', null)
    .orderBy('users.display_name')
    .execute();
}

/** The active (not disabled) account with this exact mail address, if any. */
export async function activeUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).where('disabled_at', 'is', null).executeTakeFirst();
}
