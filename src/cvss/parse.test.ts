import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import {
  checkCvssVector,
  cvssJson,
  CURRENT_CVSS_VERSIONS,
  headlineScore,
  parseCvssVector,
  scoreCvssVector,
  severityRating,
} from './index.js';

const base31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const base40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

/** The messages of the validation error a bad vector raises (and proves it is one). */
function problems(vector: string, options = {}): string[] {
  try {
    parseCvssVector(vector, options);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('validation_failed');
    expect(appError.status).toBe(400);
    return appError.fields.map((f) => f.message);
  }
  throw new Error(`expected "${vector}" to be rejected`);
}

describe('CVSS vector validation', () => {
  it('accepts well-formed vectors of every version and reports the version', () => {
    expect(parseCvssVector(base31).version).toBe('3.1');
    expect(parseCvssVector(base40).version).toBe('4.0');
    expect(parseCvssVector('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').version).toBe('3.0');
    expect(parseCvssVector('AV:N/AC:M/Au:N/C:P/I:P/A:N').version).toBe('2.0');
    expect([...parseCvssVector(`  ${base31}  `).metrics.keys()]).toEqual(['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A']);
  });

  it('names an unknown metric', () => {
    expect(problems(`${base31}/FOO:X`)).toEqual(['unknown metric "FOO" for CVSS 3.1']);
    expect(problems(`${base40}/MS:U`)).toEqual(['unknown metric "MS" for CVSS 4.0']);
    expect(problems('CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toContain('unknown metric "av" for CVSS 3.1 (did you mean "AV"?)');
  });

  it('names every missing base metric', () => {
    expect(problems('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H')).toEqual(['missing base metric "S" (Scope)']);
    expect(problems('CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N')).toEqual([
      'missing base metric "AT" (Attack Requirements)',
      'missing base metric "SA" (Subsequent System Availability)',
    ]);
    expect(problems('CVSS:3.1')).toHaveLength(8);
  });

  it('names a metric with a value the specification does not allow, and lists the allowed ones', () => {
    expect(problems('CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toEqual([
      'metric "AV" (Attack Vector) has invalid value "Q"; allowed values: N, A, L, P',
    ]);
    // Modified Subsequent Integrity may be S(afety) in v4.0, but Subsequent Integrity may not.
    expect(problems('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N')).toEqual([
      'metric "SI" (Subsequent System Integrity) has invalid value "S"; allowed values: H, L, N',
    ]);
    expect(parseCvssVector(`${base40}/MSI:S`).metrics.get('MSI')).toBe('S');
    expect(problems(`${base31}/E:X/RL:Z`)).toEqual([
      'metric "RL" (Remediation Level) has invalid value "Z"; allowed values: X, U, W, T, O',
    ]);
  });

  it('rejects a wrong or missing prefix', () => {
    expect(problems('CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toEqual([
      'unknown version prefix "CVSS:3.2": a vector must start with one of "AV: (a bare CVSS v2.0 vector)", "CVSS:3.0/", "CVSS:3.1/", "CVSS:4.0/"',
    ]);
    expect(problems('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', { versions: CURRENT_CVSS_VERSIONS })).toEqual([
      'missing or wrong prefix: a vector must start with one of "CVSS:3.1/", "CVSS:4.0/"',
    ]);
    expect(problems('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', { versions: CURRENT_CVSS_VERSIONS })).toEqual([
      'CVSS 3.0 vectors are not accepted here: a vector must start with one of "CVSS:3.1/", "CVSS:4.0/"',
    ]);
    expect(problems('cvss:3.1/AV:N')[0]).toMatch(/^missing or wrong prefix/);
    expect(problems('')).toEqual(['the CVSS vector is empty']);
  });

  it('rejects a metric given twice', () => {
    expect(problems(`${base31}/AV:L`)).toEqual(['metric "AV" (Attack Vector) appears more than once']);
  });

  it('enforces the fixed metric order of CVSS 4.0 and 2.0 but not of 3.1', () => {
    expect(problems('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N')).toEqual([
      'metric "VI" (Vulnerable System Integrity) is out of order: CVSS 4.0 requires it before "SC"',
      'metric "VA" (Vulnerable System Availability) is out of order: CVSS 4.0 requires it before "SI"',
    ]);
    expect(problems(`${base40}/CR:H/E:A`)).toEqual(['metric "E" (Exploit Maturity) is out of order: CVSS 4.0 requires it before "CR"']);
    expect(problems('AC:M/AV:N/Au:N/C:P/I:P/A:N')).toEqual(['metric "AV" (Access Vector) is out of order: CVSS 2.0 requires it before "AC"']);
    expect(problems('AV:N/Au:N/AC:M/C:P/I:P/A:N')).toEqual(['metric "AC" (Access Complexity) is out of order: CVSS 2.0 requires it before "Au"']);
    const shuffled31 = 'CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N';
    expect(scoreCvssVector(shuffled31)).toMatchObject({ baseScore: 9.8 });
  });

  it('rejects stray separators and malformed pairs', () => {
    expect(problems(`${base31}/`)).toEqual(['empty metric at position 9 (a stray "/")']);
    expect(problems(`${base31}/E`)).toEqual(['"E" is not a METRIC:VALUE pair']);
    expect(problems(`${base31}/E:P:F`)).toEqual(['"E:P:F" is not a METRIC:VALUE pair']);
  });

  it('puts every issue on the given field and the metric into the error message', () => {
    const result = checkCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/FOO:X', { field: 'vulnerabilities.0.cvss' });
    expect(result.vector).toBeUndefined();
    expect(result.issues).toEqual([
      { field: 'vulnerabilities.0.cvss', message: 'unknown metric "FOO" for CVSS 3.1' },
      { field: 'vulnerabilities.0.cvss', message: 'missing base metric "A" (Availability)' },
    ]);
    expect(() => parseCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/FOO:X')).toThrow(/unknown metric "FOO"/);
  });
});

describe('CVSS scores and severity', () => {
  it('rates severity with the FIRST bands', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityRating)).toEqual([
      'None', 'Low', 'Low', 'Medium', 'Medium', 'High', 'High', 'Critical', 'Critical',
    ]);
    expect(() => severityRating(10.1)).toThrow(RangeError);
  });

  it('scores CVSS 3.1 temporal and environmental metrics (FIRST calculator values)', () => {
    const scores = scoreCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/MAV:L/MS:U');
    expect(scores).toMatchObject({
      baseScore: 9.6, baseSeverity: 'Critical', temporalScore: 8.6, temporalSeverity: 'High',
      environmentalScore: 7, environmentalSeverity: 'High', hasTemporalMetrics: true, hasEnvironmentalMetrics: true,
    });
    expect(headlineScore(scores)).toBe(9.6);
  });

  it('scores CVSS 4.0 by metric group with the nomenclature of §1.3', () => {
    expect(scoreCvssVector(base40)).toMatchObject({ score: 9.3, severity: 'Critical', nomenclature: 'CVSS-B', baseScore: 9.3 });
    const bt = scoreCvssVector(`${base40}/E:U`);
    expect(bt).toMatchObject({ score: 8.1, nomenclature: 'CVSS-BT', baseScore: 9.3, threatScore: 8.1, threatSeverity: 'High' });
    expect(bt).not.toHaveProperty('environmentalScore');
    const bte = scoreCvssVector(`${base40}/E:P/CR:L/IR:L/MSI:S/S:P/U:Red`);
    expect(bte).toMatchObject({ nomenclature: 'CVSS-BTE', baseScore: 9.3, threatScore: 8.9, environmentalScore: 9.7, score: 9.7 });
    expect(scoreCvssVector(`${base40}/E:X/CR:X`)).toMatchObject({ nomenclature: 'CVSS-B' });
    expect(scoreCvssVector(base40)).toHaveProperty('macroVector', '000200');
  });

  it('scores CVSS 2.0 legacy vectors as NVD did', () => {
    expect(scoreCvssVector('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toEqual({ version: '2.0', vectorString: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', baseScore: 7.5 });
    expect(scoreCvssVector('AV:N/AC:M/Au:N/C:P/I:P/A:N')).toMatchObject({ baseScore: 5.8 });
  });
});

describe('FIRST CVSS JSON objects', () => {
  it('maps a 3.1 vector to the cvss-v3.1 JSON properties, base-only when no other group is set', () => {
    expect(cvssJson(scoreCvssVector(base31))).toEqual({
      version: '3.1',
      vectorString: base31,
      attackVector: 'NETWORK',
      attackComplexity: 'LOW',
      privilegesRequired: 'NONE',
      userInteraction: 'NONE',
      scope: 'UNCHANGED',
      confidentialityImpact: 'HIGH',
      integrityImpact: 'HIGH',
      availabilityImpact: 'HIGH',
      baseScore: 9.8,
      baseSeverity: 'CRITICAL',
    });
    expect(cvssJson(scoreCvssVector(`${base31}/E:U`))).toMatchObject({ exploitCodeMaturity: 'UNPROVEN', temporalScore: 9.0, temporalSeverity: 'CRITICAL' });
  });

  it('maps 4.0 and 2.0 vectors', () => {
    expect(cvssJson(scoreCvssVector(`${base40}/E:A/MSI:S/U:Amber`))).toMatchObject({
      version: '4.0',
      vulnConfidentialityImpact: 'HIGH',
      exploitMaturity: 'ATTACKED',
      modifiedSubIntegrityImpact: 'SAFETY',
      providerUrgency: 'AMBER',
      baseScore: 9.3,
      baseSeverity: 'CRITICAL',
      threatScore: 9.3,
      environmentalScore: 10,
      environmentalSeverity: 'CRITICAL',
    });
    expect(cvssJson(scoreCvssVector('AV:A/AC:H/Au:M/C:C/I:N/A:N'))).toEqual({
      version: '2.0',
      vectorString: 'AV:A/AC:H/Au:M/C:C/I:N/A:N',
      accessVector: 'ADJACENT_NETWORK',
      accessComplexity: 'HIGH',
      authentication: 'MULTIPLE',
      confidentialityImpact: 'COMPLETE',
      integrityImpact: 'NONE',
      availabilityImpact: 'NONE',
      baseScore: 4,
    });
  });
});
