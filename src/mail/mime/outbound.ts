// Complete RFC 5322 messages for outgoing mail: plain, PGP/MIME signed (RFC 3156 §5), PGP/MIME
// encrypted and signed (RFC 3156 §4, combined method §6.2), and inline clear-signed text for lists
// that want it. Every header value is checked for injection before anything is signed.
import type { PrivateKey, PublicKey } from 'openpgp';
import { encryptAndSign } from '../../pgp/encrypt.js';
import { readRecipientKey } from '../../pgp/keys.js';
import { clearSignText, detachedSignature, signMimeEntity } from '../../pgp/sign.js';
import { canonicalCrlfBytes } from './encoding.js';
import { attachmentEntity, contentEntity, multipartEntity, serialiseEntity, textEntity } from './entity.js';
import type { MimeEntity, OutgoingAttachment } from './entity.js';
import { MailBuildError } from './errors.js';
import {
  checkCustomHeader,
  checkMessageId,
  encodeUnstructured,
  foldHeader,
  formatAddress,
  formatAddressList,
  formatDate,
  generateMessageId,
  normaliseAddress,
  assertSingleLine,
} from './headers.js';
import type { MailAddress } from './headers.js';

export type { MailAddress } from './headers.js';
export type { OutgoingAttachment } from './entity.js';

export interface OutgoingMail {
  from: MailAddress;
  to: MailAddress[];
  cc?: MailAddress[];
  /** Envelope-only recipients; never written to a header. */
  bcc?: MailAddress[];
  replyTo?: MailAddress;
  subject: string;
  text: string;
  date?: Date;
  /** `<id@domain>`; generated from the From domain when omitted. */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  /** Extra header fields such as `X-Cordon-Report`. */
  headers?: Record<string, string>;
  attachments?: OutgoingAttachment[];
}

export interface BuiltMail {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
}

/** Validates and formats the RFC 5322 header block (without the MIME fields). */
function messageHeaders(mail: OutgoingMail): { lines: string[]; messageId: string; envelope: BuiltMail['envelope'] } {
  const from = normaliseAddress(mail.from, 'from');
  const recipients = [...mail.to, ...(mail.cc ?? []), ...(mail.bcc ?? [])];
  if (recipients.length === 0) throw new MailBuildError('missing_recipient', 'to', 'At least one recipient is needed.');
  assertSingleLine(mail.subject, 'subject');
  const domain = from.address.split('@')[1] ?? 'localhost';
  const messageId = mail.messageId ? checkMessageId(mail.messageId, 'messageId') : generateMessageId(domain);
  const lines = [
    foldHeader('Date', formatDate(mail.date ?? new Date())),
    foldHeader('From', formatAddress(mail.from, 'from')),
  ];
  if (mail.to.length) lines.push(foldHeader('To', formatAddressList(mail.to, 'to')));
  if (mail.cc?.length) lines.push(foldHeader('Cc', formatAddressList(mail.cc, 'cc')));
  if (mail.replyTo) lines.push(foldHeader('Reply-To', formatAddress(mail.replyTo, 'replyTo')));
  lines.push(foldHeader('Subject', encodeUnstructured(mail.subject)));
  lines.push(foldHeader('Message-ID', messageId));
  if (mail.inReplyTo) lines.push(foldHeader('In-Reply-To', checkMessageId(mail.inReplyTo, 'inReplyTo')));
  if (mail.references?.length) {
    lines.push(foldHeader('References', mail.references.map((id, index) => checkMessageId(id, `references.${index}`)).join(' ')));
  }
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    const header = checkCustomHeader(name, value);
    lines.push(foldHeader(header.name, header.value));
  }
  const envelopeTo = recipients.map((recipient, index) => normaliseAddress(recipient, `recipients.${index}`).address);
  return { lines, messageId, envelope: { from: from.address, to: [...new Set(envelopeTo)] } };
}

function assemble(mail: OutgoingMail, top: MimeEntity): BuiltMail {
  const { lines, messageId, envelope } = messageHeaders(mail);
  const head = [...lines, 'MIME-Version: 1.0', ...top.headers].join('\r\n');
  return { raw: Buffer.from(`${head}\r\n\r\n${top.body}`, 'utf8'), messageId, envelope };
}

/** A plain (unsigned) message, for notifications that need no signature. */
export async function buildPlainMessage(mail: OutgoingMail): Promise<BuiltMail> {
  messageHeaders(mail);
  return assemble(mail, contentEntity(mail.text, mail.attachments));
}

/**
 * PGP/MIME signed (RFC 3156 §5): multipart/signed whose first part — headers included, in
 * canonical CRLF form — is covered by the detached signature in the second part.
 */
export async function buildSignedMessage(mail: OutgoingMail, options: { signingKey: PrivateKey }): Promise<BuiltMail> {
  messageHeaders(mail); // refuse bad headers before spending a signature
  const content = contentEntity(mail.text, mail.attachments);
  const signedBytes = canonicalCrlfBytes(Buffer.from(serialiseEntity(content), 'utf8'));
  const { signature, micalg } = await signMimeEntity(signedBytes, options.signingKey);
  const signaturePart: MimeEntity = {
    headers: [
      'Content-Type: application/pgp-signature; name="signature.asc"',
      'Content-Description: OpenPGP digital signature',
      'Content-Disposition: attachment; filename="signature.asc"',
    ],
    body: signature.replace(/\r?\n/g, '\r\n'),
  };
  const top = multipartEntity(
    'signed',
    [content, signaturePart],
    [`micalg=${micalg}`, 'protocol="application/pgp-signature"'],
    'This is an OpenPGP/MIME signed message (RFC 4880 and 3156)',
  );
  return assemble(mail, top);
}

/**
 * PGP/MIME encrypted (RFC 3156 §4): a version part and the armored message, encrypted to every
 * recipient key (and, by default, to the team key so the team can read its own sent mail) and
 * signed by the team key inside the encryption (§6.2).
 */
export async function buildEncryptedMessage(
  mail: OutgoingMail,
  options: { signingKey: PrivateKey; recipientKeys: PublicKey[]; encryptToSelf?: boolean; now?: Date },
): Promise<BuiltMail> {
  messageHeaders(mail);
  if (options.recipientKeys.length === 0) {
    throw new MailBuildError('missing_recipient', 'recipientKeys', 'An encrypted message needs at least one recipient key.');
  }
  const recipients = await Promise.all(
    options.recipientKeys.map((key, index) => readRecipientKey(key, `recipientKeys.${index}`, options.now)),
  );
  if (options.encryptToSelf ?? true) recipients.push(options.signingKey.toPublic());
  const inner = canonicalCrlfBytes(Buffer.from(serialiseEntity(contentEntity(mail.text, mail.attachments)), 'utf8'));
  const armored = await encryptAndSign(inner, { recipientKeys: recipients, signingKey: options.signingKey });
  const versionPart: MimeEntity = {
    headers: ['Content-Type: application/pgp-encrypted', 'Content-Description: PGP/MIME version identification'],
    body: 'Version: 1\r\n',
  };
  const payloadPart: MimeEntity = {
    headers: [
      'Content-Type: application/octet-stream; name="encrypted.asc"',
      'Content-Description: OpenPGP encrypted message',
      'Content-Disposition: inline; filename="encrypted.asc"',
    ],
    body: armored.replace(/\r?\n/g, '\r\n'),
  };
  const top = multipartEntity(
    'encrypted',
    [versionPart, payloadPart],
    ['protocol="application/pgp-encrypted"'],
    'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)',
  );
  return assemble(mail, top);
}

/**
 * Inline clear-signed text (RFC 4880 §7) for lists that want it. Attachments, if any, travel in
 * multipart/mixed, each followed by its detached `.asc` signature when `signAttachments` is set.
 */
export async function buildInlineSignedMessage(
  mail: OutgoingMail,
  options: { signingKey: PrivateKey; signAttachments?: boolean },
): Promise<BuiltMail> {
  messageHeaders(mail);
  const signedText = await clearSignText(mail.text, options.signingKey);
  const attachments = mail.attachments ?? [];
  if (attachments.length === 0) return assemble(mail, textEntity(signedText));
  const parts: MimeEntity[] = [textEntity(signedText)];
  for (const [index, attachment] of attachments.entries()) {
    parts.push(attachmentEntity(attachment, `attachments.${index}`));
    if (options.signAttachments ?? true) {
      const bytes = typeof attachment.content === 'string' ? Buffer.from(attachment.content, 'utf8') : attachment.content;
      const signature = await detachedSignature(bytes, options.signingKey);
      parts.push(attachmentEntity({ filename: `${attachment.filename}.asc`, content: signature, contentType: 'application/pgp-signature' }, `attachments.${index}`));
    }
  }
  return assemble(mail, multipartEntity('mixed', parts));
}
