// Qualitative Severity Rating Scale: CVSS v3.1 §5 Table 14 and CVSS v4.0 §6 use the same bands.

export type CvssSeverity = 'None' | 'Low' | 'Medium' | 'High' | 'Critical';

/** Rating for a v3.1 or v4.0 score: None 0.0, Low 0.1–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0. */
export function severityRating(score: number): CvssSeverity {
  if (!Number.isFinite(score) || score < 0 || score > 10) throw new RangeError(`CVSS score out of range: ${score}`);
  if (score === 0) return 'None';
  if (score < 4) return 'Low';
  if (score < 7) return 'Medium';
  if (score < 9) return 'High';
  return 'Critical';
}

/** The upper-case form the FIRST CVSS JSON schemas (and so CVE JSON 5 and CSAF) use. */
export function severityJson(severity: CvssSeverity): 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' {
  return severity.toUpperCase() as 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
}
