// Opening incoming mail (reports by email): PGP/MIME encrypted (RFC 3156 §4) or signed (§5),
// inline-armored, or plain. Limits are enforced on a byte-exact scan before the full parse;
// every refusal is a MailRejection with a reason — never a crash, never an unbounded loop.
import PostalMime from 'postal-mime';
import type { Address, Email } from 'postal-mime';
import type { Key, PrivateKey } from 'openpgp';
import { readKeyring } from '../../pgp/read.js';
import { verifyDetachedSignature, noSignature } from '../../pgp/verify.js';
import type { SignatureCheck } from '../../pgp/verify.js';
import { canonicalCrlfBytes } from './encoding.js';
import { MailRejection } from './errors.js';
import { defaultInboundLimits } from './limits.js';
import type { InboundLimits } from './limits.js';
import { decryptForMail, openInlineText } from './pgp-bridge.js';
import type { PgpContext } from './pgp-bridge.js';
import { decodedBody, scanMessage } from './raw-structure.js';
import type { RawEntity, ScanCounter } from './raw-structure.js';

export interface InboundAddress {
  name: string;
  address: string;
}

export interface InboundAttachment {
  filename: string | null;
  contentType: string;
  content: Buffer;
}

export interface AttachedPublicKey {
  fingerprint: string;
  userIds: string[];
  armored: string;
}

export type InboundEncryption = 'pgp-mime' | 'inline' | 'none';

export interface InboundSignature extends SignatureCheck {
  /** Inline signatures only: the body also holds text outside the signed block. */
  partial?: boolean;
}

export interface InboundMessage {
  from: InboundAddress | null;
  to: InboundAddress[];
  cc: InboundAddress[];
  replyTo: InboundAddress[];
  subject: string;
  date: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  textBody: string;
  /** Untrusted HTML exactly as sent: sanitise before showing it anywhere. */
  htmlBody?: string;
  attachments: InboundAttachment[];
  encryption: InboundEncryption;
  signature: InboundSignature;
  attachedPublicKeys: AttachedPublicKey[];
}

export interface OpenInboundOptions {
  /** Team secret keys, unlocked: current first, then retired ones (rotation). */
  secretKeys: PrivateKey[];
  /** Public keys of known senders, for signature checks. */
  knownPublicKeys: Key[];
  limits?: Partial<InboundLimits>;
  now?: Date;
}

function flatten(addresses: Address[] | undefined): InboundAddress[] {
  const out: InboundAddress[] = [];
  for (const entry of addresses ?? []) {
    if (entry.group) out.push(...entry.group.map((member) => ({ name: member.name, address: member.address })));
    else if (entry.address !== undefined) out.push({ name: entry.name, address: entry.address });
  }
  return out;
}

async function parseWithPostal(data: Buffer, limits: InboundLimits): Promise<Email> {
  try {
    return await PostalMime.parse(data, {
      attachmentEncoding: 'arraybuffer',
      maxNestingDepth: limits.maxDepth + 2,
      maxHeadersSize: limits.maxHeaderBytes * 4,
      maxRfc822NestingDepth: Math.min(limits.maxDepth, 10),
    });
  } catch (error) {
    throw new MailRejection('malformed_mime', `The message could not be parsed: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

function isPgpMime(entity: RawEntity, subtype: string, protocol: string): boolean {
  const { contentType } = entity;
  return contentType.type === 'multipart' && contentType.subtype === subtype && (contentType.parameters.protocol ?? '').toLowerCase() === protocol;
}

/** RFC 3156 §5: verify the first part's exact bytes (CRLF-canonical) against the second part. */
async function verifySignedEntity(raw: Buffer, entity: RawEntity, context: PgpContext): Promise<{ content: Buffer; signature: SignatureCheck }> {
  const [signed, signaturePart] = entity.children;
  if (!signed || !signaturePart || entity.children.length !== 2) {
    throw new MailRejection('malformed_mime', 'A PGP/MIME signed message must have exactly two parts.');
  }
  const content = raw.subarray(signed.start, signed.end);
  const signatureBytes = decodedBody(raw, signaturePart);
  const signatureText = signatureBytes.toString('latin1');
  const signatureInput = signatureText.includes('-----BEGIN PGP SIGNATURE-----') ? signatureText : new Uint8Array(signatureBytes);
  const signature = await verifyDetachedSignature(canonicalCrlfBytes(content), signatureInput, context.knownPublicKeys, context.now);
  return { content: Buffer.from(content), signature };
}

/** RFC 3156 §4: decrypt the second part; the plaintext is a MIME entity, possibly signed (§6.1). */
async function openEncryptedEntity(
  raw: Buffer,
  entity: RawEntity,
  context: PgpContext,
  counter: ScanCounter,
): Promise<{ content: Buffer; signature: SignatureCheck }> {
  const [control, payload] = entity.children;
  if (!control || !payload || entity.children.length !== 2) {
    throw new MailRejection('malformed_mime', 'A PGP/MIME encrypted message must have exactly two parts.');
  }
  if (!/Version:\s*1/i.test(decodedBody(raw, control).toString('latin1'))) {
    throw new MailRejection('malformed_pgp', 'The PGP/MIME control part does not say "Version: 1".');
  }
  const armored = decodedBody(raw, payload);
  const input = armored.includes('-----BEGIN PGP MESSAGE-----') ? armored.toString('latin1') : new Uint8Array(armored);
  const decrypted = await decryptForMail(input, context, 'PGP/MIME message');
  let inner = Buffer.from(decrypted.data);
  // Some senders encrypt bare text instead of a MIME entity; give it a text/plain header.
  if (!/^[!-9;-~]+:/.test(inner.subarray(0, 200).toString('latin1'))) {
    inner = Buffer.concat([Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\n'), inner]);
  }
  const scanned = scanMessage(inner, context.limits, counter);
  if (isPgpMime(scanned.root, 'signed', 'application/pgp-signature')) {
    return verifySignedEntity(inner, scanned.root, context);
  }
  return { content: inner, signature: decrypted.signature };
}

async function collectPublicKeys(attachments: InboundAttachment[]): Promise<AttachedPublicKey[]> {
  const found: AttachedPublicKey[] = [];
  for (const attachment of attachments) {
    const text = attachment.content.toString('utf8');
    if (attachment.contentType !== 'application/pgp-keys' && !text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) continue;
    try {
      for (const key of await readKeyring(attachment.content)) {
        const publicKey = key.toPublic();
        found.push({ fingerprint: publicKey.getFingerprint().toUpperCase(), userIds: publicKey.getUserIDs(), armored: publicKey.armor() });
      }
    } catch {
      // An unreadable key attachment stays an ordinary attachment.
    }
  }
  return found;
}

const encryptedAttachmentName = /\.(pgp|gpg|asc)$/i;

/**
 * Inline-PGP senders (e.g. Enigmail's inline mode) encrypt each attachment as name.pgp. One that
 * cannot be opened stays as it came, so a stray key file named .gpg does not sink the report.
 */
async function openInlineAttachments(attachments: InboundAttachment[], context: PgpContext): Promise<InboundAttachment[]> {
  return Promise.all(
    attachments.map(async (attachment) => {
      const armored = attachment.content.toString('latin1').includes('-----BEGIN PGP MESSAGE-----');
      const named = attachment.filename !== null && /\.(pgp|gpg)$/i.test(attachment.filename);
      if (!armored && !named) return attachment;
      try {
        const input = armored ? attachment.content.toString('latin1') : new Uint8Array(attachment.content);
        const decrypted = await decryptForMail(input, context, `attachment ${attachment.filename ?? ''}`);
        const filename = attachment.filename?.replace(encryptedAttachmentName, '') || decrypted.filename || null;
        return { filename, contentType: 'application/octet-stream', content: Buffer.from(decrypted.data) };
      } catch (error) {
        if (error instanceof MailRejection) return attachment;
        throw error;
      }
    }),
  );
}

/** Parses, decrypts and verifies one incoming message. Throws MailRejection when refused. */
export async function openInboundMessage(raw: Buffer, options: OpenInboundOptions): Promise<InboundMessage> {
  const limits: InboundLimits = { ...defaultInboundLimits, ...options.limits };
  if (raw.length > limits.maxMessageBytes) {
    throw new MailRejection('too_large', `The message is ${raw.length} bytes; the limit is ${limits.maxMessageBytes}.`);
  }
  const context: PgpContext = { secretKeys: options.secretKeys, knownPublicKeys: options.knownPublicKeys, limits, now: options.now ?? new Date() };
  const counter: ScanCounter = { parts: 0 };
  const { root } = scanMessage(raw, limits, counter);
  // Envelope fields come from the outer header section only.
  const envelope = await parseWithPostal(raw.subarray(0, root.bodyStart), limits);

  let content = raw;
  let encryption: InboundEncryption = 'none';
  let signature: InboundSignature = noSignature;
  if (isPgpMime(root, 'encrypted', 'application/pgp-encrypted')) {
    ({ content, signature } = await openEncryptedEntity(raw, root, context, counter));
    encryption = 'pgp-mime';
  } else if (isPgpMime(root, 'signed', 'application/pgp-signature')) {
    ({ content, signature } = await verifySignedEntity(raw, root, context));
  }

  const body = await parseWithPostal(content, limits);
  let textBody = body.text ?? '';
  let attachments: InboundAttachment[] = body.attachments.map((attachment) => ({
    filename: attachment.filename,
    contentType: attachment.mimeType,
    content: typeof attachment.content === 'string' ? Buffer.from(attachment.content) : Buffer.from(new Uint8Array(attachment.content)),
  }));

  if (encryption === 'none' && signature.status === 'none') {
    const inline = await openInlineText(textBody, context);
    if (inline) {
      textBody = inline.text;
      signature = { ...inline.signature, ...(inline.partial ? { partial: true } : {}) };
      if (inline.encrypted) {
        encryption = 'inline';
        attachments = await openInlineAttachments(attachments, context);
      }
    }
  }

  return {
    from: flatten(envelope.from ? [envelope.from] : [])[0] ?? null,
    to: flatten(envelope.to),
    cc: flatten(envelope.cc),
    replyTo: flatten(envelope.replyTo),
    subject: envelope.subject ?? '',
    date: envelope.date ?? null,
    messageId: envelope.messageId ?? null,
    inReplyTo: envelope.inReplyTo ?? null,
    references: (envelope.references ?? '').split(/\s+/).filter(Boolean),
    textBody,
    ...(body.html !== undefined ? { htmlBody: body.html } : {}),
    attachments,
    encryption,
    signature,
    attachedPublicKeys: await collectPublicKeys(attachments),
  };
}
