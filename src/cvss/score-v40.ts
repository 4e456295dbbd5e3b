// CVSS v4.0 scoring (FIRST CVSS v4.0 Specification §8: MacroVector lookup plus severity-distance
// interpolation). The arithmetic is delegated to ae-cvss-calculator, which the tests prove against
// every reference vector in test-fixtures/cvss (1,118 vectors, base, threat and requirements);
// our own parser validates the vector first because the library silently ignores bad input.
import aeCvss from 'ae-cvss-calculator';
import { cvss40 } from './definitions.js';
import type { CvssVector } from './parse.js';
import { severityRating, type CvssSeverity } from './severity.js';

/** CVSS v4.0 §1.3 nomenclature: which metric groups contributed to the score. */
export type Cvss40Nomenclature = 'CVSS-B' | 'CVSS-BT' | 'CVSS-BE' | 'CVSS-BTE';

export interface Cvss40Scores {
  readonly version: '4.0';
  readonly vectorString: string;
  /** The score of the whole vector, as the FIRST calculator shows it. */
  readonly score: number;
  readonly severity: CvssSeverity;
  readonly nomenclature: Cvss40Nomenclature;
  /** The MacroVector (EQ1..EQ6 levels, §8.2) the score was looked up from, e.g. `000200`. */
  readonly macroVector: string;
  /** CVSS-B: base metrics only. */
  readonly baseScore: number;
  readonly baseSeverity: CvssSeverity;
  /** CVSS-BT: base and threat metrics; only when the vector sets a threat metric. */
  readonly threatScore?: number;
  readonly threatSeverity?: CvssSeverity;
  /** CVSS-BE or CVSS-BTE: the whole vector; only when it sets an environmental metric. */
  readonly environmentalScore?: number;
  readonly environmentalSeverity?: CvssSeverity;
}

function vectorOf(vector: CvssVector, groups: ReadonlySet<string>): string {
  const parts = cvss40.metrics
    .filter((m) => groups.has(m.group) && vector.metrics.has(m.abbr))
    .map((m) => `${m.abbr}:${vector.metrics.get(m.abbr) ?? ''}`);
  return cvss40.prefix + parts.join('/');
}

function overallScore(vectorString: string): number {
  const result = new aeCvss.Cvss4P0(vectorString).calculateScores();
  return result.overall;
}

/** Scores a parsed CVSS 4.0 vector (see parseCvssVector). */
export function scoreCvss40(vector: CvssVector): Cvss40Scores {
  if (vector.version !== '4.0') throw new Error(`scoreCvss40 needs a CVSS 4.0 vector, got ${vector.version}`);
  const isSet = (group: string): boolean =>
    cvss40.metrics.some((m) => m.group === group && (vector.metrics.get(m.abbr) ?? 'X') !== 'X');
  const hasThreat = isSet('threat');
  const hasEnvironmental = isSet('environmental');
  const nomenclature: Cvss40Nomenclature = `CVSS-B${hasThreat ? 'T' : ''}${hasEnvironmental ? 'E' : ''}` as Cvss40Nomenclature;

  const calculator = new aeCvss.Cvss4P0(vector.vectorString);
  const score = calculator.calculateScores().overall;
  const baseScore = overallScore(vectorOf(vector, new Set(['base'])));
  const threatScore = hasThreat ? overallScore(vectorOf(vector, new Set(['base', 'threat']))) : undefined;
  return {
    version: '4.0',
    vectorString: vector.vectorString,
    score,
    severity: severityRating(score),
    nomenclature,
    macroVector: calculator.getMacroVector().toString(),
    baseScore,
    baseSeverity: severityRating(baseScore),
    ...(threatScore === undefined ? {} : { threatScore, threatSeverity: severityRating(threatScore) }),
    ...(hasEnvironmental ? { environmentalScore: score, environmentalSeverity: severityRating(score) } : {}),
  };
}
