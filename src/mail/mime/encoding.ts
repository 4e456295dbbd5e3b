// Content transfer encodings (RFC 2045 §6) and line-ending canonicalisation. Everything we emit
// is 7-bit with CRLF line ends, so no relay re-encodes it and PGP/MIME signatures stay valid
// (RFC 3156 §3: signed data must not be altered in transit).

export type TransferEncoding = '7bit' | 'quoted-printable' | 'base64';

/** Converts any mix of CRLF, CR and LF line ends to CRLF. */
export function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/** Canonical CRLF form of raw bytes: bare LF becomes CRLF (RFC 3156 §5, RFC 2046 §4.1.1). */
export function canonicalCrlfBytes(bytes: Uint8Array): Buffer {
  let bareLineFeeds = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    if (bytes[index] === 0x0a && (index === 0 || bytes[index - 1] !== 0x0d)) bareLineFeeds += 1;
  }
  if (bareLineFeeds === 0) return Buffer.from(bytes);
  const out = Buffer.alloc(bytes.length + bareLineFeeds);
  let position = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index] ?? 0;
    if (byte === 0x0a && (index === 0 || bytes[index - 1] !== 0x0d)) out[position++] = 0x0d;
    out[position++] = byte;
  }
  return out;
}

/**
 * Text that can travel as 7bit unchanged: ASCII, short lines, no trailing white space (which
 * relays strip), no "From " at a line start (which mbox mangles), no lone "." line.
 */
export function isSafeSevenBit(text: string): boolean {
  return toCrlf(text)
    .split('\r\n')
    .every((line) => /^[\x20-\x7e\t]*$/.test(line) && line.length <= 76 && !/[ \t]$/.test(line) && !line.startsWith('From ') && line !== '.');
}

const hex = (byte: number): string => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** RFC 2045 §6.7 quoted-printable of UTF-8 text; lines end in CRLF and stay within 76 characters. */
export function quotedPrintable(text: string): string {
  return toCrlf(text)
    .split('\r\n')
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      const tokens: string[] = [];
      bytes.forEach((byte, index) => {
        const last = index === bytes.length - 1;
        const plain = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
        let token = plain ? String.fromCharCode(byte) : hex(byte);
        // Protect "From " and a leading dot, which transports may alter (RFC 3156 §3).
        if (index === 0 && (byte === 0x2e || (byte === 0x46 && line.startsWith('From ')))) token = hex(byte);
        tokens.push(token);
      });
      const out: string[] = [];
      let current = '';
      for (const token of tokens) {
        if (current.length + token.length > 75) {
          out.push(`${current}=`);
          current = '';
        }
        current += token;
      }
      out.push(current);
      return out.join('\r\n');
    })
    .join('\r\n');
}

/** Base64 in 76-character lines with CRLF. */
export function base64Lines(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let index = 0; index < encoded.length; index += 76) lines.push(encoded.slice(index, index + 76));
  return lines.join('\r\n');
}

/** Picks 7bit when the text survives unchanged, otherwise quoted-printable. */
export function encodeText(text: string): { encoding: TransferEncoding; body: string } {
  return isSafeSevenBit(text) ? { encoding: '7bit', body: toCrlf(text) } : { encoding: 'quoted-printable', body: quotedPrintable(text) };
}

/** Decodes a transfer-encoded body (for the PGP parts of incoming mail). */
export function decodeTransferEncoding(body: Buffer, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable': {
      const text = body.toString('latin1').replace(/=\r?\n/g, '');
      return Buffer.from(text.replace(/=([0-9A-Fa-f]{2})/g, (_, code: string) => String.fromCharCode(parseInt(code, 16))), 'latin1');
    }
    default:
      return body;
  }
}
