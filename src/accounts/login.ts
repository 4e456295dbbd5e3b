// Signing in: password check with lockout, then (when enrolled) the TOTP step. Sessions are rotated at
// login: a new id is issued and any session the browser presented is revoked (session fixation).
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { UserRow } from '../storage/tables.js';
import { findUserByLogin } from './users.js';
import { dummyPasswordHash, verifyPassword } from './secrets.js';
import { createSession, revokeSession } from './sessions.js';
import { recoveryCodeHash, verifyTotp } from './totp.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export interface LoginResult {
  user: UserRow;
  sessionToken: string;
  needsTotp: boolean;
}

export async function login(
  scope: Scope,
  input: { login: string; password: string },
  meta: { ip: string | null; userAgent: string | null; previousSessionHash: string | null },
): Promise<LoginResult> {
  const { storage, clock } = scope.app;
  const now = clock.now();
  const user = await findUserByLogin(storage.db, input.login ?? '');
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), input.password ?? '');
    throw errors.validation([{ field: 'password', message: 'Wrong username or password.' }], 'Wrong username or password.');
  }
  if (user.locked_until && user.locked_until > now.toISOString()) throw errors.accountLocked();
  const ok = !user.disabled_at && (await verifyPassword(user.password_hash, input.password ?? ''));
  if (!ok) {
    await change({ ...scope, actor: { kind: 'anonymous' } }, async ({ trx, audit }) => {
      const failed = user.failed_logins + 1;
      const lock = failed >= MAX_FAILED_LOGINS;
      await trx
        .updateTable('users')
        .set({ failed_logins: lock ? 0 : failed, locked_until: lock ? new Date(now.getTime() + LOCKOUT_MS).toISOString() : user.locked_until })
        .where('id', '=', user.id)
        .execute();
      await audit(lock ? 'user.locked_out' : 'user.login_failed', 'user', user.id);
    });
    throw errors.validation([{ field: 'password', message: 'Wrong username or password.' }], 'Wrong username or password.');
  }
  const needsTotp = user.totp_enabled_at !== null;
  const { token } = await change({ ...scope, actor: { kind: 'anonymous' } }, async ({ trx, audit }) => {
    if (meta.previousSessionHash) await revokeSession(trx, now, meta.previousSessionHash);
    await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    const session = await createSession(trx, now, user.id, { ip: meta.ip, userAgent: meta.userAgent, mfaPassed: false });
    await audit('user.signed_in', 'user', user.id, undefined, { second_factor_pending: needsTotp });
    return session;
  });
  return { user, sessionToken: token, needsTotp };
}

/** Second step: a TOTP code or an unused recovery code marks the session as having passed MFA. */
export async function passSecondFactor(scope: Scope, user: UserRow, sessionHash: string, code: string): Promise<void> {
  const { clock } = scope.app;
  const now = clock.now();
  await change({ ...scope, actor: { kind: 'anonymous' } }, async ({ trx, audit }) => {
    const fresh = await trx.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    if (fresh.locked_until && fresh.locked_until > now.toISOString()) throw errors.accountLocked();
    let via: 'totp' | 'recovery_code' | null = null;
    if (fresh.totp_secret && verifyTotp(fresh.totp_secret, code, now)) via = 'totp';
    else {
      const hit = await trx
        .selectFrom('recovery_codes')
        .select('id')
        .where('user_id', '=', user.id)
        .where('code_hash', '=', recoveryCodeHash(code))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (hit) {
        await trx.updateTable('recovery_codes').set({ used_at: now.toISOString() }).where('id', '=', hit.id).execute();
        via = 'recovery_code';
      }
    }
    if (!via) {
      await countFailure(trx, now, fresh);
      await audit('user.second_factor_failed', 'user', user.id);
      return;
    }
    await trx.updateTable('sessions').set({ mfa_passed: 1 }).where('id_hash', '=', sessionHash).execute();
    await audit('user.second_factor_passed', 'user', user.id, undefined, { via });
  });
  const session = await scope.app.storage.db.selectFrom('sessions').select('mfa_passed').where('id_hash', '=', sessionHash).executeTakeFirst();
  if (!session?.mfa_passed) throw errors.validation([{ field: 'code', message: 'That code is not valid. Codes change every 30 seconds.' }], 'That code is not valid.');
}

async function countFailure(trx: Db, now: Date, user: UserRow): Promise<void> {
  const failed = user.failed_logins + 1;
  const lock = failed >= MAX_FAILED_LOGINS;
  await trx
    .updateTable('users')
    .set({ failed_logins: lock ? 0 : failed, locked_until: lock ? new Date(now.getTime() + LOCKOUT_MS).toISOString() : user.locked_until })
    .where('id', '=', user.id)
    .execute();
}
