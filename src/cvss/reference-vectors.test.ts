// Every reference vector in test-fixtures/cvss (RedHatProductSecurity/cvss test data, generated with
// the FIRST calculators) is parsed with our strict parser and every expected score is compared.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../testing/fixture-files.js';
import { parseCvssVector, scoreCvss3, scoreCvss40 } from './index.js';

interface ReferenceLine {
  vector: string;
  expected: number[];
}

function readReference(file: string): ReferenceLine[] {
  const text = readFileSync(fixturePath('cvss', file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [vector, expected] = line.split(' - ');
      if (!vector || !expected) throw new Error(`bad reference line: ${line}`);
      // Expected is "(base, temporal, environmental)", "(score,)" or a bare score.
      const numbers = expected.replace(/[()]/g, '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
      return { vector, expected: numbers };
    });
}

describe('CVSS 3.1 reference vectors (vectors_simple31)', () => {
  const lines = readReference('vectors_simple31');

  it('holds every base-metric combination', () => {
    expect(lines).toHaveLength(2592);
  });

  it('matches base, temporal and environmental score of every vector', () => {
    const mismatches: string[] = [];
    for (const { vector, expected } of lines) {
      const scores = scoreCvss3(parseCvssVector(vector));
      const got = [scores.baseScore, scores.temporalScore, scores.environmentalScore];
      if (got.join() !== expected.join()) mismatches.push(`${vector}: got ${got.join()} expected ${expected.join()}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('includes the scope-changed vectors whose environmental score differs from the base score', () => {
    // §7.3 uses (MISS × 0.9731 − 0.02)^13 where §7.1 uses (ISS − 0.02)^15; the reference data shows it.
    const differing = lines.filter(({ expected }) => expected[0] !== expected[2]);
    expect(differing.length).toBeGreaterThan(0);
    expect(differing.every(({ vector }) => vector.includes('/S:C/'))).toBe(true);
    const sample = scoreCvss3(parseCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H'));
    expect([sample.baseScore, sample.environmentalScore]).toEqual([9.6, 9.7]);
  });
});

describe.each([
  ['vectors_simple4', 1058],
  ['vectors_security4', 54],
  ['vectors_threat4', 6],
])('CVSS 4.0 reference vectors (%s)', (file, count) => {
  const lines = readReference(file);

  it(`holds ${count} vectors`, () => {
    expect(lines).toHaveLength(count);
  });

  it('matches the score of every vector', () => {
    const mismatches: string[] = [];
    for (const { vector, expected } of lines) {
      const scores = scoreCvss40(parseCvssVector(vector));
      if (expected.length !== 1 || scores.score !== expected[0]) mismatches.push(`${vector}: got ${scores.score} expected ${expected.join()}`);
    }
    expect(mismatches).toEqual([]);
  });
});
