/**
 * The boundary check for an uploaded note file (DESIGN.md §5: validate at the boundary, a clear
 * error, nothing changed): empty, oversized, binary or non-UTF-8 input is refused before parsing.
 */
import { errors } from '../../errors/catalogue.js';
import type { ImportWarning } from './import-warnings.js';

/** The largest real note is under 10 kB; a megabyte leaves room and stops abuse. */
export const MAX_NOTE_BYTES = 1_000_000;

/** The first C0 control other than tab, LF, FF and CR (they do not occur in text notes), or -1. */
function controlCharAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || c === 0x7f) return i;
  }
  return -1;
}

function refuse(message: string): never {
  throw errors.field('text', message);
}

/** The text as given (`text`, BOM removed) and with LF line endings (`normalised`). */
export function decodeNoteText(input: string | Uint8Array, warnings: ImportWarning[]): { text: string; normalised: string } {
  let text: string;
  if (typeof input === 'string') {
    if (input.length > MAX_NOTE_BYTES) refuse(`is larger than ${MAX_NOTE_BYTES} bytes; a security note is a few kilobytes`);
    text = input;
  } else {
    if (input.byteLength > MAX_NOTE_BYTES) refuse(`is larger than ${MAX_NOTE_BYTES} bytes; a security note is a few kilobytes`);
    if (input.includes(0)) refuse('is a binary file, not a text note');
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      refuse('is not UTF-8 text');
    }
  }
  if (text.trim() === '') refuse('is empty');
  const control = controlCharAt(text);
  if (control >= 0) {
    const code = text.charCodeAt(control).toString(16).padStart(4, '0');
    refuse(`contains the control character U+${code.toUpperCase()}: it is binary data, not a text note`);
  }
  if (text.startsWith('\ufeff')) {
    text = text.slice(1);
    warnings.push({ kind: 'byte_order_mark', detail: 'the byte-order mark at the start was removed', line: 1 });
  }
  let normalised = text;
  if (text.includes('\r')) {
    normalised = text.replace(/\r\n?/g, '\n');
    warnings.push({ kind: 'line_endings', detail: 'CRLF/CR line endings read as LF' });
  }
  return { text, normalised };
}
