// Fuzz target (issue 13): CVSS vectors. Invariants: parsing any string either yields a vector or a
// catalogued validation error; every valid vector scores within 0–10 and round-trips unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogued, hostileText, mutatedText, replayRegressions, runFuzz, type FuzzTarget } from '../testing/fuzz.js';
import { cvssJson, definitions, headlineScore, parseCvssVector, scoreParsedCvss, type CvssScores, type CvssVersion } from './index.js';

const VERSIONS: CvssVersion[] = ['2.0', '3.0', '3.1', '4.0'];

/** A valid vector of the given version: every base metric, any subset of the others, any allowed order. */
function validVector(version: CvssVersion): fc.Arbitrary<string> {
  const def = definitions[version];
  const picks = def.metrics.map((m) =>
    m.group === 'base'
      ? fc.constantFrom(...m.values.map((v) => `${m.abbr}:${v.abbr}`))
      : fc.option(fc.constantFrom(...m.values.map((v) => `${m.abbr}:${v.abbr}`)), { nil: undefined }),
  );
  return fc.tuple(fc.tuple(...picks), fc.infiniteStream(fc.nat())).map(([parts, order]) => {
    const present = parts.filter((p): p is string => p !== undefined);
    if (!def.fixedOrder) {
      // v3.x (§6) allows any order: a Fisher–Yates shuffle driven by the generated stream.
      const it = order[Symbol.iterator]();
      for (let i = present.length - 1; i > 0; i--) {
        const j = (it.next().value as number) % (i + 1);
        [present[i], present[j]] = [present[j]!, present[i]!];
      }
    }
    return def.prefix + present.join('/');
  });
}

const anyValidVector = fc.constantFrom(...VERSIONS).chain(validVector);

function scoresInRange(scores: CvssScores): void {
  const values = Object.entries(scores).filter(([k, v]) => k.toLowerCase().endsWith('score') && typeof v === 'number');
  expect(values.length).toBeGreaterThan(0);
  for (const [key, value] of values) {
    expect(Number.isFinite(value), key).toBe(true);
    expect(value as number, key).toBeGreaterThanOrEqual(0);
    expect(value as number, key).toBeLessThanOrEqual(10);
  }
  const headline = headlineScore(scores);
  expect(Math.round(headline * 10) / 10).toBe(headline); // one decimal, as every specification rounds
}

const SEED_VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:N/E:P/RL:O/RC:C/CR:H/MAV:P',
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/CR:H',
  'AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C/CDP:L/TD:M/CR:H/IR:M/AR:L',
];

const parseTarget: FuzzTarget<string> = {
  name: 'cvss-parse',
  testFile: import.meta.url,
  arbitrary: fc.oneof(mutatedText([...SEED_VECTORS], { fragments: ['/', ':', 'CVSS:', 'CVSS:3.1/', 'AV:N', 'X', '//'] }), hostileText, anyValidVector),
  runs: 1500,
  check: async (input) => {
    const outcome = await catalogued('parseCvssVector', () => parseCvssVector(input));
    if ('error' in outcome) {
      expect(outcome.error.code).toBe('validation_failed');
      expect(outcome.error.fields.length).toBeGreaterThan(0);
      return;
    }
    // Anything the parser accepts must score and serialise (no metric a scorer does not know).
    const scores = scoreParsedCvss(outcome.value);
    scoresInRange(scores);
    expect(cvssJson(scores).vectorString).toBe(outcome.value.vectorString);
  },
};

const validTarget: FuzzTarget<string> = {
  name: 'cvss-valid',
  testFile: import.meta.url,
  arbitrary: anyValidVector,
  runs: 1500,
  check: (vector) => {
    const parsed = parseCvssVector(vector);
    expect(parsed.vectorString).toBe(vector);
    // Round trip: the parsed metrics written back in the same order give the same string.
    const again = definitions[parsed.version].prefix + [...parsed.metrics].map(([k, v]) => `${k}:${v}`).join('/');
    expect(again).toBe(vector);
    expect(parseCvssVector(again).metrics).toEqual(parsed.metrics);
    const scores = scoreParsedCvss(parsed);
    scoresInRange(scores);
    expect(cvssJson(scores).version).toBe(parsed.version);
  },
};

describe('fuzz: CVSS vectors', () => {
  for (const target of [parseTarget, validTarget]) {
    it(`${target.name}: committed regression inputs still pass`, async () => {
      await replayRegressions(target);
    });
    it(`${target.name}: generated inputs keep the invariants`, async () => {
      const { runs } = await runFuzz(target);
      expect(runs).toBeGreaterThan(0);
    });
  }
});
