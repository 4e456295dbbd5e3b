// Enrolling and removing the TOTP second factor.
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { claimTotpStep } from './login.js';
import { openTotpSecret, sealTotpSecret } from './secrets-at-rest.js';
import { newRecoveryCodes, newTotpSecret, totpStep } from './totp.js';

/** Start enrolment: store a pending secret (not yet enabled) and return it for the QR code. */
export async function startTotpEnrolment(scope: Scope, userId: number): Promise<string> {
  const secret = newTotpSecret();
  await change(scope, async ({ trx, now, audit }) => {
    const user = await trx.selectFrom('users').select(['totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow();
    if (user.totp_enabled_at) throw errors.conflict('Two-factor authentication is already on. Turn it off first to enrol a new device.');
    await trx.updateTable('users').set({ totp_secret: sealTotpSecret(scope.app.storage, secret), totp_last_step: null, updated_at: now.toISOString() }).where('id', '=', userId).execute();
    await audit('user.totp_enrolment_started', 'user', userId);
  });
  return secret;
}

/** Confirm enrolment with a code from the app; returns the recovery codes, shown once. */
export async function confirmTotpEnrolment(scope: Scope, userId: number, sessionHash: string | null, code: string): Promise<string[]> {
  const { codes, hashes } = newRecoveryCodes();
  await change(scope, async ({ trx, now, audit }) => {
    const user = await trx.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow();
    if (user.totp_enabled_at) throw errors.conflict('Two-factor authentication is already on.');
    if (!user.totp_secret) throw errors.badRequest('Start enrolment first.');
    const step = totpStep(openTotpSecret(scope.app.storage, user.totp_secret), code, now);
    // The code that confirmed enrolment is spent: it cannot sign in a second time.
    if (step === null || !(await claimTotpStep(trx, userId, step))) {
      throw errors.validation([{ field: 'code', message: 'That code does not match. Check the time on your phone and try the next code.' }]);
    }
    await trx.updateTable('users').set({ totp_enabled_at: now.toISOString(), updated_at: now.toISOString() }).where('id', '=', userId).execute();
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    for (const code_hash of hashes) await trx.insertInto('recovery_codes').values({ user_id: userId, code_hash, used_at: null }).execute();
    // The session that proved possession of the device counts as having passed MFA.
    if (sessionHash) await trx.updateTable('sessions').set({ mfa_passed: 1, mfa_via: 'totp' }).where('id_hash', '=', sessionHash).execute();
    await audit('user.totp_enabled', 'user', userId);
  });
  return codes;
}

export async function disableTotp(scope: Scope, userId: number, code: string): Promise<void> {
  await change(scope, async ({ trx, now, audit }) => {
    const user = await trx.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow();
    if (!user.totp_enabled_at || !user.totp_secret) throw errors.conflict('Two-factor authentication is not on.');
    const step = totpStep(openTotpSecret(scope.app.storage, user.totp_secret), code, now);
    if (step === null || !(await claimTotpStep(trx, userId, step))) throw errors.validation([{ field: 'code', message: 'That code does not match.' }]);
    await trx.updateTable('users').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: now.toISOString() }).where('id', '=', userId).execute();
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await audit('user.totp_disabled', 'user', userId);
  });
}
