import { describe, expect, it } from 'vitest';
import { compareVersions } from './version-compare.js';
import {
  formatVersionRanges,
  parseAffectedVersions,
  validateAffectedVersions,
  type ParsedAffectedVersions,
} from './version-range.js';

function events(p: ParsedAffectedVersions) {
  return p.ranges.map((r) => ({
    introduced: r.introduced,
    fixed: r.fixed,
    lastAffected: r.lastAffected,
    ...(r.introducedExclusive ? { exclusive: true } : {}),
    ...(r.product ? { product: r.product } : {}),
  }));
}

const kinds = (p: ParsedAffectedVersions) => p.issues.map((i) => i.kind);

describe('parseAffectedVersions: specifier syntax', () => {
  it('reads the DESIGN.md example into OSV-style events, in order, without issues', () => {
    const p = parseAffectedVersions('<20.2.1, >=21.0.0 <21.2.1, ==22.0.0');
    expect(p.issues).toEqual([]);
    expect(p.unparsed).toEqual([]);
    expect(p.allVersions).toBe(false);
    expect(events(p)).toEqual([
      { introduced: null, fixed: '20.2.1', lastAffected: null },
      { introduced: '21.0.0', fixed: '21.2.1', lastAffected: null },
      { introduced: '22.0.0', fixed: null, lastAffected: '22.0.0' },
    ]);
    expect(p.ranges.map((r) => r.text)).toEqual(['<20.2.1', '>=21.0.0 <21.2.1', '==22.0.0']);
    expect(p.ranges.every((r) => !r.fromProse)).toBe(true);
  });

  it('keeps the original text and round-trips through the canonical format', () => {
    const text = '<=14.0.10, >=15.0.0 <=15.0.8, >=16.0.0';
    const p = parseAffectedVersions(text);
    expect(p.text).toBe(text);
    expect(events(p)).toEqual([
      { introduced: null, fixed: null, lastAffected: '14.0.10' },
      { introduced: '15.0.0', fixed: null, lastAffected: '15.0.8' },
      { introduced: '16.0.0', fixed: null, lastAffected: null },
    ]);
    expect(formatVersionRanges(p.ranges)).toBe(text);
  });

  it('treats `>` as an exclusive lower bound and accepts pre-release versions', () => {
    const p = parseAffectedVersions('>1.0.0rc1 <1.0.0');
    expect(p.issues).toEqual([]);
    expect(events(p)).toEqual([{ introduced: '1.0.0rc1', fixed: '1.0.0', lastAffected: null, exclusive: true }]);
    expect(formatVersionRanges(p.ranges)).toBe('>1.0.0rc1 <1.0.0');
  });

  it('does not flag the 2015 switch from date-based to semantic versions as disorder', () => {
    // OSSA-2016-001: Kilo was 2015.1.x, Liberty 12.0.0.
    expect(parseAffectedVersions('<=2015.1.2, ==12.0.0').issues).toEqual([]);
  });
});

describe('parseAffectedVersions: sloppy variants from the corpus', () => {
  it.each([
    ['>=2014.2 <= 2015.1.2, == 12.0.0', ['operator-spacing', 'operator-spacing']],
    ['<17.0.12,>=18.0.0<18.2.2,>=19.0.0<19.0.2', ['missing-space', 'missing-space']],
    ['<16.3.3, >=17.0.0 <17.1.3, =18.0.0', ['single-equals']],
    ['>=1.15.0<1.15.2, 1.16.0', ['missing-space', 'bare-version']],
    ['<=5.0.3, >=6.0.0 <=6.1.0 and ==7.0.0', ['and-separator']],
  ])('%s → parsed, reported as %j', (text, expected) => {
    const p = parseAffectedVersions(text);
    expect(kinds(p)).toEqual(expected);
    expect(p.unparsed).toEqual([]);
    expect(p.ranges.length).toBeGreaterThan(0);
  });

  it('reads `>=27.0.0, <29.0.1` literally and explains the likely intent (OSSA-2025-001)', () => {
    const p = parseAffectedVersions('<24.1.3, >=25.0.0 <26.1.1, >=27.0.0, <29.0.1');
    expect(events(p)[2]).toEqual({ introduced: '27.0.0', fixed: null, lastAffected: null });
    expect(kinds(p)).toEqual(['open-upper-bound', 'open-lower-bound']);
    expect(p.issues[1]?.message).toContain('did you mean `>=27.0.0 <29.0.1`?');
  });

  it('splits product-qualified lists into per-product ranges (OSSA-2023-002)', () => {
    const p = parseAffectedVersions('Cinder <19.1.2, >=20.0.0 <20.0.2, ==21.0.0; Glance <23.0.1; Nova ==26.0.0');
    expect(kinds(p)).toEqual(['product-qualified']);
    expect(events(p)).toEqual([
      { introduced: null, fixed: '19.1.2', lastAffected: null, product: 'Cinder' },
      { introduced: '20.0.0', fixed: '20.0.2', lastAffected: null, product: 'Cinder' },
      { introduced: '21.0.0', fixed: null, lastAffected: '21.0.0', product: 'Cinder' },
      { introduced: null, fixed: '23.0.1', lastAffected: null, product: 'Glance' },
      { introduced: '26.0.0', fixed: null, lastAffected: '26.0.0', product: 'Nova' },
    ]);
  });
});

describe('parseAffectedVersions: prose', () => {
  it.each(['All versions', 'All supported versions', 'all supported releases'])('%s → every release', (text) => {
    const p = parseAffectedVersions(text);
    expect(p.allVersions).toBe(true);
    expect(p.ranges).toEqual([]);
    expect(kinds(p)).toEqual(['prose']);
  });

  it('reads "up to 2014.1.3 and 2014.2" as two ranges from prose', () => {
    const p = parseAffectedVersions('up to 2014.1.3 and 2014.2');
    expect(events(p)).toEqual([
      { introduced: null, fixed: null, lastAffected: '2014.1.3' },
      { introduced: '2014.2', fixed: null, lastAffected: '2014.2' },
    ]);
    expect(p.ranges[0]?.fromProse).toBe(true);
    expect(p.unparsed).toEqual([]);
  });

  it.each([
    ['2013.2 versions up to 2013.2.1', [{ introduced: '2013.2', fixed: null, lastAffected: '2013.2.1' }]],
    ['from 2013.1 to 2013.2.3', [{ introduced: '2013.1', fixed: null, lastAffected: '2013.2.3' }]],
    ['versions through 2.2.2', [{ introduced: null, fixed: null, lastAffected: '2.2.2' }]],
    ['Versions after 0.2.0', [{ introduced: '0.2.0', fixed: null, lastAffected: null, exclusive: true }]],
    ['2013.1 (Grizzly) and later', [{ introduced: '2013.1', fixed: null, lastAffected: null }]],
    ['2015.1.0 version', [{ introduced: '2015.1.0', fixed: null, lastAffected: '2015.1.0' }]],
  ])('%s', (text, expected) => {
    const p = parseAffectedVersions(text);
    expect(events(p)).toEqual(expected);
    expect(p.unparsed).toEqual([]);
  });

  it('keeps release names and TODOs as unparsed pieces with a warning each, never throwing', () => {
    const p = parseAffectedVersions('Essex (prior to 2012.1.2), Folsom series');
    expect(p.ranges).toEqual([]);
    expect(p.unparsed).toEqual(['Essex (prior to 2012.1.2)', 'Folsom series']);
    expect(kinds(p)).toEqual(['unparsed', 'unparsed']);
    expect(parseAffectedVersions('TODO').unparsed).toEqual(['TODO']);
  });

  it('parses what it can in a mixed text and reports the rest', () => {
    const p = parseAffectedVersions('<2.0.0, Folsom');
    expect(events(p)).toEqual([{ introduced: null, fixed: '2.0.0', lastAffected: null }]);
    expect(p.unparsed).toEqual(['Folsom']);
  });
});

describe('validateAffectedVersions (editor)', () => {
  it('accepts clean specifiers', () => {
    expect(validateAffectedVersions('<20.2.1, >=21.0.0 <21.2.1, ==22.0.0', 'affectedProducts.0.versions')).toEqual([]);
  });

  it.each([
    ['', 'No affected versions given'],
    ['>=21.2.1 <21.0.0', 'contains no version'],
    ['>=1.0 >=2.0', 'lower bound then an upper bound'],
    ['!=1.0.0', '`!=` excludes a version'],
    ['<2.0.0, <1.0.0', 'has no lower bound'],
    ['>=3.0.0, >=1.0.0 <2.0.0', 'has no upper bound'],
    ['>=1.0.0 <2.0.0, >=1.5.0 <3.0.0', 'ascending order without overlap'],
    ['All versions', 'prefer a specifier'],
    ['Essex', 'is not a version range'],
    ['<= 1.0', 'space after the operator'],
  ])('%j → error mentioning "%s" on the given field', (text, fragment) => {
    const issues = validateAffectedVersions(text, 'affectedProducts.2.versions');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.field === 'affectedProducts.2.versions')).toBe(true);
    expect(issues.map((i) => i.message).join(' ')).toContain(fragment);
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.0', '1.0.0', 0],
    ['2.10.0', '2.9.9', 1],
    ['1.0.0rc1', '1.0.0', -1],
    ['1.0.0', '1.0.0.post1', -1],
    ['1.0.0a1', '1.0.0b1', -1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});
