// CVSS v3.1 scoring, written from the FIRST CVSS v3.1 Specification §7.1–7.3 (equations) and
// Appendix A (the Roundup function, which avoids floating-point surprises). Legacy v3.0 vectors use
// the v3.0 Specification §8: a plain ceiling Roundup and the older environmental impact formula.
// Not delegated to ae-cvss-calculator (used for v4.0): without an environmental metric it gives no
// environmental score, so 80 scope-changed reference vectors (vectors_simple31, e.g. …/S:C/C:H/I:H/A:H:
// 9.6 base, 9.7 environmental) would lose theirs; this code matches all 2,592 (reference-vectors.test.ts).
import { metricValue, type CvssVector } from './parse.js';
import { severityRating, type CvssSeverity } from './severity.js';

export interface Cvss3Scores {
  readonly version: '3.0' | '3.1';
  readonly vectorString: string;
  readonly baseScore: number;
  readonly baseSeverity: CvssSeverity;
  /** Always computed (equals the base score when no temporal metric is set). */
  readonly temporalScore: number;
  readonly temporalSeverity: CvssSeverity;
  /**
   * Always computed. With no environmental metric set it may still differ from the base score when
   * the scope is changed, because §7.3 uses a different modified-impact formula; the FIRST
   * calculator and the reference vectors show the same.
   */
  readonly environmentalScore: number;
  readonly environmentalSeverity: CvssSeverity;
  /** Whether the vector sets any temporal / environmental metric to something other than X. */
  readonly hasTemporalMetrics: boolean;
  readonly hasEnvironmentalMetrics: boolean;
}

/** v3.1 Appendix A: the smallest number, to one decimal place, equal to or higher than its input. */
export function roundUp31(value: number): number {
  const intInput = Math.round(value * 100000);
  if (intInput % 10000 === 0) return intInput / 100000;
  return (Math.floor(intInput / 10000) + 1) / 10;
}

/** v3.0 §8.1 Round up, as the v3.0 specification and its calculator define it. */
function roundUp30(value: number): number {
  return Math.ceil(value * 10) / 10;
}

// §7.4 Table 16: metric weights.
const attackVector: Record<string, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const attackComplexity: Record<string, number> = { L: 0.77, H: 0.44 };
const privilegesUnchanged: Record<string, number> = { N: 0.85, L: 0.62, H: 0.27 };
const privilegesChanged: Record<string, number> = { N: 0.85, L: 0.68, H: 0.5 };
const userInteraction: Record<string, number> = { N: 0.85, R: 0.62 };
const cia: Record<string, number> = { H: 0.56, L: 0.22, N: 0 };
const exploitMaturity: Record<string, number> = { X: 1, H: 1, F: 0.97, P: 0.94, U: 0.91 };
const remediationLevel: Record<string, number> = { X: 1, U: 1, W: 0.97, T: 0.96, O: 0.95 };
const reportConfidence: Record<string, number> = { X: 1, C: 1, R: 0.96, U: 0.92 };
const requirement: Record<string, number> = { X: 1, H: 1.5, M: 1, L: 0.5 };

function weight(table: Record<string, number>, value: string): number {
  const w = table[value];
  // parseCvssVector has already rejected unknown values, so this is a programming error.
  if (w === undefined) throw new Error(`no CVSS 3.x weight for value "${value}"`);
  return w;
}

/** The modified metric if set, else the base metric (§7.3: "X" means "use the base value"). */
function modified(vector: CvssVector, modifiedAbbr: string, baseAbbr: string): string {
  const value = metricValue(vector, modifiedAbbr);
  return value === 'X' ? metricValue(vector, baseAbbr) : value;
}

/** Scores a parsed CVSS 3.1 (or legacy 3.0) vector (see parseCvssVector). */
export function scoreCvss3(vector: CvssVector): Cvss3Scores {
  const version = vector.version;
  if (version !== '3.1' && version !== '3.0') throw new Error(`scoreCvss3 needs a CVSS 3.x vector, got ${version}`);
  const roundUp = version === '3.1' ? roundUp31 : roundUp30;
  const m = (abbr: string): string => metricValue(vector, abbr);

  // §7.1 Base metric equations.
  const scopeChanged = m('S') === 'C';
  const iss = 1 - (1 - weight(cia, m('C'))) * (1 - weight(cia, m('I'))) * (1 - weight(cia, m('A')));
  const impact = scopeChanged ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const privileges = scopeChanged ? privilegesChanged : privilegesUnchanged;
  const exploitability =
    8.22 * weight(attackVector, m('AV')) * weight(attackComplexity, m('AC')) * weight(privileges, m('PR')) * weight(userInteraction, m('UI'));
  let baseScore = 0;
  if (impact > 0) {
    baseScore = scopeChanged ? roundUp(Math.min(1.08 * (impact + exploitability), 10)) : roundUp(Math.min(impact + exploitability, 10));
  }

  // §7.2 Temporal metric equation.
  const temporalFactor = (x: number): number =>
    x * weight(exploitMaturity, m('E')) * weight(remediationLevel, m('RL')) * weight(reportConfidence, m('RC'));
  const temporalScore = roundUp(temporalFactor(baseScore));

  // §7.3 Environmental metric equations.
  const modifiedScopeChanged = modified(vector, 'MS', 'S') === 'C';
  const miss = Math.min(
    1 -
      (1 - weight(requirement, m('CR')) * weight(cia, modified(vector, 'MC', 'C'))) *
        (1 - weight(requirement, m('IR')) * weight(cia, modified(vector, 'MI', 'I'))) *
        (1 - weight(requirement, m('AR')) * weight(cia, modified(vector, 'MA', 'A'))),
    0.915,
  );
  // v3.1 changed the scope-changed modified impact so that raising a metric never lowers the score.
  const changedTerm = version === '3.1' ? Math.pow(miss * 0.9731 - 0.02, 13) : Math.pow(miss - 0.02, 15);
  const modifiedImpact = modifiedScopeChanged ? 7.52 * (miss - 0.029) - 3.25 * changedTerm : 6.42 * miss;
  const modifiedExploitability =
    8.22 *
    weight(attackVector, modified(vector, 'MAV', 'AV')) *
    weight(attackComplexity, modified(vector, 'MAC', 'AC')) *
    weight(modifiedScopeChanged ? privilegesChanged : privilegesUnchanged, modified(vector, 'MPR', 'PR')) *
    weight(userInteraction, modified(vector, 'MUI', 'UI'));
  let environmentalScore = 0;
  if (modifiedImpact > 0) {
    const inner = modifiedScopeChanged
      ? roundUp(Math.min(1.08 * (modifiedImpact + modifiedExploitability), 10))
      : roundUp(Math.min(modifiedImpact + modifiedExploitability, 10));
    environmentalScore = roundUp(temporalFactor(inner));
  }

  const isSet = (abbrs: string[]): boolean => abbrs.some((a) => m(a) !== 'X');
  return {
    version,
    vectorString: vector.vectorString,
    baseScore,
    baseSeverity: severityRating(baseScore),
    temporalScore,
    temporalSeverity: severityRating(temporalScore),
    environmentalScore,
    environmentalSeverity: severityRating(environmentalScore),
    hasTemporalMetrics: isSet(['E', 'RL', 'RC']),
    hasEnvironmentalMetrics: isSet(['CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA']),
  };
}
