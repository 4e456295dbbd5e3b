// A byte-exact scan of a message's MIME tree (RFC 2045/2046). We need it because PGP/MIME
// verification must hash the signed part exactly as it was sent (RFC 3156 §5), which a decoding
// parser cannot give back, and because limits must be enforced before a full parse.
import { decodeTransferEncoding } from './encoding.js';
import { MailRejection } from './errors.js';
import type { InboundLimits } from './limits.js';

export interface ContentType {
  type: string;
  subtype: string;
  parameters: Record<string, string>;
}

export interface RawEntity {
  /** Offsets into the scanned buffer: the entity runs from start (headers) to end (exclusive). */
  start: number;
  bodyStart: number;
  end: number;
  headers: { name: string; value: string }[];
  contentType: ContentType;
  children: RawEntity[];
}

export interface ScanCounter {
  parts: number;
}

const defaultContentType: ContentType = { type: 'text', subtype: 'plain', parameters: { charset: 'us-ascii' } };

/** Parses `type/subtype; name=value; name="quoted value"` (RFC 2045 §5.1). */
export function parseContentType(value: string | undefined): ContentType {
  if (!value) return defaultContentType;
  const [typePart = '', ...rest] = splitParameters(value);
  const match = /^\s*([^/\s]+)\s*\/\s*([^\s;]+)\s*$/.exec(typePart);
  if (!match) return defaultContentType;
  const parameters: Record<string, string> = {};
  for (const parameter of rest) {
    const equals = parameter.indexOf('=');
    if (equals < 0) continue;
    const name = parameter.slice(0, equals).trim().toLowerCase();
    let parameterValue = parameter.slice(equals + 1).trim();
    if (parameterValue.startsWith('"') && parameterValue.endsWith('"') && parameterValue.length >= 2) {
      parameterValue = parameterValue.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    parameters[name] = parameterValue;
  }
  return { type: (match[1] ?? '').toLowerCase(), subtype: (match[2] ?? '').toLowerCase(), parameters };
}

/** Splits on semicolons outside quoted strings. */
function splitParameters(value: string): string[] {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index += 1) {
    const character = value[index] ?? '';
    if (character === '\\' && quoted) {
      current += character + (value[index + 1] ?? '');
      index += 1;
    } else if (character === '"') {
      quoted = !quoted;
      current += character;
    } else if (character === ';' && !quoted) {
      pieces.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  pieces.push(current);
  return pieces;
}

/** Position just after the line that starts at `from` (past its LF), or text.length. */
function nextLineStart(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline < 0 ? text.length : newline + 1;
}

function lineAt(text: string, from: number, limit: number): string {
  const next = Math.min(nextLineStart(text, from), limit);
  return text.slice(from, next).replace(/\r?\n$/, '');
}

function parseHeaderSection(text: string, start: number, end: number, limits: InboundLimits, topLevel: boolean) {
  const headers: { name: string; value: string }[] = [];
  let position = start;
  // An MTA pipe may hand over an mbox "From " envelope line first.
  if (topLevel && text.startsWith('From ', position)) position = nextLineStart(text, position);
  let bodyStart = end;
  while (position < end) {
    const line = lineAt(text, position, end);
    const next = Math.min(nextLineStart(text, position), end);
    if (line === '') {
      bodyStart = next;
      break;
    }
    if (next - start > limits.maxHeaderBytes) {
      throw new MailRejection('header_too_large', `A header section is larger than ${limits.maxHeaderBytes} bytes.`);
    }
    const last = headers[headers.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.value += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      if (colon > 0 && /^[!-9;-~]+$/.test(line.slice(0, colon).trimEnd())) {
        headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
      } else if (topLevel && headers.length === 0) {
        throw new MailRejection('malformed_mime', 'The message does not start with a header section.');
      }
    }
    position = next;
  }
  if (bodyStart - start > limits.maxHeaderBytes) {
    throw new MailRejection('header_too_large', `A header section is larger than ${limits.maxHeaderBytes} bytes.`);
  }
  return { headers, bodyStart };
}

export function headerValue(entity: RawEntity, name: string): string | undefined {
  return entity.headers.find((header) => header.name === name)?.value;
}

/** Scans the entity in text[start, end) and its children; throws MailRejection on violations. */
export function scanEntity(
  text: string,
  start: number,
  end: number,
  limits: InboundLimits,
  counter: ScanCounter,
  depth = 0,
): RawEntity {
  counter.parts += 1;
  if (counter.parts > limits.maxParts) {
    throw new MailRejection('too_many_parts', `The message has more than ${limits.maxParts} MIME parts.`);
  }
  if (depth > limits.maxDepth) {
    throw new MailRejection('too_deep', `MIME parts are nested more than ${limits.maxDepth} levels deep.`);
  }
  const { headers, bodyStart } = parseHeaderSection(text, start, end, limits, depth === 0);
  if (depth === 0 && headers.length === 0) {
    throw new MailRejection('malformed_mime', 'The message has no header fields.');
  }
  const contentType = parseContentType(headers.find((header) => header.name === 'content-type')?.value);
  const entity: RawEntity = { start, bodyStart, end, headers, contentType, children: [] };
  if (contentType.type === 'multipart') {
    entity.children = scanMultipart(text, entity, limits, counter, depth);
  } else if (contentType.type === 'message' && contentType.subtype === 'rfc822') {
    const encoding = (headerValue(entity, 'content-transfer-encoding') ?? '7bit').toLowerCase();
    // Only an unencoded embedded message can be scanned in place (RFC 2046 §5.2.1).
    if (['7bit', '8bit', 'binary'].includes(encoding) && bodyStart < end) {
      entity.children = [scanEntity(text, bodyStart, end, limits, counter, depth + 1)];
    }
  }
  return entity;
}

function scanMultipart(text: string, entity: RawEntity, limits: InboundLimits, counter: ScanCounter, depth: number): RawEntity[] {
  const boundary = entity.contentType.parameters.boundary;
  const kind = `multipart/${entity.contentType.subtype}`;
  if (!boundary) throw new MailRejection('missing_boundary', `A ${kind} part has no boundary parameter.`);
  if (boundary.length > 200) throw new MailRejection('malformed_mime', `A ${kind} boundary is longer than allowed.`);
  const delimiter = `--${boundary}`;
  const partStarts: number[] = [];
  const partEnds: number[] = [];
  let closed = false;
  let search = entity.bodyStart;
  // indexOf jumps between candidate delimiters, so work stays linear in the body size.
  while (search < entity.end) {
    const found = text.indexOf(delimiter, search);
    if (found < 0 || found + delimiter.length > entity.end) break;
    const lineEnd = Math.min(nextLineStart(text, found), entity.end);
    const atLineStart = found === entity.bodyStart || text[found - 1] === '\n';
    if (atLineStart) {
      const restStart = found + delimiter.length;
      // Only transport padding may follow a delimiter; a long line is ordinary content.
      const rest = text.slice(restStart, Math.min(lineEnd, restStart + 256)).replace(/\r?\n$/, '');
      const isClose = rest.startsWith('--');
      if (isClose || (lineEnd - restStart <= 256 && rest.trim() === '')) {
        // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
        if (partStarts.length > partEnds.length) partEnds.push(lineBreakStart(text, found, partStarts[partStarts.length - 1] ?? found));
        if (isClose) {
          closed = true;
          break;
        }
        partStarts.push(lineEnd);
      }
    }
    search = atLineStart ? lineEnd : found + delimiter.length;
  }
  if (partStarts.length === 0) {
    throw new MailRejection('missing_boundary', `The boundary of a ${kind} part never appears in its body.`);
  }
  // A missing close delimiter is tolerated (common in truncated but otherwise readable mail).
  if (!closed && partStarts.length > partEnds.length) partEnds.push(entity.end);
  return partStarts.map((partStart, index) => scanEntity(text, partStart, partEnds[index] ?? entity.end, limits, counter, depth + 1));
}

function lineBreakStart(text: string, delimiterStart: number, floor: number): number {
  if (delimiterStart - 2 >= floor && text.startsWith('\r\n', delimiterStart - 2)) return delimiterStart - 2;
  if (delimiterStart - 1 >= floor && text[delimiterStart - 1] === '\n') return delimiterStart - 1;
  return delimiterStart;
}

/** Scans a whole message (or a decrypted MIME entity). */
export function scanMessage(raw: Buffer, limits: InboundLimits, counter: ScanCounter = { parts: 0 }): { text: string; root: RawEntity } {
  // latin1 maps each byte to one character, so string offsets are byte offsets.
  const text = raw.toString('latin1');
  return { text, root: scanEntity(text, 0, text.length, limits, counter) };
}

/** The decoded body of a leaf entity (Content-Transfer-Encoding undone). */
export function decodedBody(raw: Buffer, entity: RawEntity): Buffer {
  const body = raw.subarray(entity.bodyStart, entity.end);
  return decodeTransferEncoding(body, headerValue(entity, 'content-transfer-encoding') ?? '7bit');
}
