// The reference files only hold v3.1 base vectors and v4.0 base/threat/requirement vectors. To cover
// temporal, modified and supplemental metrics too, compare against the FIRST calculators' own code
// (cvsscalc31.js by FIRST; cvss40.js by FIRST and Red Hat), which @secvisogram/csaf-validator-lib ships
// for CSAF test 6.1.9, on a fixed pseudo-random sample of complete vectors.
import { beforeAll, describe, expect, it } from 'vitest';
import { cvss30, cvss31, cvss40, type MetricDefinition } from './definitions.js';
import { parseCvssVector, scoreCvss20, scoreCvss3, scoreCvss40 } from './index.js';
import cvss2js from 'cvss2js';

interface First31Result {
  success: boolean;
  baseMetricScore: string;
  temporalMetricScore: string;
  environmentalMetricScore: string;
}
interface First31 {
  calculateCVSSFromVector(vector: string): First31Result;
}
type First40 = new (vector: string) => { score: number; severity: string };

// Untyped JavaScript inside a dependency: import by computed specifier so TypeScript does not look for types.
const firstModule = '@secvisogram/csaf-validator-lib/lib/shared/first.js';
const first40Module = '@secvisogram/csaf-validator-lib/lib/shared/first/cvss40.js';
let first30: First31;
let first31: First31;
let First40Class: First40;

beforeAll(async () => {
  const first = (await import(firstModule)) as { cvss30: First31; cvss31: First31 };
  first30 = first.cvss30;
  first31 = first.cvss31;
  First40Class = ((await import(first40Module)) as { CVSS40: First40 }).CVSS40;
});

/** mulberry32: a tiny seeded generator so every run checks the same vectors. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomVector(prefix: string, metrics: readonly MetricDefinition[], random: () => number): string {
  const parts: string[] = [];
  for (const m of metrics) {
    // Base metrics always; others present half of the time, with any value including X.
    if (m.group !== 'base' && random() < 0.5) continue;
    const value = m.values[Math.floor(random() * m.values.length)];
    if (value) parts.push(`${m.abbr}:${value.abbr}`);
  }
  return prefix + parts.join('/');
}

describe.each([
  ['3.1', cvss31, () => first31],
  ['3.0', cvss30, () => first30],
] as const)('CVSS %s against the FIRST calculator code', (_version, definition, calculator) => {
  it('agrees on base, temporal and environmental scores of 20,000 vectors with temporal and environmental metrics', () => {
    const random = seeded(31);
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const vector = randomVector(definition.prefix, definition.metrics, random);
      const ours = scoreCvss3(parseCvssVector(vector));
      const theirs = calculator().calculateCVSSFromVector(vector);
      const got = [ours.baseScore, ours.temporalScore, ours.environmentalScore].join();
      const want = [theirs.baseMetricScore, theirs.temporalMetricScore, theirs.environmentalMetricScore].map(Number).join();
      if (!theirs.success || got !== want) mismatches.push(`${vector}: ours ${got}, FIRST ${want}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('CVSS 4.0 against the FIRST/Red Hat calculator code', () => {
  it('agrees on the score and severity of 5,000 vectors with threat, environmental and supplemental metrics', () => {
    const random = seeded(40);
    const mismatches: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const vector = randomVector(cvss40.prefix, cvss40.metrics, random);
      const ours = scoreCvss40(parseCvssVector(vector));
      const theirs = new First40Class(vector);
      if (ours.score !== theirs.score || ours.severity !== theirs.severity) {
        mismatches.push(`${vector}: ours ${ours.score} ${ours.severity}, FIRST ${theirs.score} ${theirs.severity}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('CVSS 2.0 against cvss2js (the calculator CSAF test 6.1.9 uses)', () => {
  it('agrees on every base combination, with and without temporal and environmental metrics', () => {
    const temporal = ['', '/E:U/RL:OF/RC:UC', '/E:POC/RL:W/RC:UR', '/E:F/RL:TF/RC:C', '/E:H/RL:U/RC:ND'];
    const environmental = ['', '/CDP:LM/TD:M/CR:H/IR:L/AR:M', '/CDP:H/TD:H/CR:H/IR:H/AR:H', '/CDP:N/TD:L/CR:L/IR:ND/AR:L'];
    const mismatches: string[] = [];
    let count = 0;
    for (const av of ['L', 'A', 'N']) for (const ac of ['H', 'M', 'L']) for (const au of ['M', 'S', 'N'])
      for (const c of ['N', 'P', 'C']) for (const i of ['N', 'P', 'C']) for (const a of ['N', 'P', 'C'])
        for (const t of temporal) for (const e of environmental) {
          const vector = `AV:${av}/AC:${ac}/Au:${au}/C:${c}/I:${i}/A:${a}${t}${e}`;
          const ours = scoreCvss20(parseCvssVector(vector));
          // Without environmental metrics we publish no environmental score (cvss2js would still compute
          // one, capped by the Math.min(10, …) of §3.2.3, which can differ from the base score).
          // cvss2js returns a negative environmental score for a few Low-requirement vectors; we floor at 0 (score-v20.ts).
          const want = [cvss2js.getBaseScore(vector), cvss2js.getTemporalScore(vector), e ? Math.max(0, cvss2js.getEnvironmentalScore(vector)) : undefined];
          const got = [ours.baseScore, ours.temporalScore ?? ours.baseScore, ours.environmentalScore];
          count++;
          if (got.join() !== want.join()) mismatches.push(`${vector}: ours ${got.join()}, cvss2js ${want.join()}`);
        }
    expect(count).toBe(729 * temporal.length * environmental.length);
    expect(mismatches).toEqual([]);
  });
});
