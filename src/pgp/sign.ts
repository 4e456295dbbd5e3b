// Producing signatures with the (unlocked) team key, in the three shapes GnuPG users expect:
// clear-signed text (RFC 4880 §7), armored detached signatures (.asc files), and the detached
// signature over a canonical MIME entity used by PGP/MIME (RFC 3156 §5).
import { SignaturePacket, createCleartextMessage, createMessage, enums, sign } from 'openpgp';
import type { PrivateKey } from 'openpgp';
import { fullConfig, gnupgCompatibleConfig } from './config.js';
import { PgpError } from './errors.js';

function requireUnlocked(signingKey: PrivateKey): void {
  if (!signingKey.isDecrypted()) {
    throw new PgpError('secret_key_required', 'signingKey', 'The signing key is locked; unlock it with its passphrase first.');
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

/** Clear-signs text (e.g. security.txt, RFC 9116 §2.3). Returns the armored signed message. */
export async function clearSignText(text: string, signingKey: PrivateKey): Promise<string> {
  requireUnlocked(signingKey);
  const message = await createCleartextMessage({ text });
  return sign({ message, signingKeys: signingKey, config: gnupgCompatibleConfig });
}

/** An armored detached binary signature over exact bytes: the `.asc` beside a published file. */
export async function detachedSignature(data: Uint8Array | string, signingKey: PrivateKey): Promise<string> {
  requireUnlocked(signingKey);
  const message = await createMessage({ binary: toBytes(data) });
  // Non-streamed input gives a string (the stream typings are not installed).
  return (await sign({ message, signingKeys: signingKey, detached: true, format: 'armored', config: gnupgCompatibleConfig })) as string;
}

/** RFC 3156 §5 micalg names: "pgp-" plus the lower-case hash name of RFC 4880 §9.4. */
const micalgByHash: Partial<Record<number, string>> = {
  [enums.hash.sha1]: 'pgp-sha1',
  [enums.hash.sha224]: 'pgp-sha224',
  [enums.hash.sha256]: 'pgp-sha256',
  [enums.hash.sha384]: 'pgp-sha384',
  [enums.hash.sha512]: 'pgp-sha512',
};

/**
 * Signs the canonical (CRLF) bytes of a MIME entity for multipart/signed, returning the armored
 * signature and the micalg that must name the hash actually used.
 */
export async function signMimeEntity(canonicalEntity: Uint8Array, signingKey: PrivateKey): Promise<{ signature: string; micalg: string }> {
  requireUnlocked(signingKey);
  const message = await createMessage({ binary: canonicalEntity });
  const signature = await sign({ message, signingKeys: signingKey, detached: true, format: 'object', config: gnupgCompatibleConfig });
  const packet = signature.packets.findPacket(enums.packet.signature);
  const hash = packet instanceof SignaturePacket ? packet.hashAlgorithm : null;
  const micalg = hash === null || hash === undefined ? undefined : micalgByHash[hash];
  if (!micalg) throw new Error(`unexpected signature hash algorithm ${String(hash)}`);
  return { signature: signature.armor(fullConfig(gnupgCompatibleConfig)), micalg };
}
