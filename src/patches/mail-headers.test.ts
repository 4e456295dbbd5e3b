import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, encodeHeaderValue, formatAddress, formatMailDate, parseAddress, parsePatchDate } from './mail-headers.js';

describe('mail headers', () => {
  it('encodes non-ASCII values as folded encoded words that decode back (RFC 2047)', () => {
    const subject = `Fix ${'ünïcødé 🔒 '.repeat(8)}handling`;
    const encoded = encodeHeaderValue(subject);
    for (const line of encoded.split('\n')) expect(line.trim().length).toBeLessThanOrEqual(75);
    expect(encoded.split('\n').length).toBeGreaterThan(2);
    expect(decodeEncodedWords(encoded.replace(/\n/g, ''))).toBe(subject);
    expect(encodeHeaderValue('Plain ASCII subject')).toBe('Plain ASCII subject');
    expect(encodeHeaderValue('looks =?like?= a word')).toMatch(/^=\?UTF-8\?q\?/);
  });

  it('quotes or encodes display names as needed and parses them back', () => {
    for (const person of [
      { name: 'Jörg Müller', email: 'j@example.org' },
      { name: 'Lovelace, Ada "the first"', email: 'ada@example.org' },
      { name: 'Plain Name', email: 'p@example.org' },
    ]) {
      expect(parseAddress(formatAddress(person))).toEqual(person);
    }
    expect(parseAddress('ada@example.org (Ada Lovelace)')).toEqual({ name: 'Ada Lovelace', email: 'ada@example.org' });
  });

  it('reads mail, git log and ISO dates and writes RFC 5322 dates in the author zone', () => {
    const mail = parsePatchDate('Thu, 8 Aug 2013 23:30:15 -0700');
    expect(mail).toEqual({ raw: 'Thu, 8 Aug 2013 23:30:15 -0700', iso: '2013-08-09T06:30:15.000Z', offset: '-0700' });
    expect(parsePatchDate('Thu Aug 8 23:30:15 2013 -0700').iso).toBe(mail.iso);
    expect(parsePatchDate('2013-08-08 23:30:15 -0700').iso).toBe(mail.iso);
    expect(formatMailDate(mail)).toBe('Thu, 8 Aug 2013 23:30:15 -0700');
    expect(formatMailDate(parsePatchDate('Fri, 9 Aug 2013 00:00:01 +0530'))).toBe('Fri, 9 Aug 2013 00:00:01 +0530');
    expect(parsePatchDate('yesterday-ish').iso).toBeNull();
  });
});
