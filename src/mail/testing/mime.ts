// Test helper: splits a multipart body the way a mail client does (RFC 2046 §5.1.1), independent
// of the production scanner, so tests check our output against the RFC rather than against itself.

export interface SplitPart {
  /** The part exactly as sent: its header lines, blank line and body, CRLF kept. */
  raw: string;
  headers: string;
  body: string;
}

export function topBoundary(message: string): string {
  const head = message.slice(0, message.indexOf('\r\n\r\n'));
  const match = /boundary="([^"]+)"/.exec(head);
  if (!match?.[1]) throw new Error('no boundary in the top header section');
  return match[1];
}

export function splitMultipart(message: string, boundary = topBoundary(message)): SplitPart[] {
  const delimiter = `\r\n--${boundary}`;
  const body = message.slice(message.indexOf('\r\n\r\n') + 2);
  const pieces = body.split(delimiter);
  // pieces[0] is the preamble, the last begins with "--" (close delimiter).
  return pieces.slice(1, -1).map((piece) => {
    const raw = piece.slice(piece.indexOf('\r\n') + 2);
    const split = raw.indexOf('\r\n\r\n');
    return { raw, headers: raw.slice(0, split), body: raw.slice(split + 4) };
  });
}

/** Undoes quoted-printable (RFC 2045 §6.7) for checking bodies in tests. */
export function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
