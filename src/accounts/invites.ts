// One-time links: the first-run setup link (creates the first admin; there is no default password
// anywhere), invitations (REGISTRATION=invite) and password resets. Only token hashes are stored.
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { InstanceRole, InvitePurpose } from '../storage/tables.js';
import { enqueueMail } from '../mail/outbox.js';
import { createAccount, countUsers, instanceRoles } from './users.js';
import { hashPassword, randomToken, sha256Hex } from './secrets.js';
import { checkEmail, checkPassword, normaliseEmail } from './validation.js';
import type { UserRow } from '../storage/tables.js';

const SETUP_TTL_MS = 7 * 24 * 3600_000;
const INVITE_TTL_MS = 14 * 24 * 3600_000;
const RESET_TTL_MS = 3600_000;

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

/**
 * On a start with no accounts, issue a fresh setup link (older unused ones are retired) and return it.
 * Returns null when accounts exist.
 */
export async function ensureSetupLink(scope: Scope): Promise<string | null> {
  const { storage, config } = scope.app;
  if ((await countUsers(storage.db)) > 0) return null;
  const token = randomToken(32);
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('invites').set({ used_at: now.toISOString() }).where('purpose', '=', 'setup').where('used_at', 'is', null).execute();
    await trx
      .insertInto('invites')
      .values({
        purpose: 'setup',
        token_hash: sha256Hex(token),
        email: null,
        user_id: null,
        roles: JSON.stringify(['admin']),
        created_by: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + SETUP_TTL_MS).toISOString(),
        used_at: null,
      })
      .execute();
    await audit('setup.link_issued', 'instance', null);
  }, { system: true });
  return `${config.publicUrl}/setup/${token}`;
}

/** Accept a setup link or an invitation: create the account with the invite's roles, and spend the link. */
export async function acceptInvite(
  scope: Scope,
  purpose: 'setup' | 'invite',
  token: string,
  input: { username: string; email: string; displayName: string; password: string; timeZone?: string },
): Promise<UserRow> {
  const { storage, clock } = scope.app;
  const invite = await findLiveInvite(storage.db, clock.now(), purpose, token);
  if (!invite) throw errors.notFound('invitation');
  if (purpose === 'setup' && (await countUsers(storage.db)) > 0) throw errors.notFound('invitation');
  const roles = (JSON.parse(invite.roles) as InstanceRole[]).filter((r) => instanceRoles.includes(r));
  const user = await createAccount(scope, { ...input, email: invite.email ?? input.email, roles }, { action: purpose === 'setup' ? 'setup.first_admin_created' : 'user.invite_accepted' });
  await change(scope, async ({ trx, now, audit }) => {
    const r = await trx.updateTable('invites').set({ used_at: now.toISOString(), user_id: user.id }).where('id', '=', invite.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw errors.conflict('This link has already been used.');
    await audit('invite.used', 'invite', invite.id, undefined, { user_id: user.id });
  });
  return user;
}

export async function createInvite(scope: Scope, input: { email: string; roles: InstanceRole[] }): Promise<string> {
  const { config } = scope.app;
  const email = normaliseEmail(input.email ?? '');
  const issues = new IssueCollector();
  checkEmail(issues, email);
  for (const r of input.roles ?? []) if (!instanceRoles.includes(r)) issues.add('roles', `Unknown role ${r}.`);
  issues.throwIfAny();
  const token = randomToken(32);
  const link = `${config.publicUrl}/invite/${token}`;
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    const row = await trx
      .insertInto('invites')
      .values({
        purpose: 'invite',
        token_hash: sha256Hex(token),
        email,
        user_id: null,
        roles: JSON.stringify(input.roles ?? []),
        created_by: scope.actor.kind === 'user' ? scope.actor.userId : null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + INVITE_TTL_MS).toISOString(),
        used_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueueMail(enqueue, {
      to: [email],
      subject: `You are invited to ${config.instanceName}`,
      text: `You have been invited to ${config.instanceName}.\n\nCreate your account here (the link works once, for 14 days):\n${link}\n`,
    });
    await audit('invite.created', 'invite', row.id, undefined, { email, roles: input.roles ?? [] });
  });
  return link;
}

/** Always answers the same way, whether or not the address has an account (no account enumeration). */
export async function requestPasswordReset(scope: Scope, rawEmail: string): Promise<void> {
  const { storage, config } = scope.app;
  const email = normaliseEmail(rawEmail ?? '');
  const user = await storage.db.selectFrom('users').select(['id', 'email', 'disabled_at']).where('email', '=', email).executeTakeFirst();
  if (!user || user.disabled_at) return;
  const token = randomToken(32);
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    await trx
      .insertInto('invites')
      .values({
        purpose: 'password_reset',
        token_hash: sha256Hex(token),
        email,
        user_id: user.id,
        roles: '[]',
        created_by: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + RESET_TTL_MS).toISOString(),
        used_at: null,
      })
      .execute();
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
