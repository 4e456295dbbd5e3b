// Glue between incoming mail and the PGP layer: maps PgpErrors to mail rejections and opens
// inline-armored blocks (the pre-PGP/MIME style many reporters still use).
import type { Key, PrivateKey } from 'openpgp';
import { decryptMessage } from '../../pgp/decrypt.js';
import type { DecryptedMessage } from '../../pgp/decrypt.js';
import { PgpError } from '../../pgp/errors.js';
import { classifyWorst, verifyClearSigned } from '../../pgp/verify.js';
import type { SignatureCheck } from '../../pgp/verify.js';
import { MailRejection } from './errors.js';
import type { InboundLimits } from './limits.js';

export interface PgpContext {
  secretKeys: PrivateKey[];
  knownPublicKeys: Key[];
  limits: InboundLimits;
  now: Date;
}

export function rejectionFromPgp(error: unknown, where: string): MailRejection {
  if (!(error instanceof PgpError)) throw error;
  switch (error.reason) {
    case 'no_matching_secret_key':
      return new MailRejection('not_encrypted_to_team', `${where}: ${error.message}`);
    case 'decryption_failed':
      return new MailRejection('decryption_failed', `${where}: ${error.message}`);
    default:
      return new MailRejection('malformed_pgp', `${where}: ${error.message}`);
  }
}

export async function decryptForMail(input: string | Uint8Array, context: PgpContext, where: string): Promise<DecryptedMessage> {
  try {
    return await decryptMessage(input, {
      secretKeys: context.secretKeys,
      knownPublicKeys: context.knownPublicKeys,
      maxPlaintextBytes: context.limits.maxMessageBytes,
      now: context.now,
    });
  } catch (error) {
    throw rejectionFromPgp(error, where);
  }
}

const encryptedBlock = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/;
const signedBlock = /-----BEGIN PGP SIGNED MESSAGE-----[\s\S]*?-----END PGP SIGNATURE-----/;
// Bounded so that a body full of armor blocks cannot make us work forever.
const maxInlineBlocks = 16;

export interface InlineResult {
  text: string;
  encrypted: boolean;
  signature: SignatureCheck;
  /** True when the text also holds content outside the signed or encrypted blocks. */
  partial: boolean;
}

/** Decrypts and verifies inline-armored blocks in a text body, replacing each by its content. */
export async function openInlineText(text: string, context: PgpContext): Promise<InlineResult | null> {
  if (!encryptedBlock.test(text) && !signedBlock.test(text)) return null;
  let remaining = text;
  let outside = '';
  const output: string[] = [];
  const checks: SignatureCheck[] = [];
  let encrypted = false;
  for (let count = 0; count < maxInlineBlocks; count += 1) {
    const encryptedMatch = encryptedBlock.exec(remaining);
    const signedMatch = signedBlock.exec(remaining);
    const match = [encryptedMatch, signedMatch]
      .filter((candidate): candidate is RegExpExecArray => candidate !== null)
      .sort((a, b) => a.index - b.index)[0];
    if (!match) break;
    outside += remaining.slice(0, match.index);
    output.push(remaining.slice(0, match.index));
    if (match === encryptedMatch) {
      encrypted = true;
      const decrypted = await decryptForMail(match[0], context, 'inline PGP message');
      let plain = new TextDecoder('utf-8').decode(decrypted.data);
      let check = decrypted.signature;
      // Sign-then-encrypt as two steps leaves a clear-signed block inside.
      const inner = signedBlock.exec(plain);
      if (check.status === 'none' && inner) {
        const verified = await verifyInline(inner[0], context);
        plain = plain.replace(inner[0], verified.text);
        check = verified.signature;
      }
      checks.push(check);
      output.push(plain);
    } else {
      const verified = await verifyInline(match[0], context);
      checks.push(verified.signature);
      output.push(verified.text);
    }
    remaining = remaining.slice(match.index + match[0].length);
  }
  outside += remaining;
  output.push(remaining);
  return { text: output.join(''), encrypted, signature: classifyWorst(checks), partial: outside.trim() !== '' };
}

async function verifyInline(block: string, context: PgpContext): Promise<{ text: string; signature: SignatureCheck }> {
  try {
    return await verifyClearSigned(block, context.knownPublicKeys, context.now);
  } catch (error) {
    if (!(error instanceof PgpError)) throw error;
    // Unreadable signature armor: keep the text, flag it as not verifiable.
    return { text: block, signature: { status: 'invalid', detail: error.message } };
  }
}
