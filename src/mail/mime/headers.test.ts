// Header and body encodings, checked by decoding with an independent parser (postal-mime).
import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { quotedPrintable, toCrlf } from './encoding.js';
import { safeAttachmentFilename } from './entity.js';
import { MailBuildError } from './errors.js';
import { encodeUnstructured, foldHeader, formatAddress, formatDate } from './headers.js';

async function parse(raw: string) {
  return PostalMime.parse(Buffer.from(raw, 'latin1'));
}

describe('RFC 2047 and folding', () => {
  it('round-trips long non-ASCII subjects through encoded-words and folding', async () => {
    const subjects = [
      '[OSSN-0090] Nova: des données sensibles — “quoted” — 漏洞 — 🙂 emoji and a long tail of words to fold',
      'plain ASCII subject',
      `x${'y'.repeat(950)}`,
      'looks like =?UTF-8?B?encoded?= but is not',
    ];
    for (const subject of subjects) {
      const header = foldHeader('Subject', encodeUnstructured(subject));
      for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
      const parsed = await parse(`${header}\r\nFrom: a@example.org\r\n\r\nbody`);
      expect(parsed.subject).toBe(subject);
    }
  });

  it('formats display names as atoms, quoted strings or encoded-words', async () => {
    expect(formatAddress({ name: 'Alice Example', address: 'alice@example.org' }, 'to')).toBe('Alice Example <alice@example.org>');
    expect(formatAddress({ name: 'Doe, "JD" \\ Jr', address: 'jd@example.org' }, 'to')).toBe('"Doe, \\"JD\\" \\\\ Jr" <jd@example.org>');
    const encoded = formatAddress({ name: 'Zoë <admin>', address: 'zoe@example.org' }, 'to');
    expect(encoded).toMatch(/^=\?UTF-8\?B\?/);
    const parsed = await parse(`From: ${encoded}\r\n\r\nx`);
    expect(parsed.from).toEqual({ name: 'Zoë <admin>', address: 'zoe@example.org' });
  });

  it('refuses CR, LF and NUL in display names and addresses', () => {
    for (const name of ['a\rb', 'a\nb', 'a\0b']) {
      expect(() => formatAddress({ name, address: 'a@example.org' }, 'from')).toThrow(MailBuildError);
    }
    expect(() => formatAddress('a@example.org\n', 'from')).toThrow(/Line breaks/);
  });

  it('writes RFC 5322 dates in UTC', () => {
    expect(formatDate(new Date('2013-08-13T15:04:05Z'))).toBe('Tue, 13 Aug 2013 15:04:05 +0000');
  });
});

describe('quoted-printable', () => {
  it('decodes back to the same text and keeps lines within 76 characters', async () => {
    const text = `${'é'.repeat(60)}\ntrailing space \ntab\t\nFrom the start\n.\n=equals=\n${'a'.repeat(200)}\n`;
    const encoded = quotedPrintable(text);
    for (const line of encoded.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).not.toMatch(/[ \t]$/);
      expect(line.startsWith('From ')).toBe(false);
    }
    const parsed = await parse(`Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${encoded}`);
    expect(parsed.text).toBe(toCrlf(text).replace(/\r\n/g, '\n'));
  });
});

describe('attachment names', () => {
  it('turns user-supplied names into safe ones', () => {
    expect(safeAttachmentFilename('../../etc/passwd')).toBe('passwd');
    expect(safeAttachmentFilename('C:\\Users\\x\\fix me.patch')).toBe('fix_me.patch');
    expect(safeAttachmentFilename('résumé..pdf')).toBe('re_sume_.pdf');
    expect(safeAttachmentFilename('...')).toBe('attachment.bin');
  });
});
