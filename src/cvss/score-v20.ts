// CVSS v2.0 scoring, from "A Complete Guide to the Common Vulnerability Scoring System Version 2.0"
// §3.2 (equations) and §3.3 (weights). Only read for legacy advisories, which carry v2 vectors.
// Not delegated to ae-cvss-calculator: it returns scores below 0 for some Low-requirement vectors
// (AV:L/AC:H/Au:M/C:N/I:P/A:N/IR:L gives -0.2), outside the 0–10 range the specification defines.
import { metricValue, type CvssVector } from './parse.js';

export interface Cvss20Scores {
  readonly version: '2.0';
  readonly vectorString: string;
  readonly baseScore: number;
  /** Only when the vector sets a temporal metric. */
  readonly temporalScore?: number;
  /** Only when the vector sets an environmental metric. */
  readonly environmentalScore?: number;
}

const accessVector: Record<string, number> = { L: 0.395, A: 0.646, N: 1.0 };
const accessComplexity: Record<string, number> = { H: 0.35, M: 0.61, L: 0.71 };
const authentication: Record<string, number> = { M: 0.45, S: 0.56, N: 0.704 };
const impactWeight: Record<string, number> = { N: 0.0, P: 0.275, C: 0.66 };
const exploitability: Record<string, number> = { U: 0.85, POC: 0.9, F: 0.95, H: 1.0, ND: 1.0 };
const remediationLevel: Record<string, number> = { OF: 0.87, TF: 0.9, W: 0.95, U: 1.0, ND: 1.0 };
const reportConfidence: Record<string, number> = { UC: 0.9, UR: 0.95, C: 1.0, ND: 1.0 };
const collateralDamage: Record<string, number> = { N: 0, L: 0.1, LM: 0.3, MH: 0.4, H: 0.5, ND: 0 };
const targetDistribution: Record<string, number> = { N: 0, L: 0.25, M: 0.75, H: 1.0, ND: 1.0 };
const requirement: Record<string, number> = { L: 0.5, M: 1.0, H: 1.51, ND: 1.0 };

function weight(table: Record<string, number>, value: string): number {
  const w = table[value];
  if (w === undefined) throw new Error(`no CVSS 2.0 weight for value "${value}"`);
  return w;
}

/** §3.2 round_to_1_decimal, on the decimal expansion of the value (as the NVD calculator does). */
function round1(value: number): number {
  return Number.parseFloat(value.toFixed(1));
}

/** Scores a parsed CVSS 2.0 vector (see parseCvssVector). */
export function scoreCvss20(vector: CvssVector): Cvss20Scores {
  if (vector.version !== '2.0') throw new Error(`scoreCvss20 needs a CVSS 2.0 vector, got ${vector.version}`);
  const m = (abbr: string): string => metricValue(vector, abbr);
  const exploitabilitySubscore = 20 * weight(accessVector, m('AV')) * weight(accessComplexity, m('AC')) * weight(authentication, m('Au'));
  const baseFrom = (impact: number): number => round1((0.6 * impact + 0.4 * exploitabilitySubscore - 1.5) * (impact === 0 ? 0 : 1.176));
  const temporalFrom = (base: number): number =>
    round1(base * weight(exploitability, m('E')) * weight(remediationLevel, m('RL')) * weight(reportConfidence, m('RC')));

  const impact = 10.41 * (1 - (1 - weight(impactWeight, m('C'))) * (1 - weight(impactWeight, m('I'))) * (1 - weight(impactWeight, m('A'))));
  const baseScore = baseFrom(impact);

  const hasTemporal = ['E', 'RL', 'RC'].some((a) => m(a) !== 'ND');
  const hasEnvironmental = ['CDP', 'TD', 'CR', 'IR', 'AR'].some((a) => m(a) !== 'ND');
  let environmentalScore: number | undefined;
  if (hasEnvironmental) {
    const adjustedImpact = Math.min(
      10,
      10.41 *
        (1 -
          (1 - weight(impactWeight, m('C')) * weight(requirement, m('CR'))) *
            (1 - weight(impactWeight, m('I')) * weight(requirement, m('IR'))) *
            (1 - weight(impactWeight, m('A')) * weight(requirement, m('AR')))),
    );
    const adjustedTemporal = temporalFrom(baseFrom(adjustedImpact));
    // Scores are defined on 0–10 (§3.2; the FIRST JSON schema's minimum is 0), but with a Low
    // requirement the §3.2.3 equations go below zero for some partial-impact vectors (found by
    // fuzzing: AV:L/AC:H/Au:M/C:N/I:P/A:N/IR:L gave -0.2). Only the final score is floored, so every
    // in-range result stays equal to cvss2js (first-calculators.test.ts).
    environmentalScore = Math.max(
      0,
      round1((adjustedTemporal + (10 - adjustedTemporal) * weight(collateralDamage, m('CDP'))) * weight(targetDistribution, m('TD'))),
    );
  }
  return {
    version: '2.0',
    vectorString: vector.vectorString,
    baseScore,
    ...(hasTemporal ? { temporalScore: temporalFrom(baseScore) } : {}),
    ...(environmentalScore === undefined ? {} : { environmentalScore }),
  };
}
