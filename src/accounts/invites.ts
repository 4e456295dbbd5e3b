// One-time links: the first-run setup link (creates the first admin; there is no default password
// anywhere), invitations (REGISTRATION=invite) and password resets. Only token hashes are stored.
import { change, type ChangeContext, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { InstanceRole, InvitePurpose, ProjectRole } from '../storage/tables.js';
import { grantInvitedProjectRole, isProjectRole, projectIdBySlug } from '../projects/projects.js';
import { enqueueMail } from '../mail/outbox.js';
import { countUsers, insertAccount, instanceRoles, prepareAccount, type PreparedAccount } from './users.js';
import { lockForTransaction } from '../storage/locks.js';
import { hashPassword, randomToken, sha256Hex } from './secrets.js';
import { checkEmail, checkPassword, normaliseEmail } from './validation.js';
import type { UserRow } from '../storage/tables.js';
import { bump } from '../http/limits.js';

const SETUP_TTL_MS = 7 * 24 * 3600_000;
const INVITE_TTL_MS = 14 * 24 * 3600_000;
const RESET_TTL_MS = 3600_000;
const REGISTRATION_TTL_MS = 24 * 3600_000;

/** Stores a one-time link (only its token's hash) and returns its id. */
async function insertOneTimeLink(
  trx: Db,
  link: { purpose: InvitePurpose; token: string; now: Date; ttlMs: number; email?: string | null; userId?: number | null; roles?: InstanceRole[]; projectRoles?: InvitedProjectRole[]; createdBy?: number | null },
): Promise<number> {
  const row = await trx
    .insertInto('invites')
    .values({
      purpose: link.purpose,
      token_hash: sha256Hex(link.token),
      email: link.email ?? null,
      user_id: link.userId ?? null,
      roles: JSON.stringify(link.roles ?? []),
      project_roles: JSON.stringify((link.projectRoles ?? []).map((p) => ({ project_id: p.projectId, role: p.role }))),
      created_by: link.createdBy ?? null,
      created_at: link.now.toISOString(),
      expires_at: new Date(link.now.getTime() + link.ttlMs).toISOString(),
      used_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findLiveInvite(db: Db, now: Date, purpose: InvitePurpose, token: string) {
  if (!token || token.length > 100) return undefined;
  const row = await db
    .selectFrom('invites')
    .selectAll()
    .where('token_hash', '=', sha256Hex(token))
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now.toISOString()) return undefined;
  return row;
}

/** A setup link this young is another node's (or this node's) from the same start: it is not replaced. */
export const SETUP_LINK_REUSE_MS = 60_000;

/**
 * On a start with no accounts, issue a fresh setup link (older unused ones are retired) and return it.
 * Returns null when accounts exist, or when a link was issued less than SETUP_LINK_REUSE_MS ago: several
 * app nodes starting together on an empty database must not each print a different link (issue 21 item 5),
 * so they take a lock and the first one's link stands. `force` (the `cordon setup-link` command) always
 * issues a fresh one.
 */
export async function ensureSetupLink(scope: Scope, options: { force?: boolean } = {}): Promise<string | null> {
  const { storage, config } = scope.app;
  if ((await countUsers(storage.db)) > 0) return null;
  const token = randomToken(32);
  const issued = await change(
    scope,
    async ({ trx, now, audit }) => {
      await lockForTransaction(trx, storage.dialect, 'setup');
      if ((await countUsers(trx)) > 0) return false;
      if (!options.force) {
        const recent = await trx
          .selectFrom('invites')
          .select('id')
          .where('purpose', '=', 'setup')
          .where('used_at', 'is', null)
          .where('created_at', '>', new Date(now.getTime() - SETUP_LINK_REUSE_MS).toISOString())
          .executeTakeFirst();
        if (recent) return false;
      }
      await trx.updateTable('invites').set({ used_at: now.toISOString() }).where('purpose', '=', 'setup').where('used_at', 'is', null).execute();
      await insertOneTimeLink(trx, { purpose: 'setup', token, now, ttlMs: SETUP_TTL_MS, roles: ['admin'] });
      await audit('setup.link_issued', 'instance', null);
      return true;
    },
    { system: true },
  );
  if (!issued) {
    scope.app.log.info('a setup link was issued moments ago (by another node starting at the same time); it stands. `cordon setup-link` makes a fresh one.');
    return null;
  }
  return `${config.publicUrl}/setup/${token}`;
}

/** Whether the setup link's page and form still exist: only while there is no account at all. */
export async function setupOpen(db: Db): Promise<boolean> {
  return (await countUsers(db)) === 0;
}

/**
 * Accept a setup link or an invitation: claim the link and create the account in ONE transaction, so of
 * parallel posts with one link exactly one creates an account (issue 13 item 6: six parallel posts made six
 * admins). The setup link also takes the setup lock and re-counts accounts inside it.
 */
export async function acceptInvite(
  scope: Scope,
  purpose: 'setup' | 'invite',
  token: string,
  input: { username: string; email: string; displayName: string; password: string; timeZone?: string },
): Promise<UserRow> {
  const { storage, clock } = scope.app;
  const invite = await findLiveInvite(storage.db, clock.now(), purpose, token);
  if (!invite) throw errors.notFound('invitation');
  if (purpose === 'setup' && !(await setupOpen(storage.db))) throw errors.notFound('invitation');
  const roles = (JSON.parse(invite.roles) as InstanceRole[]).filter((r) => instanceRoles.includes(r));
  const prepared = await prepareAccount(storage.db, { ...input, email: invite.email ?? input.email, roles });
  return change(scope, async (tools) => {
    const { trx } = tools;
    if (purpose === 'setup') {
      await lockForTransaction(trx, storage.dialect, 'setup');
      if (!(await setupOpen(trx))) throw errors.notFound('invitation');
    }
    return claimInvite(scope, tools, invite, prepared, purpose === 'setup' ? 'setup.first_admin_created' : 'user.invite_accepted');
  });
}

/**
 * Spend the invitation (once: a guarded update) and create its account with the roles it carries, inside
 * the caller's change. Shared by the password form above and the OpenID Connect sign-in (oidc-identity.ts).
 */
export async function claimInvite(scope: Scope, tools: ChangeContext, invite: { id: number; project_roles?: string }, prepared: PreparedAccount, action: string): Promise<UserRow> {
  const { trx, now, audit } = tools;
  const claimed = await trx
    .updateTable('invites')
    .set({ used_at: now.toISOString() })
    .where('id', '=', invite.id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw errors.notFound('invitation');
  const user = await insertAccount(scope, tools, prepared, action);
  await trx.updateTable('invites').set({ user_id: user.id }).where('id', '=', invite.id).execute();
  // Project roles the invitation carries (one person may be VMT, a project's lead and its coresec at once).
  // A project deleted since the invitation was sent is skipped.
  for (const pr of parseInvitedProjectRoles(invite.project_roles)) await grantInvitedProjectRole(tools, pr.projectId, user.id, pr.role);
  await audit('invite.used', 'invite', invite.id, undefined, { user_id: user.id });
  return user;
}

/** The roles an invitation grants (unknown names dropped). */
export function invitedRoles(invite: { roles: string }): InstanceRole[] {
  return (JSON.parse(invite.roles) as InstanceRole[]).filter((r) => instanceRoles.includes(r));
}

/** A project role an invitation grants on acceptance. */
export interface InvitedProjectRole {
  projectId: number;
  role: ProjectRole;
}

/** Invitations an administrator has sent (not self-registrations or setup links). */
export async function countInvitationsSent(db: Db): Promise<number> {
  const row = await db.selectFrom('invites').select((eb) => eb.fn.countAll<number>().as('n')).where('purpose', '=', 'invite').where('created_by', 'is not', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

function parseInvitedProjectRoles(json: string | undefined): InvitedProjectRole[] {
  try {
    const parsed = JSON.parse(json ?? '[]') as { project_id?: unknown; role?: unknown }[];
    return parsed.flatMap((p) => (typeof p.project_id === 'number' && typeof p.role === 'string' && isProjectRole(p.role) ? [{ projectId: p.project_id, role: p.role }] : []));
  } catch {
    return [];
  }
}

export async function createInvite(scope: Scope, input: { email: string; roles: InstanceRole[]; projectRoles?: { project: string; role: string }[] }): Promise<string> {
  const { config, storage } = scope.app;
  const email = normaliseEmail(input.email ?? '');
  const issues = new IssueCollector();
  checkEmail(issues, email);
  for (const r of input.roles ?? []) if (!instanceRoles.includes(r)) issues.add('roles', `Unknown role ${r}.`);
  const granted: InvitedProjectRole[] = [];
  for (const pr of input.projectRoles ?? []) {
    const projectId = await projectIdBySlug(storage.db, pr.project);
    if (projectId === undefined) issues.add('project_roles', `There is no project ${pr.project.slice(0, 64)}.`);
    else if (!isProjectRole(pr.role)) issues.add('project_roles', `Unknown project role ${pr.role.slice(0, 32)}: use lead, coresec or core_reviewer.`);
    else if (!granted.some((g) => g.projectId === projectId && g.role === pr.role)) granted.push({ projectId, role: pr.role });
  }
  issues.throwIfAny();
  const token = randomToken(32);
  const link = `${config.publicUrl}/invite/${token}`;
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    const id = await insertOneTimeLink(trx, {
      purpose: 'invite',
      token,
      now,
      ttlMs: INVITE_TTL_MS,
      email,
      roles: input.roles ?? [],
      projectRoles: granted,
      createdBy: scope.actor.kind === 'user' ? scope.actor.userId : null,
    });
    await enqueueMail(enqueue, {
      to: [email],
      subject: `You are invited to ${config.instanceName}`,
      text: `You have been invited to ${config.instanceName}.\n\nCreate your account here (the link works once, for 14 days):\n${link}\n`,
    });
    await audit('invite.created', 'invite', id, undefined, { email, roles: input.roles ?? [], project_roles: granted.map((g) => ({ project_id: g.projectId, role: g.role })) });
  });
  return link;
}

const REGISTRATION_MAILS_PER_ADDRESS_PER_DAY = 3;

/**
 * Open registration starts with the address only, and answers the same whether or not it has an account
 * (issue 13 item 8: no enumeration). A new address gets a one-time link to choose a username and password
 * (an invitation with no roles, so it also proves the address works); an address that has an account gets
 * a note telling its owner instead. At most a few such mails per address a day, counted across nodes.
 */
export async function requestRegistration(scope: Scope, rawEmail: string): Promise<void> {
  const { storage, config } = scope.app;
  const email = normaliseEmail(rawEmail ?? '');
  const issues = new IssueCollector();
  checkEmail(issues, email);
  issues.throwIfAny();
  const now = scope.app.clock.now();
  const sent = await bump(storage.db, `register:mail:${email}`, now, { ttlMs: 24 * 3600_000 });
  if (sent.count > REGISTRATION_MAILS_PER_ADDRESS_PER_DAY) return;
  const existing = await storage.db.selectFrom('users').select(['id', 'username']).where('email', '=', email).executeTakeFirst();
  if (existing) {
    await change(scope, async ({ enqueue, audit }) => {
      await enqueueMail(enqueue, {
        to: [email],
        subject: `${config.instanceName}: someone asked for a new account with your address`,
        text:
          `Someone asked to create a new ${config.instanceName} account with this address, which already has one (username ${existing.username}).\n\n` +
          `Nothing was changed. If it was you and you forgot your password, choose a new one here:\n${config.publicUrl}/password/forgot\n\nIf it was not you, ignore this mail.\n`,
      });
      await audit('user.registration_repeated', 'user', existing.id);
    });
    return;
  }
  const token = randomToken(32);
  const link = `${config.publicUrl}/invite/${token}`;
  await change(scope, async ({ trx, now: at, audit, enqueue }) => {
    const id = await insertOneTimeLink(trx, { purpose: 'invite', token, now: at, ttlMs: REGISTRATION_TTL_MS, email });
    await enqueueMail(enqueue, {
      to: [email],
      subject: `Finish creating your ${config.instanceName} account`,
      text: `Someone (we hope you) asked to create a ${config.instanceName} account with this address.\n\nChoose your username and password here (the link works once, for 24 hours):\n${link}\n\nIf it was not you, ignore this mail.\n`,
    });
    await audit('user.registration_requested', 'invite', id);
  });
}

/** Always answers the same way, whether or not the address has an account (no account enumeration). */
export async function requestPasswordReset(scope: Scope, rawEmail: string): Promise<void> {
  const { storage, config } = scope.app;
  const email = normaliseEmail(rawEmail ?? '');
  const user = await storage.db.selectFrom('users').select(['id', 'email', 'disabled_at']).where('email', '=', email).executeTakeFirst();
  if (!user || user.disabled_at) return;
  const token = randomToken(32);
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    await insertOneTimeLink(trx, { purpose: 'password_reset', token, now, ttlMs: RESET_TTL_MS, email, userId: user.id });
    await enqueueMail(enqueue, {
      to: [email],
      subject: `Reset your ${config.instanceName} password`,
      text: `Someone asked to reset the password of your ${config.instanceName} account.\n\nIf it was you, choose a new password here (valid for one hour, once):\n${config.publicUrl}/password/reset/${token}\n\nIf it was not you, ignore this mail.\n`,
    });
    await audit('user.password_reset_requested', 'user', user.id);
  });
}

export async function resetPassword(scope: Scope, token: string, password: string): Promise<void> {
  const { storage, clock } = scope.app;
  const invite = await findLiveInvite(storage.db, clock.now(), 'password_reset', token);
  if (!invite?.user_id) throw errors.notFound('reset link');
  const issues = new IssueCollector();
  checkPassword(issues, password ?? '');
  issues.throwIfAny();
  const hash = await hashPassword(password);
  const userId = invite.user_id;
  await change(scope, async ({ trx, now, audit }) => {
    const r = await trx.updateTable('invites').set({ used_at: now.toISOString() }).where('id', '=', invite.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw errors.notFound('reset link');
    await trx.updateTable('users').set({ password_hash: hash, failed_logins: 0, locked_until: null, updated_at: now.toISOString() }).where('id', '=', userId).execute();
    // Everyone signed in as this user is signed out.
    await trx.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    await audit('user.password_reset', 'user', userId);
  });
}
