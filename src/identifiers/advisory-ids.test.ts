import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { fixturePath } from '../testing/fixture-files.js';
import {
  checkAdvisoryId,
  checkIdPrefix,
  checkNoteId,
  formatAdvisoryId,
  formatNoteId,
  parseAdvisoryId,
  parseNoteId,
} from './advisory-ids.js';

describe('advisory ids', () => {
  it.each([
    ['OSSA-2026-001', 'OSSA-2026-001'],
    [' ossa-2014-039 ', 'OSSA-2014-039'],
    ['OSSA-2030-1000', 'OSSA-2030-1000'],
  ])('accepts %j as %s', (input, expected) => {
    expect(checkAdvisoryId(input)).toEqual({ ok: true, value: expected });
  });

  it('refuses overlong input with a short message', () => {
    expect(checkAdvisoryId('OSSA-2026-' + '1'.repeat(5000))).toEqual({ ok: false, message: 'An advisory id is too long (at most 40 characters).' });
    expect(checkNoteId('OSSN-' + '1'.repeat(5000))).toEqual({ ok: false, message: 'A note id is too long (at most 40 characters).' });
  });

  it('splits the parts', () => {
    expect(parseAdvisoryId('OSSA-2026-012')).toEqual({ ok: true, value: { id: 'OSSA-2026-012', prefix: 'OSSA', year: 2026, sequence: 12 } });
  });

  it.each([
    ['OSSA-2026-01', 'expected OSSA-YYYY-NNN, e.g. OSSA-2026-001'],
    ['OSSA-2026-000', 'numbers start at 001'],
    ['OSSA-2026-0012', 'no extra leading zeros'],
    ['OSSA-26-001', 'expected OSSA-YYYY-NNN'],
    ['OSSA-1899-001', 'impossible year'],
    ['OSSN-2026-001', 'expected OSSA-YYYY-NNN'],
    ['OSSA-2026-001; DELETE FROM advisories', 'expected OSSA-YYYY-NNN'],
    ['OSSA-2026-001"><script>', 'expected OSSA-YYYY-NNN'],
    ['../OSSA-2026-001', 'expected OSSA-YYYY-NNN'],
  ])('refuses %j (%s)', (input, message) => {
    const result = checkAdvisoryId(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('uses a configured prefix, and only that prefix', () => {
    expect(checkAdvisoryId('xsa-2026-007', 'XSA')).toEqual({ ok: true, value: 'XSA-2026-007' });
    expect(checkAdvisoryId('OSSA-2026-007', 'XSA')).toEqual({
      ok: false,
      message: '"OSSA-2026-007" is not an advisory id; expected XSA-YYYY-NNN, e.g. XSA-2026-001.',
    });
    expect(formatAdvisoryId(2026, 7, 'xsa')).toBe('XSA-2026-007');
  });

  it('formats ids with three-digit padding', () => {
    expect([formatAdvisoryId(2026, 1), formatAdvisoryId(2026, 42), formatAdvisoryId(2026, 1234)]).toEqual([
      'OSSA-2026-001',
      'OSSA-2026-042',
      'OSSA-2026-1234',
    ]);
    expect(() => formatAdvisoryId(2026, 0)).toThrow(AppError);
    expect(() => formatAdvisoryId(26, 1)).toThrow(AppError);
  });

  it('reports a bad configured prefix against the setting', () => {
    try {
      checkAdvisoryId('OSSA-2026-001', 'OS SA');
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).fields.map((f) => f.field)).toEqual(['advisoryPrefix']);
    }
  });

  it('accepts the id of every advisory in the corpus', () => {
    const files = readdirSync(fixturePath('ossa'));
    expect(files.length).toBe(183);
    for (const file of files) {
      const id = file.replace(/\.yaml$/, '');
      expect(checkAdvisoryId(id)).toEqual({ ok: true, value: id });
    }
  });
});

describe('note ids', () => {
  it.each([
    ['OSSN-0042', 'OSSN-0042'],
    ['ossn-0001', 'OSSN-0001'],
    ['OSSN-12345', 'OSSN-12345'],
  ])('accepts %j as %s', (input, expected) => {
    expect(checkNoteId(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['OSSN-042', 'OSSN-0000', 'OSSN-01234', 'OSSA-0042', 'OSSN-2026-001', "OSSN-0042' OR 1=1", 'OSSN-0042<b>', 'OSSN-123456789'])(
    'refuses %j',
    (input) => {
      expect(checkNoteId(input).ok).toBe(false);
    },
  );

  it('formats, parses and honours a configured prefix', () => {
    expect(formatNoteId(42)).toBe('OSSN-0042');
    expect(parseNoteId('SN-0107', 'SN')).toEqual({ ok: true, value: { id: 'SN-0107', prefix: 'SN', sequence: 107 } });
  });

  it('accepts the id of every note in the corpus', () => {
    const names = readdirSync(fixturePath('ossn'));
    expect(names.length).toBe(96);
    for (const name of names) expect(checkNoteId(name)).toEqual({ ok: true, value: name });
  });
});

describe('checkIdPrefix', () => {
  it.each([['OSSA', 'OSSA'], ['xsa', 'XSA'], ['SA2', 'SA2']])('accepts %j', (input, expected) => {
    expect(checkIdPrefix(input)).toEqual({ ok: true, value: expected });
  });
  it.each(['A', '2SA', 'OS-SA', 'OS SA', 'OSSA<', 'A'.repeat(17), ''])('refuses %j', (input) => {
    expect(checkIdPrefix(input).ok).toBe(false);
  });
});
