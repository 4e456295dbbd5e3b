// MIME entities (RFC 2045/2046) as 7-bit CRLF strings: text parts, attachments with safe file
// names, and multiparts with random boundaries.
import { randomBytes } from 'node:crypto';
import { base64Lines, encodeText } from './encoding.js';
import { MailBuildError } from './errors.js';
import { assertSingleLine, foldHeader } from './headers.js';

export interface OutgoingAttachment {
  /** A plain file name such as `cve-2013-4183-master-havana.patch`; anything else is refused. */
  filename: string;
  content: string | Uint8Array;
  /** type/subtype; guessed from the extension when omitted. */
  contentType?: string;
}

/** One MIME entity: its header lines and its encoded body, joined with CRLF. */
export interface MimeEntity {
  headers: string[];
  body: string;
}

export function serialiseEntity(entity: MimeEntity): string {
  return `${entity.headers.join('\r\n')}\r\n\r\n${entity.body}`;
}

export function newBoundary(kind: string): string {
  // "=_" cannot occur in quoted-printable or base64 output, so the boundary never collides.
  return `=_cordon_${kind}_${randomBytes(12).toString('hex')}`;
}

export function textEntity(text: string, subtype: 'plain' | 'html' = 'plain'): MimeEntity {
  const { encoding, body } = encodeText(text);
  return {
    headers: [`Content-Type: text/${subtype}; charset=utf-8`, `Content-Transfer-Encoding: ${encoding}`],
    body,
  };
}

const safeFilenamePattern = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;

/** Refuses file names that could traverse paths, hide extensions or need encoding. */
export function checkAttachmentFilename(filename: string, field: string): string {
  assertSingleLine(filename, field);
  if (!safeFilenamePattern.test(filename) || filename.includes('..')) {
    throw new MailBuildError(
      'unsafe_filename',
      field,
      `"${filename}" is not a safe attachment name: use letters, digits, ".", "_", "+" and "-" only, starting with a letter or digit.`,
    );
  }
  return filename;
}

/** Turns any name into a safe one (for names that came from users). */
export function safeAttachmentFilename(name: string, fallback = 'attachment.bin'): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._+-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 200);
  return cleaned || fallback;
}

const typesByExtension: Record<string, string> = {
  patch: 'text/x-patch',
  diff: 'text/x-diff',
  txt: 'text/plain',
  json: 'application/json',
  asc: 'application/pgp-signature',
  sig: 'application/pgp-signature',
  pdf: 'application/pdf',
  png: 'image/png',
};

const contentTypePattern = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/;

export function attachmentEntity(attachment: OutgoingAttachment, field: string): MimeEntity {
  const filename = checkAttachmentFilename(attachment.filename, `${field}.filename`);
  const extension = filename.includes('.') ? (filename.split('.').pop() ?? '').toLowerCase() : '';
  const contentType = attachment.contentType ?? typesByExtension[extension] ?? 'application/octet-stream';
  assertSingleLine(contentType, `${field}.contentType`);
  if (!contentTypePattern.test(contentType)) {
    throw new MailBuildError('invalid_content_type', `${field}.contentType`, `"${contentType}" is not a MIME type of the form type/subtype.`);
  }
  const content = attachment.content;
  const isText = typeof content === 'string';
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  // Base64 keeps the bytes exact: patches must apply byte for byte, CRLFs and all.
  return {
    headers: [
      foldHeader('Content-Type', `${contentType}${isText && contentType.startsWith('text/') ? '; charset=utf-8' : ''}; name="${filename}"`),
      'Content-Transfer-Encoding: base64',
      foldHeader('Content-Disposition', `attachment; filename="${filename}"`),
    ],
    body: base64Lines(bytes),
  };
}

/** A multipart entity; `parameters` are extra Content-Type parameters (already formatted). */
export function multipartEntity(subtype: string, parts: MimeEntity[], parameters: string[] = [], preamble?: string): MimeEntity {
  const boundary = newBoundary(subtype);
  const contentType = [`multipart/${subtype}`, ...parameters, `boundary="${boundary}"`].join(';\r\n ');
  const sections = parts.map((part) => `--${boundary}\r\n${serialiseEntity(part)}\r\n`).join('');
  return {
    headers: [`Content-Type: ${contentType}`],
    body: `${preamble ? `${preamble}\r\n` : ''}${sections}--${boundary}--\r\n`,
  };
}

/** The content entity of a mail: the text alone, or text plus attachments in multipart/mixed. */
export function contentEntity(text: string, attachments: OutgoingAttachment[] = [], extraParts: MimeEntity[] = []): MimeEntity {
  const parts = [...attachments.map((attachment, index) => attachmentEntity(attachment, `attachments.${index}`)), ...extraParts];
  if (parts.length === 0) return textEntity(text);
  return multipartEntity('mixed', [textEntity(text), ...parts]);
}
