// Header fields for outgoing mail: RFC 5322 syntax, RFC 2047 encoded-words for non-ASCII text,
// folding at 78 columns (RFC 5322 §2.1.1), and refusal of CR/LF anywhere a value could smuggle in
// extra header fields (header injection).
import { randomBytes } from 'node:crypto';
import { MailBuildError } from './errors.js';

export type MailAddress = string | { name?: string; address: string };

/** Header fields Cordon sets itself; callers may not override them through custom headers. */
const reservedHeaders = new Set([
  'from', 'to', 'cc', 'bcc', 'reply-to', 'sender', 'subject', 'date', 'message-id', 'in-reply-to',
  'references', 'mime-version', 'content-type', 'content-transfer-encoding', 'content-disposition',
  'return-path', 'received',
]);

/** Refuses CR, LF and NUL: each could end the header field and start a forged one. */
export function assertSingleLine(value: string, field: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw new MailBuildError('header_injection', field, 'Line breaks are not allowed in mail header values.');
  }
}

// RFC 5321 §4.1.2 shape, ASCII only; enough to refuse anything that is not a plain mailbox. The grammar's
// Domain is sub-domain *("." sub-domain): one label (security@localhost) is valid syntax. Refusing it here
// made every signed mail of a default instance die while unsigned mail went out (issue 15); whether an
// address is a placeholder is said before sending instead (src/config/placeholder-addresses.ts).
const addressPattern = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function normaliseAddress(input: MailAddress, field: string): { name?: string; address: string } {
  const entry = typeof input === 'string' ? { address: input } : input;
  assertSingleLine(entry.address, field);
  if (entry.name !== undefined) assertSingleLine(entry.name, `${field}.name`);
  const address = entry.address.trim();
  if (!addressPattern.test(address) || address.length > 254) {
    throw new MailBuildError('invalid_address', field, `"${address}" is not a valid email address.`);
  }
  const name = entry.name?.trim();
  return name ? { name, address } : { address };
}

const isAscii = (text: string): boolean => /^[\x20-\x7e\t]*$/.test(text);

/**
 * RFC 2047 "B" encoded-words of UTF-8, split between code points. 36 bytes → 48 base64 characters
 * + 12 of framing = 60, so "Field-Name: " plus one word stays within 78 columns.
 */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = '';
  let chunkBytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, 'utf8');
    if (chunkBytes + size > 36) {
      words.push(chunk);
      chunk = '';
      chunkBytes = 0;
    }
    chunk += character;
    chunkBytes += size;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`);
}

/** Unstructured text (Subject, custom headers): kept as is when plain ASCII, else encoded-words. */
export function encodeUnstructured(value: string): string {
  // A word too long to fold would break the 998-octet line limit; encoded-words can be split.
  const longWord = value.split(/[ \t]+/).some((word) => word.length > 900);
  if (isAscii(value) && !longWord && !/=\?/.test(value)) return value;
  return encodedWords(value).join(' ');
}

const atextPhrase = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/;

/** A display name as an RFC 5322 phrase: atoms, a quoted-string, or encoded-words. */
function encodeDisplayName(name: string): string {
  if (!isAscii(name) || /=\?/.test(name)) return encodedWords(name).join(' ');
  if (atextPhrase.test(name)) return name;
  return `"${name.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

export function formatAddress(input: MailAddress, field: string): string {
  const { name, address } = normaliseAddress(input, field);
  return name ? `${encodeDisplayName(name)} <${address}>` : address;
}

export function formatAddressList(inputs: MailAddress[], field: string): string {
  return inputs.map((input, index) => formatAddress(input, `${field}.${index}`)).join(', ');
}

/** RFC 5322 §3.3 date-time, always in UTC. */
export function formatDate(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

const messageIdPattern = /^<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+>$/;

export function generateMessageId(domain: string): string {
  return `<${Date.now().toString(36)}.${randomBytes(12).toString('hex')}@${domain}>`;
}

export function checkMessageId(value: string, field: string): string {
  assertSingleLine(value, field);
  if (!messageIdPattern.test(value)) {
    throw new MailBuildError('invalid_message_id', field, `"${value}" is not a message id of the form <id@domain>.`);
  }
  return value;
}

export function checkCustomHeader(name: string, value: string): { name: string; value: string } {
  assertSingleLine(name, `headers.${name}`);
  assertSingleLine(value, `headers.${name}`);
  // RFC 5322 §3.6.8: field names are printable ASCII without colon or space.
  if (!/^[!-9;-~]+$/.test(name) || name.length > 76) {
    throw new MailBuildError('invalid_header_name', `headers.${name}`, `"${name}" is not a valid header field name.`);
  }
  if (reservedHeaders.has(name.toLowerCase())) {
    throw new MailBuildError('reserved_header', `headers.${name}`, `The ${name} header is set by Cordon and cannot be overridden.`);
  }
  return { name, value: encodeUnstructured(value) };
}

/** Folds "Name: value" at whitespace so lines stay within 78 characters where possible. */
export function foldHeader(name: string, value: string): string {
  if (value === '') return `${name}:`;
  const tokens = value.split(/(?=[ \t])/);
  const lines: string[] = [];
  let line = `${name}:`;
  let first = true;
  for (const token of tokens) {
    const piece = first ? ` ${token.replace(/^[ \t]/, '')}` : token;
    first = false;
    if (line.length + piece.length > 78 && line.trim().length > name.length + 1) {
      lines.push(line);
      line = /^[ \t]/.test(piece) ? piece : ` ${piece}`;
    } else {
      line += piece;
    }
  }
  lines.push(line);
  return lines.join('\r\n');
}
