// Signing in: the password step under shared back-off delays (throttle.ts), then (when enrolled) the
// second factor, whose wrong codes are counted per account apart from passwords and never reset by a
// right password. Sessions are rotated at login: a new id is issued and any session the browser presented
// is revoked (session fixation).
import { change, type ChangeContext, type Scope } from '../context.js';
import { errors, type AppError } from '../errors/catalogue.js';
import { enqueueMail } from '../mail/outbox.js';
import { openTotpSecret } from './secrets-at-rest.js';
import type { Db } from '../storage/database.js';
import type { UserRow } from '../storage/tables.js';
import { findUserByLogin } from './users.js';
import { dummyPasswordHash, verifyPassword } from './secrets.js';
import { createSession, revokeSession } from './sessions.js';
import { recordSignInSuccess, takeSignInAttempt, type Attempt } from './throttle.js';
import { isTotpCode, recoveryCodeHash, totpStep } from './totp.js';

/** Wrong second-factor codes before the app's codes are refused for a while (then again every 5 more). */
export const SECOND_FACTOR_FREE_FAILURES = 5;
const SECOND_FACTOR_LOCK_MS = 15 * 60_000;
const SECOND_FACTOR_LOCK_MAX_MS = 24 * 3600_000;

export interface LoginResult {
  user: UserRow;
  sessionToken: string;
  needsTotp: boolean;
  attempt: Attempt;
}

export async function login(
  scope: Scope,
  input: { login: string; password: string },
  meta: { ip: string | null; userAgent: string | null; previousSessionHash: string | null; device: (userId: number | null) => string | null },
): Promise<LoginResult> {
  const { storage, clock } = scope.app;
  const now = clock.now();
  const name = (input.login ?? '').trim().toLowerCase().slice(0, 320);
  const user = await findUserByLogin(storage.db, name);
  const attempt: Attempt = { account: user ? `u${user.id}` : `n:${name}`, address: meta.ip ?? 'unknown', device: meta.device(user?.id ?? null) };
  await takeSignInAttempt(storage.db, now, attempt);
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), input.password ?? '');
    throw wrongPassword();
  }
  const ok = !user.disabled_at && (await verifyPassword(user.password_hash, input.password ?? ''));
  if (!ok) {
    await change({ ...scope, actor: { kind: 'anonymous' } }, async ({ audit }) => audit('user.login_failed', 'user', user.id));
    throw wrongPassword();
  }
  await recordSignInSuccess(storage.db, attempt);
  const needsTotp = user.totp_enabled_at !== null;
  const { token } = await change({ ...scope, actor: { kind: 'anonymous' } }, async ({ trx, audit }) => {
    if (meta.previousSessionHash) await revokeSession(trx, now, meta.previousSessionHash);
    const session = await createSession(trx, now, user.id, { ip: meta.ip, userAgent: meta.userAgent, mfaPassed: false });
    await audit('user.signed_in', 'user', user.id, undefined, { second_factor_pending: needsTotp });
    return session;
  });
  return { user, sessionToken: token, needsTotp, attempt };
}

function wrongPassword() {
  return errors.validation([{ field: 'password', message: 'Wrong username or password.' }], 'Wrong username or password.');
}

/**
 * Second step: a TOTP code of a step not used before, or an unused recovery code, marks the session as
 * having passed MFA (checkSecondFactor says how wrong codes are counted).
 */
export async function passSecondFactor(scope: Scope, user: UserRow, sessionHash: string, code: string): Promise<void> {
  const outcome = await change({ ...scope, actor: { kind: 'anonymous' } }, async (tools) => {
    const result = await checkSecondFactor(scope, tools, user.id, code);
    if (result.kind === 'passed') await tools.trx.updateTable('sessions').set({ mfa_passed: 1, mfa_via: 'totp' }).where('id_hash', '=', sessionHash).execute();
    return result;
  });
  if (outcome.kind !== 'passed') throw secondFactorRefusal(outcome);
}

export type SecondFactorOutcome = { kind: 'passed'; via: 'totp' | 'recovery_code' } | { kind: 'failed' } | { kind: 'locked'; lockedMs: number };

/**
 * The account's second factor, checked in the caller's change (the TOTP sign-in step, and the owner's
 * confirmation of a provider link, routes-oidc.tsx): one place counts and locks, so no page is a way round.
 * Wrong codes count on the account (not the session, not the address): every SECOND_FACTOR_FREE_FAILURES of
 * them refuse the app's codes for 15 min, doubling up to a day, and mail the owner. Recovery codes (59 bits,
 * not guessable) are spent once and still work meanwhile, so the lock cannot keep the owner out. A failure is
 * returned, not thrown: the caller commits the count, then throws secondFactorRefusal().
 */
export async function checkSecondFactor(scope: Scope, tools: ChangeContext, userId: number, code: string): Promise<SecondFactorOutcome> {
  const { trx, now, audit, enqueue } = tools;
  const fresh = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  const lockedMs = fresh.second_factor_locked_until ? new Date(fresh.second_factor_locked_until).getTime() - now.getTime() : 0;
  let via: 'totp' | 'recovery_code' | null = null;
  if (isTotpCode(code)) {
    if (lockedMs > 0) return { kind: 'locked', lockedMs };
    const step = fresh.totp_secret ? totpStep(openTotpSecret(scope.app.storage, fresh.totp_secret), code, now) : null;
    if (step !== null && (await claimTotpStep(trx, userId, step))) via = 'totp';
  } else {
    const hit = await trx.selectFrom('recovery_codes').select('id').where('user_id', '=', userId).where('code_hash', '=', recoveryCodeHash(code)).where('used_at', 'is', null).executeTakeFirst();
    // Spend it with a guarded update: of two parallel uses, one wins.
    const spent = hit ? await trx.updateTable('recovery_codes').set({ used_at: now.toISOString() }).where('id', '=', hit.id).where('used_at', 'is', null).executeTakeFirst() : undefined;
    if (spent && Number(spent.numUpdatedRows) === 1) via = 'recovery_code';
  }
  // While the app's codes are refused, a wrong recovery code is not counted: guessing one is hopeless,
  // and counting it would let the guesser lengthen the lock and mail the owner at will.
  if (!via && lockedMs > 0) return { kind: 'failed' };
  if (!via) {
    const failures = await countSecondFactorFailure(trx, userId);
    await audit('user.second_factor_failed', 'user', userId, undefined, { failures });
    if (failures % SECOND_FACTOR_FREE_FAILURES === 0) {
      const lockMs = Math.min(SECOND_FACTOR_LOCK_MAX_MS, SECOND_FACTOR_LOCK_MS * 2 ** (failures / SECOND_FACTOR_FREE_FAILURES - 1));
      const until = new Date(now.getTime() + lockMs).toISOString();
      await trx.updateTable('users').set({ second_factor_locked_until: until }).where('id', '=', userId).execute();
      await audit('user.second_factor_locked', 'user', userId, undefined, { until, failures });
      await enqueueMail(enqueue, secondFactorLockMail(scope, fresh, failures, until));
    }
    return { kind: 'failed' };
  }
  await trx.updateTable('users').set({ second_factor_failures: 0, second_factor_locked_until: null }).where('id', '=', userId).execute();
  await audit('user.second_factor_passed', 'user', userId, undefined, { via });
  return { kind: 'passed', via };
}

/** The error for a second factor that did not pass. */
export function secondFactorRefusal(outcome: Exclude<SecondFactorOutcome, { kind: 'passed' }>): AppError {
  if (outcome.kind === 'locked') return errors.secondFactorLocked(Math.ceil(outcome.lockedMs / 1000));
  return errors.validation([{ field: 'code', message: 'That code is not valid. Codes change every 30 seconds.' }], 'That code is not valid.');
}

/** Accept `step` once: only a step later than the last accepted one moves the mark (atomic, so of two
 * parallel uses of one code only one wins). */
export async function claimTotpStep(trx: Db, userId: number, step: number): Promise<boolean> {
  const r = await trx
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

async function countSecondFactorFailure(trx: Db, userId: number): Promise<number> {
  const row = await trx
    .updateTable('users')
    .set((eb) => ({ second_factor_failures: eb('second_factor_failures', '+', 1) }))
    .where('id', '=', userId)
    .returning('second_factor_failures')
    .executeTakeFirstOrThrow();
  return Number(row.second_factor_failures);
}

function secondFactorLockMail(scope: Scope, user: UserRow, failures: number, until: string) {
  const { config } = scope.app;
  return {
    to: [user.email],
    subject: `${config.instanceName}: wrong authentication codes for your account`,
    text:
      `Someone who knew your password entered ${failures} wrong authentication codes for your ${config.instanceName} account ` +
      `(${user.username}) since the last right one.\n\nCodes from your authenticator app are refused until ${until} (UTC); your recovery codes still work.\n\n` +
      `If this was not you, your password is known to someone else: change it now at ${config.publicUrl}/password/forgot and review your sessions at ${config.publicUrl}/account/sessions.\n`,
  };
}
