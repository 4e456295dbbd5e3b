// Encrypt-and-sign in one OpenPGP message (RFC 3156 §6.2 "combined" method), SEIPDv1 so that
// GnuPG 2.2 recipients can open it.
import { createMessage, encrypt } from 'openpgp';
import type { PrivateKey, PublicKey } from 'openpgp';
import { gnupgCompatibleConfig } from './config.js';
import { PgpError } from './errors.js';

/** Encrypts bytes to every recipient key and signs them with the team key; returns ASCII armor. */
export async function encryptAndSign(
  data: Uint8Array,
  options: { recipientKeys: PublicKey[]; signingKey: PrivateKey },
): Promise<string> {
  if (options.recipientKeys.length === 0) {
    throw new PgpError('no_key', 'recipientKeys', 'At least one recipient key is needed to encrypt.');
  }
  if (!options.signingKey.isDecrypted()) {
    throw new PgpError('secret_key_required', 'signingKey', 'The signing key is locked; unlock it with its passphrase first.');
  }
  const message = await createMessage({ binary: data });
  // Non-streamed input gives a string (the stream typings are not installed).
  return (await encrypt({
    message,
    encryptionKeys: options.recipientKeys,
    signingKeys: options.signingKey,
    format: 'armored',
    config: gnupgCompatibleConfig,
  })) as string;
}
