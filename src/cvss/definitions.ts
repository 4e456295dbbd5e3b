// Metric tables for the CVSS versions Cordon reads (v3.1 and v4.0 for new work; v2.0 and v3.0 only
// so that legacy assessments can still be published). Abbreviations and values follow the FIRST
// specifications (v2.0 §3, v3.1 §7.4 Table 15, v4.0 §7 "Vector String"); the `json` names are
// the enumerations of the FIRST CVSS JSON schemas, which CVE JSON 5 and CSAF 2.0 embed.

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export type MetricGroup = 'base' | 'temporal' | 'threat' | 'environmental' | 'supplemental';

export interface MetricValue {
  /** Abbreviation used in the vector string, e.g. `N`. */
  readonly abbr: string;
  /** Enumeration value in the FIRST JSON schema, e.g. `NETWORK`. */
  readonly json: string;
}

export interface MetricDefinition {
  readonly abbr: string;
  readonly name: string;
  readonly group: MetricGroup;
  /** Property name in the FIRST JSON schema, e.g. `attackVector`. */
  readonly jsonKey: string;
  readonly values: readonly MetricValue[];
}

export interface VersionDefinition {
  readonly version: CvssVersion;
  /** Vector prefix including the trailing slash; empty for v2, which has none. */
  readonly prefix: string;
  /**
   * v4.0 §7 and v2.0 §2.4 give one fixed metric order (the FIRST v4.0 JSON schema pattern enforces it);
   * v3.1 §6 lets metrics appear in any order.
   */
  readonly fixedOrder: boolean;
  /** Metrics in specification order. */
  readonly metrics: readonly MetricDefinition[];
}

function metric(
  group: MetricGroup,
  abbr: string,
  name: string,
  jsonKey: string,
  values: Record<string, string>,
): MetricDefinition {
  return { group, abbr, name, jsonKey, values: Object.entries(values).map(([a, json]) => ({ abbr: a, json })) };
}

const notDefined = { X: 'NOT_DEFINED' };
const cia3 = { H: 'HIGH', L: 'LOW', N: 'NONE' };
const requirement = { X: 'NOT_DEFINED', H: 'HIGH', M: 'MEDIUM', L: 'LOW' };

export const cvss31: VersionDefinition = {
  version: '3.1',
  prefix: 'CVSS:3.1/',
  fixedOrder: false,
  metrics: [
    metric('base', 'AV', 'Attack Vector', 'attackVector', { N: 'NETWORK', A: 'ADJACENT_NETWORK', L: 'LOCAL', P: 'PHYSICAL' }),
    metric('base', 'AC', 'Attack Complexity', 'attackComplexity', { L: 'LOW', H: 'HIGH' }),
    metric('base', 'PR', 'Privileges Required', 'privilegesRequired', { N: 'NONE', L: 'LOW', H: 'HIGH' }),
    metric('base', 'UI', 'User Interaction', 'userInteraction', { N: 'NONE', R: 'REQUIRED' }),
    metric('base', 'S', 'Scope', 'scope', { U: 'UNCHANGED', C: 'CHANGED' }),
    metric('base', 'C', 'Confidentiality', 'confidentialityImpact', cia3),
    metric('base', 'I', 'Integrity', 'integrityImpact', cia3),
    metric('base', 'A', 'Availability', 'availabilityImpact', cia3),
    metric('temporal', 'E', 'Exploit Code Maturity', 'exploitCodeMaturity', {
      ...notDefined, H: 'HIGH', F: 'FUNCTIONAL', P: 'PROOF_OF_CONCEPT', U: 'UNPROVEN',
    }),
    metric('temporal', 'RL', 'Remediation Level', 'remediationLevel', {
      ...notDefined, U: 'UNAVAILABLE', W: 'WORKAROUND', T: 'TEMPORARY_FIX', O: 'OFFICIAL_FIX',
    }),
    metric('temporal', 'RC', 'Report Confidence', 'reportConfidence', {
      ...notDefined, C: 'CONFIRMED', R: 'REASONABLE', U: 'UNKNOWN',
    }),
    metric('environmental', 'CR', 'Confidentiality Requirement', 'confidentialityRequirement', requirement),
    metric('environmental', 'IR', 'Integrity Requirement', 'integrityRequirement', requirement),
    metric('environmental', 'AR', 'Availability Requirement', 'availabilityRequirement', requirement),
    metric('environmental', 'MAV', 'Modified Attack Vector', 'modifiedAttackVector', {
      ...notDefined, N: 'NETWORK', A: 'ADJACENT_NETWORK', L: 'LOCAL', P: 'PHYSICAL',
    }),
    metric('environmental', 'MAC', 'Modified Attack Complexity', 'modifiedAttackComplexity', { ...notDefined, L: 'LOW', H: 'HIGH' }),
    metric('environmental', 'MPR', 'Modified Privileges Required', 'modifiedPrivilegesRequired', {
      ...notDefined, N: 'NONE', L: 'LOW', H: 'HIGH',
    }),
    metric('environmental', 'MUI', 'Modified User Interaction', 'modifiedUserInteraction', { ...notDefined, N: 'NONE', R: 'REQUIRED' }),
    metric('environmental', 'MS', 'Modified Scope', 'modifiedScope', { ...notDefined, U: 'UNCHANGED', C: 'CHANGED' }),
    metric('environmental', 'MC', 'Modified Confidentiality', 'modifiedConfidentialityImpact', { ...notDefined, ...cia3 }),
    metric('environmental', 'MI', 'Modified Integrity', 'modifiedIntegrityImpact', { ...notDefined, ...cia3 }),
    metric('environmental', 'MA', 'Modified Availability', 'modifiedAvailabilityImpact', { ...notDefined, ...cia3 }),
  ],
};

/** CVSS v3.0 has the same metrics as v3.1 (v3.1 changed formulas and wording, not the vector). */
export const cvss30: VersionDefinition = { ...cvss31, version: '3.0', prefix: 'CVSS:3.0/' };

const subsequentModified = { X: 'NOT_DEFINED', S: 'SAFETY', H: 'HIGH', L: 'LOW', N: 'NONE' };

export const cvss40: VersionDefinition = {
  version: '4.0',
  prefix: 'CVSS:4.0/',
  fixedOrder: true,
  metrics: [
    metric('base', 'AV', 'Attack Vector', 'attackVector', { N: 'NETWORK', A: 'ADJACENT', L: 'LOCAL', P: 'PHYSICAL' }),
    metric('base', 'AC', 'Attack Complexity', 'attackComplexity', { L: 'LOW', H: 'HIGH' }),
    metric('base', 'AT', 'Attack Requirements', 'attackRequirements', { N: 'NONE', P: 'PRESENT' }),
    metric('base', 'PR', 'Privileges Required', 'privilegesRequired', { N: 'NONE', L: 'LOW', H: 'HIGH' }),
    metric('base', 'UI', 'User Interaction', 'userInteraction', { N: 'NONE', P: 'PASSIVE', A: 'ACTIVE' }),
    metric('base', 'VC', 'Vulnerable System Confidentiality', 'vulnConfidentialityImpact', cia3),
    metric('base', 'VI', 'Vulnerable System Integrity', 'vulnIntegrityImpact', cia3),
    metric('base', 'VA', 'Vulnerable System Availability', 'vulnAvailabilityImpact', cia3),
    metric('base', 'SC', 'Subsequent System Confidentiality', 'subConfidentialityImpact', cia3),
    metric('base', 'SI', 'Subsequent System Integrity', 'subIntegrityImpact', cia3),
    metric('base', 'SA', 'Subsequent System Availability', 'subAvailabilityImpact', cia3),
    metric('threat', 'E', 'Exploit Maturity', 'exploitMaturity', {
      ...notDefined, A: 'ATTACKED', P: 'PROOF_OF_CONCEPT', U: 'UNREPORTED',
    }),
    metric('environmental', 'CR', 'Confidentiality Requirement', 'confidentialityRequirement', requirement),
    metric('environmental', 'IR', 'Integrity Requirement', 'integrityRequirement', requirement),
    metric('environmental', 'AR', 'Availability Requirement', 'availabilityRequirement', requirement),
    metric('environmental', 'MAV', 'Modified Attack Vector', 'modifiedAttackVector', {
      ...notDefined, N: 'NETWORK', A: 'ADJACENT', L: 'LOCAL', P: 'PHYSICAL',
    }),
    metric('environmental', 'MAC', 'Modified Attack Complexity', 'modifiedAttackComplexity', { ...notDefined, L: 'LOW', H: 'HIGH' }),
    metric('environmental', 'MAT', 'Modified Attack Requirements', 'modifiedAttackRequirements', {
      ...notDefined, N: 'NONE', P: 'PRESENT',
    }),
    metric('environmental', 'MPR', 'Modified Privileges Required', 'modifiedPrivilegesRequired', {
      ...notDefined, N: 'NONE', L: 'LOW', H: 'HIGH',
    }),
    metric('environmental', 'MUI', 'Modified User Interaction', 'modifiedUserInteraction', {
      ...notDefined, N: 'NONE', P: 'PASSIVE', A: 'ACTIVE',
    }),
    metric('environmental', 'MVC', 'Modified Vulnerable System Confidentiality', 'modifiedVulnConfidentialityImpact', { ...notDefined, ...cia3 }),
    metric('environmental', 'MVI', 'Modified Vulnerable System Integrity', 'modifiedVulnIntegrityImpact', { ...notDefined, ...cia3 }),
    metric('environmental', 'MVA', 'Modified Vulnerable System Availability', 'modifiedVulnAvailabilityImpact', { ...notDefined, ...cia3 }),
    metric('environmental', 'MSC', 'Modified Subsequent System Confidentiality', 'modifiedSubConfidentialityImpact', { ...notDefined, ...cia3 }),
    metric('environmental', 'MSI', 'Modified Subsequent System Integrity', 'modifiedSubIntegrityImpact', subsequentModified),
    metric('environmental', 'MSA', 'Modified Subsequent System Availability', 'modifiedSubAvailabilityImpact', subsequentModified),
    metric('supplemental', 'S', 'Safety', 'Safety', { ...notDefined, N: 'NEGLIGIBLE', P: 'PRESENT' }),
    metric('supplemental', 'AU', 'Automatable', 'Automatable', { ...notDefined, N: 'NO', Y: 'YES' }),
    metric('supplemental', 'R', 'Recovery', 'Recovery', { ...notDefined, A: 'AUTOMATIC', U: 'USER', I: 'IRRECOVERABLE' }),
    metric('supplemental', 'V', 'Value Density', 'valueDensity', { ...notDefined, D: 'DIFFUSE', C: 'CONCENTRATED' }),
    metric('supplemental', 'RE', 'Vulnerability Response Effort', 'vulnerabilityResponseEffort', {
      ...notDefined, L: 'LOW', M: 'MODERATE', H: 'HIGH',
    }),
    metric('supplemental', 'U', 'Provider Urgency', 'providerUrgency', {
      ...notDefined, Clear: 'CLEAR', Green: 'GREEN', Amber: 'AMBER', Red: 'RED',
    }),
  ],
};

const cia2 = { N: 'NONE', P: 'PARTIAL', C: 'COMPLETE' };
const requirement2 = { ND: 'NOT_DEFINED', L: 'LOW', M: 'MEDIUM', H: 'HIGH' };

/** CVSS v2.0 is only read for legacy advisories (the OpenStack corpus scores with it until 2016). */
export const cvss20: VersionDefinition = {
  version: '2.0',
  prefix: '',
  fixedOrder: true,
  metrics: [
    metric('base', 'AV', 'Access Vector', 'accessVector', { L: 'LOCAL', A: 'ADJACENT_NETWORK', N: 'NETWORK' }),
    metric('base', 'AC', 'Access Complexity', 'accessComplexity', { H: 'HIGH', M: 'MEDIUM', L: 'LOW' }),
    metric('base', 'Au', 'Authentication', 'authentication', { M: 'MULTIPLE', S: 'SINGLE', N: 'NONE' }),
    metric('base', 'C', 'Confidentiality Impact', 'confidentialityImpact', cia2),
    metric('base', 'I', 'Integrity Impact', 'integrityImpact', cia2),
    metric('base', 'A', 'Availability Impact', 'availabilityImpact', cia2),
    metric('temporal', 'E', 'Exploitability', 'exploitability', {
      U: 'UNPROVEN', POC: 'PROOF_OF_CONCEPT', F: 'FUNCTIONAL', H: 'HIGH', ND: 'NOT_DEFINED',
    }),
    metric('temporal', 'RL', 'Remediation Level', 'remediationLevel', {
      OF: 'OFFICIAL_FIX', TF: 'TEMPORARY_FIX', W: 'WORKAROUND', U: 'UNAVAILABLE', ND: 'NOT_DEFINED',
    }),
    metric('temporal', 'RC', 'Report Confidence', 'reportConfidence', {
      UC: 'UNCONFIRMED', UR: 'UNCORROBORATED', C: 'CONFIRMED', ND: 'NOT_DEFINED',
    }),
    metric('environmental', 'CDP', 'Collateral Damage Potential', 'collateralDamagePotential', {
      N: 'NONE', L: 'LOW', LM: 'LOW_MEDIUM', MH: 'MEDIUM_HIGH', H: 'HIGH', ND: 'NOT_DEFINED',
    }),
    metric('environmental', 'TD', 'Target Distribution', 'targetDistribution', {
      N: 'NONE', L: 'LOW', M: 'MEDIUM', H: 'HIGH', ND: 'NOT_DEFINED',
    }),
    metric('environmental', 'CR', 'Confidentiality Requirement', 'confidentialityRequirement', requirement2),
    metric('environmental', 'IR', 'Integrity Requirement', 'integrityRequirement', requirement2),
    metric('environmental', 'AR', 'Availability Requirement', 'availabilityRequirement', requirement2),
  ],
};

export const definitions: Record<CvssVersion, VersionDefinition> = { '2.0': cvss20, '3.0': cvss30, '3.1': cvss31, '4.0': cvss40 };

/** Value that means "Not Defined" in each version (X in v3.1/v4.0, ND in v2.0). */
export function notDefinedValue(version: CvssVersion): string {
  return version === '2.0' ? 'ND' : 'X';
}
