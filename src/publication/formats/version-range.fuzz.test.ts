// Fuzz target (issue 13): affected version ranges. Invariants: the lenient parser never throws and
// never drops a clause silently (each lands in `ranges` or `unparsed`, with an issue when unparsed);
// canonical specifier lists parse without issues and format back to the same text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileText, mutatedText, replayRegressions, runFuzz, type FuzzTarget } from '../../testing/fuzz.js';
import { formatVersionRanges, parseAffectedVersions, validateAffectedVersions } from './version-range.js';

const SEEDS = [
  '<20.2.1, >=21.0.0 <21.2.1, ==22.0.0',
  'Cinder <19.1.2, >=20.0.0 <20.0.2; Glance <23.0.1',
  'All versions', 'up to 2014.1.3 and 2014.2', '<= 2015.1.2', '>=18.0.0<18.2.2', '=18.0.0', '2014.1 versions through 2014.1.4',
  '>=1.0.0rc1 <1.0.0.post1, >1.2 <=1.3.dev2', '9.0.0 and later', 'versions after 3.1',
];

const RANGE_TOKENS = ['<', '<=', '>', '>=', '==', '=', '!=', ',', ', and ', ' and ', ';', ' ', '1.2.3', '2014.1', 'rc1', '.post1', 'dev', 'up to', 'through', 'and later', 'All versions'];

const rangeText = fc.array(fc.oneof(fc.constantFrom(...RANGE_TOKENS), fc.stringMatching(/^[0-9]{1,4}(\.[0-9]{1,4}){0,3}$/)), { maxLength: 30 }).map((p) => p.join(''));

const parseTarget: FuzzTarget<string> = {
  name: 'version-range-parse',
  testFile: import.meta.url,
  arbitrary: fc.oneof(rangeText, mutatedText(SEEDS, { fragments: RANGE_TOKENS }), hostileText),
  runs: 2000,
  check: (text) => {
    const parsed = parseAffectedVersions(text);
    expect(parsed.text).toBe(text);
    if (!text.trim()) expect(parsed.issues.map((i) => i.kind)).toContain('empty');
    for (const piece of parsed.unparsed) {
      // Nothing unread goes unmentioned: the importer turns issues into warnings, the editor into errors.
      expect(parsed.issues.some((i) => i.clause.includes(piece) || piece.includes(i.clause))).toBe(true);
    }
    // Text that yields no range at all is never accepted silently by the editor.
    if (!parsed.allVersions && parsed.ranges.length === 0) expect(validateAffectedVersions(text).length).toBeGreaterThan(0);
    for (const r of parsed.ranges) expect(formatVersionRanges([r])).not.toBe('');
    expect(validateAffectedVersions(text, 'f').length).toBe(parsed.issues.length);
  },
};

// Ascending, disjoint ranges over semantic versions (not date-based: those do not compare, see version-range.ts).
const version = (n: number): string => `${Math.floor(n / 100)}.${Math.floor(n / 10) % 10}.${n % 10}`;
const canonical = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 0, max: 1999 }), { minLength: 1, maxLength: 12 }), fc.array(fc.constantFrom('pair', 'exact', 'above'), { maxLength: 12 }), fc.boolean())
  .map(([numbers, shapes, openStart]) => {
    const v = [...numbers].sort((a, b) => a - b).map(version);
    const clauses: string[] = [];
    let i = 0;
    if (openStart) clauses.push(`<${v[i++]}`);
    for (const shape of shapes) {
      if (shape === 'exact' && i < v.length) clauses.push(`==${v[i++]}`);
      else if (shape === 'pair' && i + 1 < v.length) {
        clauses.push(`>=${v[i]} <${v[i + 1]}`);
        i += 2;
      }
    }
    if (shapes.at(-1) === 'above' && i < v.length) clauses.push(`>=${v[i++]}`);
    return clauses.join(', ');
  })
  .filter((t) => t !== '');

const roundTripTarget: FuzzTarget<string> = {
  name: 'version-range-roundtrip',
  testFile: import.meta.url,
  arbitrary: canonical,
  runs: 1000,
  check: (text) => {
    const parsed = parseAffectedVersions(text);
    expect(parsed.issues).toEqual([]);
    expect(parsed.unparsed).toEqual([]);
    expect(formatVersionRanges(parsed.ranges)).toBe(text);
  },
};

describe('fuzz: affected version ranges', () => {
  for (const target of [parseTarget, roundTripTarget]) {
    it(`${target.name}: committed regression inputs still pass`, async () => {
      await replayRegressions(target);
    });
    it(`${target.name}: generated inputs keep the invariants`, async () => {
      expect((await runFuzz(target)).runs).toBeGreaterThan(0);
    });
  }
});
