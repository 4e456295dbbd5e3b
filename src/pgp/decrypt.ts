// Opening incoming encrypted OpenPGP messages with the team key(s), current and retired.
import { decrypt, readMessage } from 'openpgp';
import type { Key, Message, PrivateKey } from 'openpgp';
import { gnupgCompatibleConfig } from './config.js';
import { PgpError, errorMessage, packetParseError } from './errors.js';
import { classifySignatures } from './verify.js';
import type { SignatureCheck } from './verify.js';

export interface DecryptedMessage {
  data: Uint8Array;
  /** File name recorded in the literal data packet (often empty). */
  filename: string;
  /** Signature carried inside the encrypted message (RFC 3156 §6.2), or `none`. */
  signature: SignatureCheck;
}

export interface DecryptOptions {
  secretKeys: PrivateKey[];
  knownPublicKeys: Key[];
  /** Upper bound on decompressed plaintext, against compression bombs. */
  maxPlaintextBytes: number;
  now?: Date;
}

async function readEncrypted(input: string | Uint8Array): Promise<Message<Uint8Array | string>> {
  try {
    return typeof input === 'string'
      ? await readMessage({ armoredMessage: input, config: gnupgCompatibleConfig })
      : await readMessage({ binaryMessage: input, config: gnupgCompatibleConfig });
  } catch (error) {
    throw packetParseError(error, 'message', 'encrypted message');
  }
}

/** Decrypts with whichever team key the message was encrypted to and checks inner signatures. */
export async function decryptMessage(input: string | Uint8Array, options: DecryptOptions): Promise<DecryptedMessage> {
  if (options.secretKeys.length === 0) {
    throw new PgpError('no_matching_secret_key', 'message', 'No team secret key is configured, so encrypted mail cannot be opened.');
  }
  const message = await readEncrypted(input);
  const recipientIds = message.getEncryptionKeyIDs();
  if (recipientIds.length === 0) {
    throw new PgpError('malformed_message', 'message', 'The OpenPGP message is not encrypted to any public key.');
  }
  const ours = recipientIds.some(
    (id) => /^0+$/.test(id.toHex()) || options.secretKeys.some((key) => key.getKeys(id).length > 0),
  );
  if (!ours) {
    const list = recipientIds.map((id) => id.toHex().toUpperCase()).join(', ');
    throw new PgpError(
      'no_matching_secret_key',
      'message',
      `The message is encrypted to key(s) ${list}, none of which is a team key. The sender used the wrong key.`,
    );
  }
  try {
    const result = await decrypt({
      message,
      decryptionKeys: options.secretKeys,
      verificationKeys: options.knownPublicKeys,
      format: 'binary',
      config: { ...gnupgCompatibleConfig, maxDecompressedMessageSize: options.maxPlaintextBytes },
    });
    // Non-streamed input gives a Uint8Array; the typings route through @openpgp/web-stream-tools,
    // which is not installed, so the type is stated here.
    const data = result.data as Uint8Array;
    if (data.length > options.maxPlaintextBytes) {
      throw new PgpError('decryption_failed', 'message', `The decrypted message exceeds ${options.maxPlaintextBytes} bytes.`);
    }
    return {
      data,
      filename: result.filename,
      signature: await classifySignatures(result.signatures, options.knownPublicKeys, options.now),
    };
  } catch (error) {
    if (error instanceof PgpError) throw error;
    throw new PgpError('decryption_failed', 'message', `The message could not be decrypted: ${errorMessage(error)}.`);
  }
}
