// The team key: generated once, stored encrypted under a passphrase that only the environment
// holds (DESIGN.md §5: secrets only from the environment), unlocked in memory to sign and decrypt.
// Rotation keeps old secret keys around so mail encrypted to them can still be opened.
import { decryptKey, encryptKey, generateKey } from 'openpgp';
import type { PrivateKey } from 'openpgp';
import { gnupgCompatibleConfig } from './config.js';
import { PgpError, errorMessage } from './errors.js';
import { readSingleSecretKey } from './read.js';
import type { KeyInput } from './read.js';

export type TeamKeyAlgorithm = 'ed25519' | 'rsa4096';

export interface GeneratedTeamKey {
  fingerprint: string;
  publicKeyArmored: string;
  /** The secret key, encrypted under the passphrase (safe to store at rest). */
  secretKeyArmored: string;
  revocationCertificate: string;
}

/** Passphrases shorter than this are refused: the secret key file may leak with a backup. */
export const minimumPassphraseLength = 12;

function checkPassphrase(passphrase: string, field: string): void {
  if (passphrase.length < minimumPassphraseLength) {
    throw new PgpError('weak_passphrase', field, `The passphrase must be at least ${minimumPassphraseLength} characters long.`);
  }
}

/**
 * Generates a v4 team key GnuPG 2.2 can use: ed25519 signing primary with a cv25519 encryption
 * subkey (default), or RSA-4096 with an RSA-4096 encryption subkey.
 */
export async function generateTeamKey(options: {
  name: string;
  email: string;
  passphrase: string;
  algorithm?: TeamKeyAlgorithm;
  /** Seconds until expiry; omitted means the key does not expire. */
  expiresInSeconds?: number;
  date?: Date;
}): Promise<GeneratedTeamKey> {
  checkPassphrase(options.passphrase, 'passphrase');
  if (/[\r\n<>]/.test(options.name) || !options.name.trim()) {
    throw new PgpError('malformed_packet', 'name', 'The key name must be one line without < or >.');
  }
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(options.email)) {
    throw new PgpError('malformed_packet', 'email', 'The key email must be a plain address such as security@example.org.');
  }
  const algorithm = options.algorithm ?? 'ed25519';
  const shape =
    algorithm === 'rsa4096'
      ? ({ type: 'rsa', rsaBits: 4096 } as const)
      : ({ type: 'ecc', curve: 'ed25519Legacy' } as const);
  const generated = await generateKey({
    ...shape,
    userIDs: [{ name: options.name.trim(), email: options.email }],
    passphrase: options.passphrase,
    ...(options.expiresInSeconds ? { keyExpirationTime: options.expiresInSeconds } : {}),
    ...(options.date ? { date: options.date } : {}),
    format: 'object',
    config: gnupgCompatibleConfig,
  });
  return {
    fingerprint: generated.publicKey.getFingerprint().toUpperCase(),
    publicKeyArmored: generated.publicKey.armor(),
    secretKeyArmored: generated.privateKey.armor(),
    revocationCertificate: generated.revocationCertificate,
  };
}

/** Encrypts an unprotected secret key under a passphrase for storage at rest. */
export async function encryptSecretKeyAtRest(input: KeyInput | PrivateKey, passphrase: string): Promise<string> {
  checkPassphrase(passphrase, 'passphrase');
  const key = typeof input === 'string' || input instanceof Uint8Array ? await readSingleSecretKey(input, 'secretKey') : input;
  if (!key.isDecrypted()) {
    throw new PgpError('secret_key_required', 'secretKey', 'The secret key is already passphrase-protected; unlock it first.');
  }
  try {
    const locked = await encryptKey({ privateKey: key, passphrase, config: gnupgCompatibleConfig });
    return locked.armor();
  } catch (error) {
    throw new PgpError('malformed_packet', 'secretKey', `The secret key could not be encrypted: ${errorMessage(error)}.`);
  }
}

/** Unlocks a stored, passphrase-protected secret key for use in memory. */
export async function unlockSecretKey(input: KeyInput, passphrase: string, field = 'secretKey'): Promise<PrivateKey> {
  const key = await readSingleSecretKey(input, field);
  if (key.isDecrypted()) {
    throw new PgpError(
      'secret_key_not_protected',
      field,
      'The stored secret key is not passphrase-protected. Store it encrypted (encryptSecretKeyAtRest) and give the passphrase through the environment.',
    );
  }
  try {
    return await decryptKey({ privateKey: key, passphrase, config: gnupgCompatibleConfig });
  } catch (error) {
    const detail = errorMessage(error);
    if (/incorrect key passphrase|passphrase/i.test(detail)) {
      throw new PgpError('wrong_passphrase', field, 'The passphrase does not unlock this secret key.');
    }
    throw new PgpError('malformed_packet', field, `The secret key could not be unlocked: ${detail}.`);
  }
}

/**
 * Unlocks the current team key and any retired ones (rotation). The first is the current key
 * (used for signing); all are tried for decryption.
 */
export async function unlockSecretKeys(inputs: KeyInput[], passphrase: string): Promise<PrivateKey[]> {
  if (inputs.length === 0) throw new PgpError('no_key', 'secretKeys', 'No team secret key is configured.');
  return Promise.all(inputs.map((input, index) => unlockSecretKey(input, passphrase, `secretKeys.${index}`)));
}

/** Reads the team key passphrase from the environment; refuses a missing or short one. */
export function teamKeyPassphraseFromEnv(
  env: Record<string, string | undefined> = process.env,
  variable = 'CORDON_PGP_PASSPHRASE',
): string {
  const value = env[variable];
  if (!value) throw new PgpError('wrong_passphrase', variable, `Set ${variable} to the team key passphrase.`);
  checkPassphrase(value, variable);
  return value;
}
