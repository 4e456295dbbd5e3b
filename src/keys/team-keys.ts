// The team's OpenPGP keys. The secret key is stored in the database only passphrase-protected, under
// PGP_PASSPHRASE from the environment (DESIGN.md §5: secrets only from the environment). One key is
// current (it signs outgoing mail and is the one people encrypt to); rotation retires the old one,
// which stays to open mail that was encrypted to it.
import { createHash } from 'node:crypto';
import type { PrivateKey } from 'openpgp';
import type { Config } from '../config/config.js';
import { change, type Scope } from '../context.js';
import { AppError, errors } from '../errors/catalogue.js';
import { PgpError } from '../pgp/errors.js';
import { inspectParsedKey } from '../pgp/keys.js';
import { readSingleKey, readSingleSecretKey, type KeyInput } from '../pgp/read.js';
import {
  encryptSecretKeyAtRest,
  generateTeamKey,
  minimumPassphraseLength,
  unlockSecretKey,
  type TeamKeyAlgorithm,
} from '../pgp/team-key.js';
import type { Db } from '../storage/database.js';
import type { TeamKeyRow } from './tables.js';

export const teamKeyAlgorithms: readonly TeamKeyAlgorithm[] = ['ed25519', 'rsa4096'];

/** Where admins generate, import and replace the team key in the browser (routes-admin-keys.tsx). */
export const TEAM_KEY_PAGE = '/admin/keys';

/** The passphrase from the environment, or a clear refusal saying how to set it. */
export function requirePassphrase(config: Pick<Config, 'pgpPassphrase'>): string {
  const value = config.pgpPassphrase;
  if (!value) {
    throw new AppError(
      'precondition_failed',
      `Set PGP_PASSPHRASE in the environment (at least ${minimumPassphraseLength} characters) first: the team's secret key is stored encrypted under it, and Cordon needs it to sign and decrypt mail.`,
      [{ field: 'PGP_PASSPHRASE', message: 'not set' }],
    );
  }
  if (value.length < minimumPassphraseLength) {
    throw new AppError('precondition_failed', `PGP_PASSPHRASE is too short: use at least ${minimumPassphraseLength} characters.`, [
      { field: 'PGP_PASSPHRASE', message: 'too short' },
    ]);
  }
  return value;
}

export async function listTeamKeys(db: Db): Promise<TeamKeyRow[]> {
  return db.selectFrom('team_keys').selectAll().orderBy('status').orderBy('added_at', 'desc').orderBy('id', 'desc').execute();
}

export async function currentTeamKey(db: Db): Promise<TeamKeyRow | undefined> {
  return db.selectFrom('team_keys').selectAll().where('status', '=', 'current').executeTakeFirst();
}

/** "Name <email>" → its parts (the first user id of a key names the team). */
function splitUserId(userId: string | undefined): { name?: string; email?: string } {
  const match = /^(.*?)\s*<([^>]+)>\s*$/.exec(userId ?? '');
  return match ? { name: match[1] || undefined, email: match[2] } : {};
}

interface PreparedKey {
  fingerprint: string;
  publicKey: string;
  secretKey: string;
  algorithm: string;
  userIds: string[];
  created: Date;
  expires: Date | null;
}

/** Checks a secret key can serve as the team key today: signs and receives encrypted mail. */
async function prepareSecretKey(locked: PrivateKey, unlocked: PrivateKey, passphrase: string, now: Date): Promise<PreparedKey> {
  const inspection = await inspectParsedKey(unlocked, now);
  for (const [use, verdict] of [['sign mail', inspection.usableForSigning], ['receive encrypted mail', inspection.usableForEncryption]] as const) {
    if (!verdict.usable) throw errors.field('key', `This key cannot ${use}: ${verdict.message ?? verdict.reason ?? 'unusable'}`);
  }
  // A key that arrived protected keeps its protection only if it is PGP_PASSPHRASE; otherwise re-protect it.
  const secretKey = locked === unlocked ? await encryptSecretKeyAtRest(unlocked, passphrase) : locked.armor();
  return {
    fingerprint: inspection.fingerprint,
    publicKey: unlocked.toPublic().armor(),
    secretKey,
    algorithm: inspection.label,
    userIds: inspection.userIds,
    created: inspection.created,
    expires: inspection.expires,
  };
}

async function storeKey(scope: Scope, key: PreparedKey, source: 'generated' | 'imported', rotate: boolean, reason?: string): Promise<void> {
  await change(scope, async ({ trx, now, audit }) => {
    const current = await currentTeamKey(trx);
    if (current && !rotate) {
      throw errors.conflict(`A team key already exists (${current.fingerprint}). Replace it at ${TEAM_KEY_PAGE} or with \`cordon keys rotate\`; the old key is kept for decrypting old mail.`);
    }
    const same = await trx.selectFrom('team_keys').select('id').where('fingerprint', '=', key.fingerprint).executeTakeFirst();
    if (same) throw errors.conflict(`The key ${key.fingerprint} is already one of the team keys.`);
    if (current) {
      await trx.updateTable('team_keys').set({ status: 'retired', retired_at: now.toISOString() }).where('id', '=', current.id).execute();
      await audit('team_key.retired', 'team_key', current.fingerprint, { status: 'current' }, { status: 'retired', replaced_by: key.fingerprint, ...(reason ? { reason } : {}) });
    }
    await trx
      .insertInto('team_keys')
      .values({
        fingerprint: key.fingerprint,
        status: 'current',
        source,
        public_key: key.publicKey,
        secret_key: key.secretKey,
        algorithm: key.algorithm,
        user_ids: JSON.stringify(key.userIds),
        key_created_at: key.created.toISOString(),
        expires_at: key.expires ? key.expires.toISOString() : null,
        added_at: now.toISOString(),
        retired_at: null,
      })
      .execute();
    await audit(source === 'generated' ? 'team_key.generated' : 'team_key.imported', 'team_key', key.fingerprint, undefined, {
      fingerprint: key.fingerprint,
      algorithm: key.algorithm,
      user_ids: key.userIds,
      expires_at: key.expires?.toISOString() ?? null,
    });
  });
}

export interface NewTeamKeyOptions {
  name?: string;
  email?: string;
  algorithm?: TeamKeyAlgorithm;
  expiresInDays?: number;
  /** Why the current key is replaced (the confirmation step's reason), recorded in the audit event. */
  reason?: string;
}

/** Generates a key (v4, ed25519/cv25519 by default) and makes it current. Returns its revocation certificate. */
export async function generateAndStoreTeamKey(scope: Scope, options: NewTeamKeyOptions, rotate = false): Promise<{ fingerprint: string; revocationCertificate: string }> {
  const { config, clock } = scope.app;
  const passphrase = requirePassphrase(config);
  const previous = rotate ? splitUserId((JSON.parse((await currentTeamKey(scope.app.storage.db))?.user_ids ?? '[]') as string[])[0]) : {};
  const algorithm = options.algorithm ?? 'ed25519';
  if (!teamKeyAlgorithms.includes(algorithm)) throw errors.field('algorithm', `Use one of ${teamKeyAlgorithms.join(', ')}.`);
  if (options.expiresInDays !== undefined && (!Number.isInteger(options.expiresInDays) || options.expiresInDays < 1 || options.expiresInDays > 3650)) {
    throw errors.field('expires', 'Give the expiry as a whole number of days between 1 and 3650.');
  }
  const now = clock.now();
  const generated = await generateTeamKey({
    name: options.name ?? previous.name ?? teamNameFor(config.instanceName),
    email: options.email ?? previous.email ?? config.teamEmail,
    passphrase,
    algorithm,
    date: now,
    ...(options.expiresInDays ? { expiresInSeconds: options.expiresInDays * 86_400 } : {}),
  });
  const locked = await readSingleSecretKey(generated.secretKeyArmored, 'key');
  const unlocked = await unlockSecretKey(generated.secretKeyArmored, passphrase, 'key');
  await storeKey(scope, await prepareSecretKey(locked, unlocked, passphrase, now), 'generated', rotate, options.reason);
  return { fingerprint: generated.fingerprint, revocationCertificate: generated.revocationCertificate };
}

/**
 * Imports an existing secret key (armored or binary). A protected key is unlocked with `keyPassphrase`
 * (or PGP_PASSPHRASE) and stored protected under PGP_PASSPHRASE.
 */
export async function importTeamKey(scope: Scope, input: KeyInput, options: { keyPassphrase?: string; rotate?: boolean; reason?: string } = {}): Promise<{ fingerprint: string }> {
  const passphrase = requirePassphrase(scope.app.config);
  const key = await readSingleKey(input, 'key');
  if (!key.isPrivate()) {
    throw errors.field('key', 'This is a public key. The team key must include its secret part: export it with `gpg --armor --export-secret-keys FINGERPRINT`.');
  }
  const secret = await readSingleSecretKey(input, 'key');
  let unlocked: PrivateKey;
  let locked: PrivateKey;
  if (secret.isDecrypted()) {
    unlocked = secret;
    locked = secret;
  } else {
    const keyPassphrase = options.keyPassphrase ?? passphrase;
    try {
      unlocked = await unlockSecretKey(input, keyPassphrase, 'key');
    } catch (error) {
      if (error instanceof PgpError && error.reason === 'wrong_passphrase') {
        throw errors.field('key', 'The passphrase does not unlock this secret key. Give the key’s own passphrase (on the key page, or with --passphrase-stdin); the key is then stored under PGP_PASSPHRASE.');
      }
      throw error;
    }
    // Keep the original protection only when it is already PGP_PASSPHRASE.
    locked = keyPassphrase === passphrase ? secret : unlocked;
  }
  const prepared = await prepareSecretKey(locked, unlocked, passphrase, scope.app.clock.now());
  await storeKey(scope, prepared, 'imported', options.rotate ?? false, options.reason);
  return { fingerprint: prepared.fingerprint };
}

// Unlocking costs a key-derivation run; the unlocked key is kept in memory for this process only.
const unlockedCache = new Map<string, Promise<PrivateKey>>();

function unlockCached(row: Pick<TeamKeyRow, 'fingerprint' | 'secret_key'>, passphrase: string): Promise<PrivateKey> {
  const cacheKey = createHash('sha256').update(`${row.fingerprint}\0${passphrase}\0${row.secret_key}`).digest('hex');
  let pending = unlockedCache.get(cacheKey);
  if (!pending) {
    pending = unlockSecretKey(row.secret_key, passphrase, `team key ${row.fingerprint}`);
    unlockedCache.set(cacheKey, pending);
    pending.catch(() => unlockedCache.delete(cacheKey));
  }
  return pending;
}

export interface UnlockedTeamKeys {
  /** The current key, for signing; null when no team key exists. */
  signing: PrivateKey | null;
  /** Current first, then retired ones: every key that may open incoming mail. */
  decryption: PrivateKey[];
}

/** Unlocks the team keys. No keys → nothing to unlock; keys without PGP_PASSPHRASE → a clear error. */
export async function unlockTeamKeys(db: Db, config: Pick<Config, 'pgpPassphrase'>): Promise<UnlockedTeamKeys> {
  const rows = await db.selectFrom('team_keys').select(['fingerprint', 'secret_key', 'status']).orderBy('status').orderBy('id', 'desc').execute();
  if (rows.length === 0) return { signing: null, decryption: [] };
  const passphrase = requirePassphrase(config);
  const keys = await Promise.all(rows.map((row) => unlockCached(row, passphrase)));
  const currentIndex = rows.findIndex((row) => row.status === 'current');
  return { signing: currentIndex >= 0 ? (keys[currentIndex] ?? null) : null, decryption: keys };
}

/** The user id a key made now should carry: the instance name and the current team address. */
export function teamUserIdFor(config: Pick<Config, 'instanceName' | 'teamEmail'>): { name: string; email: string } {
  return { name: teamNameFor(config.instanceName), email: config.teamEmail };
}

/** "Cordon" → "Cordon Security Team"; "Widget Security" → "Widget Security Team" (no "Security security team"). */
export function teamNameFor(instanceName: string): string {
  if (/\bteam\b/i.test(instanceName)) return instanceName;
  return /\bsecurity\b/i.test(instanceName) ? `${instanceName} Team` : `${instanceName} Security Team`;
}

/**
 * Whether the key names the current team address. A key made before TEAM_EMAIL was set carries the old one
 * (issue 15: `security@localhost`), so people who check the signature see an address the team does not read.
 */
export function keyNamesTeamAddress(row: Pick<TeamKeyRow, 'user_ids'>, teamEmail: string): boolean {
  const wanted = teamEmail.trim().toLowerCase();
  return (JSON.parse(row.user_ids) as string[]).some((uid) => (splitUserId(uid).email ?? uid).trim().toLowerCase() === wanted);
}
