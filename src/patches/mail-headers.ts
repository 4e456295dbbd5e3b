// Mail header handling for patch mails: unfolding (RFC 5322 §2.2.3), encoded words (RFC 2047),
// addresses and dates (RFC 5322 §3.3/§3.4), and the reverse for writing an mbox back.
import type { PatchDate, PatchPerson } from './types.js';

export interface HeaderField {
  name: string;
  value: string;
}

/** Unfolds a header block (continuation lines start with space or tab) into fields. */
export function parseHeaderBlock(lines: readonly string[]): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && fields.length) {
      const last = fields[fields.length - 1] as HeaderField;
      last.value += line; // RFC 5322 unfolding removes only the line break.
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).replace(/^[ \t]+/, '') });
  }
  return fields;
}

export function headerValue(fields: readonly HeaderField[], name: string): string | null {
  const wanted = name.toLowerCase();
  const field = fields.find((f) => f.name.toLowerCase() === wanted);
  return field ? field.value : null;
}

/** True when a line looks like a header field (`Name: value`, RFC 5322 §2.2 field-name chars). */
export function isHeaderLine(line: string): boolean {
  return /^[!-9;-~]+:/.test(line);
}

function decodeCharset(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

function decodeQ(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '_') bytes.push(0x20);
    else if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(ch.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(bytes);
}

const encodedWord = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded words; whitespace between two adjacent encoded words is dropped (§6.2). */
export function decodeEncodedWords(value: string): string {
  const joined = value.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, '$1');
  return joined.replace(encodedWord, (_all, charset: string, encoding: string, text: string) => {
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
    return decodeCharset(bytes, charset.replace(/\*.*$/, '')); // RFC 2231 language suffix
  });
}

/** Splits `Name <email>`, `"Doe, J." <email>`, `email (Name)` or a bare address. */
export function parseAddress(value: string): PatchPerson | null {
  const decoded = decodeEncodedWords(value).trim();
  const angle = /^(.*?)\s*<([^<>]*)>\s*$/.exec(decoded);
  if (angle) {
    let name = (angle[1] ?? '').trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) {
      name = name.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    return { name, email: (angle[2] ?? '').trim() };
  }
  const comment = /^(\S+@\S+)\s*\((.*)\)$/.exec(decoded);
  if (comment) return { name: (comment[2] ?? '').trim(), email: comment[1] as string };
  if (/^\S+@\S+$/.test(decoded)) return { name: '', email: decoded };
  return decoded ? { name: decoded, email: '' } : null;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
}

function toDate(
  year: number,
  month: number,
  day: number,
  hh: number,
  mm: number,
  ss: number,
  offset: string,
): string | null {
  const ms = Date.UTC(year, month, day, hh, mm, ss) - offsetMinutes(offset) * 60_000;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * Reads the dates patches carry: RFC 5322 mail dates (`Wed, 7 Aug 2013 10:00:00 +0200`), git's
 * default log format (`Wed Aug 7 10:00:00 2013 +0200`) and ISO-like (`2013-08-07 10:00:00 +0200`).
 */
export function parsePatchDate(raw: string): PatchDate {
  const text = raw.trim();
  const rfc = /^(?:\w{3},\s*)?(\d{1,2})\s+(\w{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4})/.exec(text);
  if (rfc) {
    const month = months.indexOf(rfc[2] as string);
    const offset = rfc[7] as string;
    if (month >= 0) {
      const iso = toDate(Number(rfc[3]), month, Number(rfc[1]), Number(rfc[4]), Number(rfc[5]), Number(rfc[6] ?? 0), offset);
      return { raw: text, iso, offset };
    }
  }
  const gitLog = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})\s+([+-]\d{4})$/.exec(text);
  if (gitLog) {
    const month = months.indexOf(gitLog[1] as string);
    const offset = gitLog[7] as string;
    if (month >= 0) {
      const iso = toDate(Number(gitLog[6]), month, Number(gitLog[2]), Number(gitLog[3]), Number(gitLog[4]), Number(gitLog[5]), offset);
      return { raw: text, iso, offset };
    }
  }
  const isoLike = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})\s*([+-]\d{2}:?\d{2})$/.exec(text);
  if (isoLike) {
    const offset = (isoLike[7] as string).replace(':', '');
    const iso = toDate(Number(isoLike[1]), Number(isoLike[2]) - 1, Number(isoLike[3]), Number(isoLike[4]), Number(isoLike[5]), Number(isoLike[6]), offset);
    return { raw: text, iso, offset };
  }
  const fallback = Date.parse(text);
  return { raw: text, iso: Number.isFinite(fallback) ? new Date(fallback).toISOString() : null, offset: null };
}

/** RFC 5322 date in the author's own zone, as format-patch writes it: `Wed, 7 Aug 2013 10:00:00 +0200`. */
export function formatMailDate(date: PatchDate): string {
  if (date.iso === null) return date.raw;
  const offset = date.offset ?? '+0000';
  const local = new Date(Date.parse(date.iso) + offsetMinutes(offset) * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${weekdays[local.getUTCDay()] as string}, ${local.getUTCDate()} ${months[local.getUTCMonth()] as string} ` +
    `${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${offset}`
  );
}

const qSafe = /^[A-Za-z0-9!*+\-/]$/;

/**
 * Encodes a header value as RFC 2047 Q encoded words when it is not plain printable ASCII,
 * folding so that each word stays within 75 characters (§2) and no UTF-8 character is split.
 */
export function encodeHeaderValue(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && !value.includes('=?')) return value;
  const words: string[] = [];
  let current = '';
  const open = '=?UTF-8?q?';
  for (const ch of value) {
    const encoded = qSafe.test(ch)
      ? ch
      : Array.from(Buffer.from(ch, 'utf8'), (b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    if (open.length + current.length + encoded.length + 2 > 75) {
      words.push(`${open}${current}?=`);
      current = '';
    }
    current += encoded;
  }
  words.push(`${open}${current}?=`);
  return words.join('\n ');
}

/** `Name <email>` for a From: header, quoting or encoding the name as RFC 5322/2047 require. */
export function formatAddress(person: PatchPerson): string {
  const name = person.name;
  if (!name) return `<${person.email}>`;
  if (!/^[\x20-\x7e]*$/.test(name)) return `${encodeHeaderValue(name)} <${person.email}>`;
  if (/[()<>[\]:;@\\,."]/.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}" <${person.email}>`;
  return `${name} <${person.email}>`;
}
