import { describe, expect, it } from 'vitest';
import { checkEmailAddress } from './email.js';

describe('checkEmailAddress', () => {
  it.each([
    ['vmt@example.org', 'vmt@example.org'],
    ['  Jane.Doe@Example.ORG ', 'Jane.Doe@example.org'], // local part keeps its case (RFC 5321 §2.4)
    ["o'brien+security@mail.example.co.uk", "o'brien+security@mail.example.co.uk"], // ' and + are atext
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
    ['jörg@bücher.example', 'jörg@bücher.example'], // SMTPUTF8 (RFC 6531)
    ['a@b.co', 'a@b.co'],
    [`${'l'.repeat(64)}@example.org`, `${'l'.repeat(64)}@example.org`],
  ])('accepts %j as %j', (input, expected) => {
    expect(checkEmailAddress(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'is required'],
    ['vmt.example.org', 'has no @'],
    ['a@b@example.org', 'more than one @'],
    ['"a@b"@example.org', 'more than one @'],
    ['@example.org', 'nothing before the @'],
    ['vmt@', 'nothing after the @'],
    ['jane doe@example.org', 'spaces, line breaks or control characters'],
    ['jane@example.org\r\nBcc: everyone@example.org', 'spaces, line breaks or control characters'],
    ['jane@exam\u0000ple.org', 'spaces, line breaks or control characters'],
    ['jane\u200b@example.org', 'spaces, line breaks or control characters'], // zero-width space
    ['jane\u00a0@example.org', 'spaces, line breaks or control characters'],
    ['.jane@example.org', 'start or end with a dot'],
    ['jane.@example.org', 'start or end with a dot'],
    ['ja..ne@example.org', 'two dots in a row'],
    ['"jane"@example.org', 'characters an address cannot have'],
    ['<jane@example.org>', 'characters an address cannot have'],
    ['jane;drop@example.org', 'characters an address cannot have'],
    ["x'); DROP TABLE users;--@example.org", 'spaces, line breaks or control characters'],
    ['<script>alert(1)</script>@example.org', 'characters an address cannot have'],
    ['jane@<script>.org', 'is not valid'],
    ["jane@example.org'--", 'is not valid'],
    ['jane@-example.org', 'is not valid'],
    ['jane@example-.org', 'is not valid'],
    ['jane@exa_mple.org', 'is not valid'],
    ['jane@example..org', 'two dots in a row'],
    ['jane@example.org.', 'start or end with a dot'],
    ['jane@[192.0.2.1]', 'IP address literals'],
    ['jane@192.0.2.1', 'IP addresses are not accepted'],
    ['jane@localhost', 'needs a dot'],
    ['jane@intranet', 'needs a dot'],
    ['jane@LOCALHOST', 'needs a dot'],
    ['jane@mail.localhost', 'localhost addresses are not accepted'],
    [`${'l'.repeat(65)}@example.org`, 'before the @ is too long'],
    [`jane@${'a'.repeat(64)}.org`, 'is not valid'],
    [`jane@${'abcdefghi.'.repeat(25)}org`, 'too long'],
  ])('refuses %j (%s)', (input, message) => {
    const result = checkEmailAddress(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain(message);
      expect(result.message).not.toMatch(/[\r\n]/);
      expect(result.message).not.toContain('\u0000');
    }
  });

  it('applies the RFC 5321 length limits in bytes, not characters', () => {
    // 32 two-byte characters = 64 bytes: allowed; 33 = 66 bytes: refused.
    expect(checkEmailAddress(`${'é'.repeat(32)}@example.org`).ok).toBe(true);
    expect(checkEmailAddress(`${'é'.repeat(33)}@example.org`).ok).toBe(false);
    // The whole address may not exceed 254 bytes even when each part is within its limit.
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.org`; // 195 bytes, 260 with the local part
    expect(checkEmailAddress(`${'l'.repeat(64)}@${domain}`)).toEqual({
      ok: false,
      message: 'The e-mail address is too long (at most 254 bytes).',
    });
  });

  it('refuses megabytes of input and non-text at once', () => {
    expect(checkEmailAddress('a'.repeat(1_000_000) + '@example.org')).toEqual({
      ok: false,
      message: 'The e-mail address is too long (at most 254 bytes).',
    });
    expect(checkEmailAddress(null)).toEqual({ ok: false, message: 'The e-mail address must be text.' });
  });

  it('accepts local addresses only when asked to (never for intake)', () => {
    expect(checkEmailAddress('root@localhost', { allowLocalDomains: true })).toEqual({ ok: true, value: 'root@localhost' });
    expect(checkEmailAddress('dev@app.localhost', { allowLocalDomains: true }).ok).toBe(true);
    expect(checkEmailAddress('root@localhost').ok).toBe(false);
  });
});
