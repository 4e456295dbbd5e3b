// Key inspection: what a key is, and whether Cordon may encrypt to it or trust its signatures.
// Used when people upload keys (stakeholders, reporters) and when the team key is configured.
import type { Key, PublicKey } from 'openpgp';
import { fullConfig, strictKeyUseConfig } from './config.js';
import { PgpError, errorMessage } from './errors.js';
import { primaryStatus, subkeyStatus } from './key-components.js';
import type { ComponentStatus, KeyComponentInfo, KeyProblemReason } from './key-components.js';
import { readSingleKey } from './read.js';
import type { KeyInput } from './read.js';

export type { KeyAlgorithm, KeyCapability, KeyComponentInfo, KeyProblemReason } from './key-components.js';

export interface KeyUsability {
  usable: boolean;
  reason?: KeyProblemReason;
  message?: string;
  /** Key id of the (sub)key that would be used, when usable. */
  keyId?: string;
}

export interface KeyInspection extends KeyComponentInfo {
  kind: 'public' | 'secret';
  /** For secret keys: whether the secret material is still passphrase-protected. */
  secretLocked?: boolean;
  userIds: string[];
  revocationReason?: string;
  subkeys: KeyComponentInfo[];
  usableForEncryption: KeyUsability;
  usableForSigning: KeyUsability;
}

function verdict(
  primary: ComponentStatus,
  candidates: ComponentStatus[],
  missing: { reason: KeyProblemReason; message: string },
): KeyUsability {
  if (primary.problem) return { usable: false, ...primary.problem };
  if (candidates.length === 0) return { usable: false, ...missing };
  const good = candidates.find((candidate) => !candidate.problem);
  if (good) return { usable: true, keyId: good.info.keyId };
  // Report the newest capable component's problem: that is the one a user would expect to work.
  const newest = [...candidates].sort((a, b) => b.info.created.getTime() - a.info.created.getTime())[0];
  const problem = newest?.problem ?? missing;
  return { usable: false, reason: problem.reason, message: problem.message };
}

/** Cross-check with OpenPGP.js itself so a "usable" verdict never promises more than it delivers. */
async function confirmWithLibrary(usability: KeyUsability, select: () => Promise<unknown>): Promise<KeyUsability> {
  if (!usability.usable) return usability;
  try {
    await select();
    return usability;
  } catch (error) {
    return { usable: false, reason: 'unusable', message: `The key cannot be used: ${errorMessage(error)}.` };
  }
}

/** Inspects an already-parsed key. */
export async function inspectParsedKey(key: Key, now = new Date()): Promise<KeyInspection> {
  const primary = await primaryStatus(key, now);
  const subkeys = await Promise.all(key.subkeys.map((subkey) => subkeyStatus(subkey, now)));
  const all = [primary, ...subkeys];
  const encryptionCandidates = all.filter((component) => component.info.capabilities.includes('encrypt'));
  const signingCandidates = all.filter((component) => component.info.capabilities.includes('sign'));

  const usableForEncryption = await confirmWithLibrary(
    verdict(primary, encryptionCandidates, {
      reason: 'no_encryption_subkey',
      message: 'The key has no encryption subkey, so nothing can be encrypted to it. Add an encryption subkey (e.g. cv25519).',
    }),
    () => key.getEncryptionKey(undefined, now, undefined, fullConfig(strictKeyUseConfig)),
  );
  const usableForSigning = await confirmWithLibrary(
    verdict(primary, signingCandidates, {
      reason: 'no_signing_key',
      message: 'The key has no signing-capable key.',
    }),
    () => key.getSigningKey(undefined, now, undefined, fullConfig(strictKeyUseConfig)),
  );

  const revocation = key.revocationSignatures[0];
  const revocationReason = primary.info.revoked ? (revocation?.reasonForRevocationString ?? undefined) : undefined;
  const secret = key.isPrivate();
  return {
    ...primary.info,
    kind: secret ? 'secret' : 'public',
    ...(secret ? { secretLocked: !key.isDecrypted() } : {}),
    userIds: key.getUserIDs(),
    ...(revocationReason ? { revocationReason } : {}),
    subkeys: subkeys.map((subkey) => subkey.info),
    usableForEncryption,
    usableForSigning,
  };
}

/**
 * Inspects one key given as armored text or binary packets. Refuses garbage, truncated packets,
 * non-key armor and several keys where one is expected, with a PgpError naming the problem.
 */
export async function inspectKey(input: KeyInput, options: { now?: Date; field?: string } = {}): Promise<KeyInspection> {
  const key = await readSingleKey(input, options.field ?? 'key');
  return inspectParsedKey(key, options.now ?? new Date());
}

/** Reads a recipient's public key and refuses it unless Cordon can encrypt to it now. */
export async function readRecipientKey(input: KeyInput | Key, field = 'recipientKey', now = new Date()): Promise<PublicKey> {
  const key = typeof input === 'string' || input instanceof Uint8Array ? await readSingleKey(input, field) : input;
  const inspection = await inspectParsedKey(key, now);
  if (!inspection.usableForEncryption.usable) {
    throw new PgpError(
      'key_unusable',
      field,
      `Cannot encrypt to ${inspection.fingerprint}: ${inspection.usableForEncryption.message ?? 'unusable key'}`,
    );
  }
  return key.toPublic();
}
