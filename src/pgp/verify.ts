// Signature checking for incoming data. The status names what a reader must know: the signature
// is good, the data was altered, we do not know the signer, or the signer's key was revoked.
import { readCleartextMessage, readSignature, createMessage, verify } from 'openpgp';
import type { Key, Signature } from 'openpgp';
import { gnupgCompatibleConfig } from './config.js';
import { PgpError, errorMessage, packetParseError } from './errors.js';

export type SignatureStatus = 'valid' | 'invalid' | 'unknown-key' | 'revoked-key' | 'none';

export interface SignatureCheck {
  status: SignatureStatus;
  /** Primary-key fingerprint of the signer, when the key is known. */
  fingerprint?: string;
  /** Issuer key id from the signature (may be a subkey). */
  keyId?: string;
  signedAt?: Date;
  /** Why a signature is not valid, in words. */
  detail?: string;
}

/** The per-signature result shape OpenPGP.js returns from verify() and decrypt(). */
export interface LibraryVerification {
  keyID: { toHex(): string };
  verified: Promise<true>;
  signature: Promise<Signature>;
}

export const noSignature: SignatureCheck = { status: 'none' };

async function isComponentRevoked(key: Key, keyIdHex: string, now: Date): Promise<boolean> {
  if (await key.isRevoked(undefined, undefined, now)) return true;
  const subkey = key.subkeys.find((candidate) => candidate.getKeyID().toHex() === keyIdHex);
  if (!subkey) return false;
  return subkey.isRevoked(undefined as unknown as Parameters<typeof subkey.isRevoked>[0], undefined as unknown as Key['keyPacket'], now);
}

async function signedAt(result: LibraryVerification): Promise<Date | undefined> {
  try {
    const signature = await result.signature;
    const packet = signature.packets[0];
    return packet?.created ?? undefined;
  } catch {
    return undefined;
  }
}

async function checkOne(result: LibraryVerification, knownKeys: Key[], now: Date): Promise<SignatureCheck> {
  const keyIdHex = result.keyID.toHex();
  const keyId = keyIdHex.toUpperCase();
  const when = await signedAt(result);
  const base = { keyId, ...(when ? { signedAt: when } : {}) };
  const signer = knownKeys.find((key) => key.getKeys(result.keyID as Parameters<Key['getKeys']>[0]).length > 0);
  if (!signer) {
    return { status: 'unknown-key', ...base, detail: `No known public key has the key id ${keyId}.` };
  }
  const fingerprint = signer.getFingerprint().toUpperCase();
  if (await isComponentRevoked(signer, keyIdHex, now)) {
    return { status: 'revoked-key', ...base, fingerprint, detail: `The signing key ${fingerprint} has been revoked.` };
  }
  try {
    await result.verified;
    return { status: 'valid', ...base, fingerprint };
  } catch (error) {
    return { status: 'invalid', ...base, fingerprint, detail: errorMessage(error) };
  }
}

// When a message carries several signatures, a failed one wins (the data may be altered), then a
// good one, then the reasons we could not check.
const precedence: SignatureStatus[] = ['invalid', 'valid', 'revoked-key', 'unknown-key', 'none'];

/** Picks the check that matters most among several (see precedence above). */
export function classifyWorst(checks: SignatureCheck[]): SignatureCheck {
  for (const status of precedence) {
    const found = checks.find((check) => check.status === status);
    if (found) return found;
  }
  return noSignature;
}

/** Reduces OpenPGP.js verification results to one SignatureCheck. */
export async function classifySignatures(results: LibraryVerification[], knownKeys: Key[], now = new Date()): Promise<SignatureCheck> {
  if (results.length === 0) return noSignature;
  return classifyWorst(await Promise.all(results.map((result) => checkOne(result, knownKeys, now))));
}

/** Verifies an armored or binary detached signature over exact bytes. Unreadable signatures are `invalid`. */
export async function verifyDetachedSignature(
  data: Uint8Array,
  signatureInput: string | Uint8Array,
  knownKeys: Key[],
  now = new Date(),
): Promise<SignatureCheck> {
  let signature: Signature;
  try {
    signature =
      typeof signatureInput === 'string'
        ? await readSignature({ armoredSignature: signatureInput, config: gnupgCompatibleConfig })
        : await readSignature({ binarySignature: signatureInput, config: gnupgCompatibleConfig });
  } catch (error) {
    return { status: 'invalid', detail: `The signature is unreadable: ${errorMessage(error)}` };
  }
  const message = await createMessage({ binary: data });
  let result;
  try {
    result = await verify({ message, signature, verificationKeys: knownKeys, format: 'binary', config: gnupgCompatibleConfig });
  } catch (error) {
    // OpenPGP.js reads some packet fields (e.g. an unknown hash or key algorithm) only here, so a
    // damaged signature can throw from verify() too (found by fuzzing: "Invalid enum value").
    return { status: 'invalid', detail: `The signature is unreadable: ${errorMessage(error)}` };
  }
  if (result.signatures.length === 0) return { status: 'invalid', detail: 'The signature block holds no data signature.' };
  return classifySignatures(result.signatures, knownKeys, now);
}

/** Verifies clear-signed text (RFC 4880 §7). Returns the signed text and the check. */
export async function verifyClearSigned(
  armored: string,
  knownKeys: Key[],
  now = new Date(),
): Promise<{ text: string; signature: SignatureCheck }> {
  let message;
  try {
    message = await readCleartextMessage({ cleartextMessage: armored, config: gnupgCompatibleConfig });
  } catch (error) {
    throw packetParseError(error, 'message', 'clear-signed message');
  }
  let result;
  try {
    result = await verify({ message, verificationKeys: knownKeys, config: gnupgCompatibleConfig });
  } catch (error) {
    // As for detached signatures: some packet fields are only read while verifying.
    throw new PgpError('malformed_signature', 'message', `The signature is unreadable: ${errorMessage(error)}`);
  }
  if (result.signatures.length === 0) {
    throw new PgpError('malformed_signature', 'message', 'The clear-signed message holds no signature.');
  }
  return { text: message.getText(), signature: await classifySignatures(result.signatures, knownKeys, now) };
}
