// Public keys of people: users (their account page) and stakeholder contacts. Import checks follow
// the issue: armored or binary, public vs secret, fingerprint, user ids, expiry, revocation, strength.
// A key Cordon cannot encrypt to is refused when added, with the reason in words.
import { change, type Scope } from '../context.js';
import { AppError, errors } from '../errors/catalogue.js';
import { inspectKey, inspectParsedKey, type KeyInspection } from '../pgp/keys.js';
import { readSingleKey, type KeyInput } from '../pgp/read.js';
import type { Db } from '../storage/database.js';

export interface CheckedPublicKey {
  /** The public part only, re-armored (a pasted secret key is refused, never stored). */
  armored: string;
  inspection: KeyInspection;
}

/** Validates a public key for encryption today; throws a field error naming the problem. */
export async function checkRecipientPublicKey(input: KeyInput, field: string, now: Date): Promise<CheckedPublicKey> {
  const text = typeof input === 'string' ? input.trim() : input;
  if (text.length === 0) throw errors.field(field, 'Paste an OpenPGP public key block.');
  const key = await readSingleKey(text, field);
  const inspection = await inspectParsedKey(key, now);
  if (inspection.kind === 'secret') {
    throw errors.field(field, 'That is a secret (private) key. Give the public key only — and consider the secret key exposed.');
  }
  if (!inspection.usableForEncryption.usable) {
    throw errors.field(field, `Mail cannot be encrypted to this key: ${inspection.usableForEncryption.message ?? inspection.usableForEncryption.reason ?? 'unusable'}`);
  }
  return { armored: key.armor(), inspection };
}

/** What a stored key looks like today (it may have expired since it was added). */
export interface KeySummary {
  fingerprint: string;
  algorithm: string;
  userIds: string[];
  created: string;
  expires: string | null;
  revoked: boolean;
  usableForEncryption: boolean;
  problem: string | null;
}

export async function summariseKey(armored: string, now: Date): Promise<KeySummary | { fingerprint: null; problem: string }> {
  try {
    const info = await inspectKey(armored, { now });
    return {
      fingerprint: info.fingerprint,
      algorithm: info.subkeys.length ? `${info.label} / ${info.subkeys.map((s) => s.label).join(', ')}` : info.label,
      userIds: info.userIds,
      created: info.created.toISOString(),
      expires: info.expires ? info.expires.toISOString() : null,
      revoked: info.revoked,
      usableForEncryption: info.usableForEncryption.usable,
      problem: info.usableForEncryption.usable ? null : (info.usableForEncryption.message ?? info.usableForEncryption.reason ?? 'unusable'),
    };
  } catch (error) {
    return { fingerprint: null, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** Groups a fingerprint in blocks of four, as GnuPG prints it. */
export function formatFingerprint(fingerprint: string): string {
  return fingerprint.replace(/(.{4})(?=.)/g, '$1 ').replace(/^((?:\S{4} ){4}\S{4}) /, '$1  ');
}

export async function userKeyOf(db: Db, userId: number) {
  return db.selectFrom('user_pgp_keys').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Adds or replaces a user's public key. */
export async function setUserKey(scope: Scope, userId: number, input: KeyInput): Promise<CheckedPublicKey> {
  const checked = await checkRecipientPublicKey(input, 'public_key', scope.app.clock.now());
  await change(scope, async ({ trx, now, audit }) => {
    const before = await userKeyOf(trx, userId);
    const at = now.toISOString();
    if (before) {
      await trx.updateTable('user_pgp_keys').set({ fingerprint: checked.inspection.fingerprint, public_key: checked.armored, updated_at: at }).where('user_id', '=', userId).execute();
    } else {
      await trx.insertInto('user_pgp_keys').values({ user_id: userId, fingerprint: checked.inspection.fingerprint, public_key: checked.armored, added_at: at, updated_at: at }).execute();
    }
    await audit(before ? 'user.pgp_key_replaced' : 'user.pgp_key_added', 'user', userId, before ? { fingerprint: before.fingerprint } : undefined, { fingerprint: checked.inspection.fingerprint });
  });
  return checked;
}

export async function removeUserKey(scope: Scope, userId: number): Promise<boolean> {
  return change(scope, async ({ trx, audit }) => {
    const before = await userKeyOf(trx, userId);
    if (!before) return false;
    await trx.deleteFrom('user_pgp_keys').where('user_id', '=', userId).execute();
    await audit('user.pgp_key_removed', 'user', userId, { fingerprint: before.fingerprint }, undefined);
    return true;
  });
}

/** A VMT member as shown on the contact page, with their public key if any (accounts owns the list). */
export interface VmtMemberKey {
  id: number;
  display_name: string;
  fingerprint: string | null;
  public_key: string | null;
}

/**
 * Who the contact page lists: accounts, above keys, knows (accounts/users.ts vmtMembersWithKeys); it is
 * given to the keys routes in composition (http/routes-index.ts).
 */
export type VmtMembersWithKeys = (db: Db) => Promise<VmtMemberKey[]>;

export type RecipientKey = { usable: true; armored: string; fingerprint: string; source: string } | { usable: false; problem: string; source: string };

/**
 * The key to encrypt private mail to, from the keys on file for the recipient's address, best first
 * (reports/address-keys.ts: the account's key, a stakeholder contact's key, the key a reporter gave with
 * the report the mail is about): the first that can be used, else the first one's problem; null for none.
 */
export async function usableRecipientKey(candidates: readonly { armored: string; source: string }[], now: Date): Promise<RecipientKey | null> {
  let firstProblem: RecipientKey | null = null;
  for (const candidate of candidates) {
    try {
      const checked = await checkRecipientPublicKey(candidate.armored, 'key', now);
      return { usable: true, armored: checked.armored, fingerprint: checked.inspection.fingerprint, source: candidate.source };
    } catch (error) {
      const problem = error instanceof AppError ? (error.fields[0]?.message ?? error.message) : String(error);
      firstProblem ??= { usable: false, problem, source: candidate.source };
    }
  }
  return firstProblem;
}
