// The FIRST CVSS JSON representations (cvss-v2.0.json, cvss-v3.x.json, cvss-v4.0.json), which CVE
// JSON 5 embeds as cvssV2_0 / cvssV3_0 / cvssV3_1 / cvssV4_0 and CSAF 2.0 as cvss_v2 / cvss_v3.
import { definitions } from './definitions.js';
import { parseCvssVector, type CvssVector } from './parse.js';
import type { Cvss20Scores } from './score-v20.js';
import type { Cvss3Scores } from './score-v3.js';
import type { Cvss40Scores } from './score-v40.js';
import { severityJson } from './severity.js';

export type CvssJson = Record<string, string | number>;

/** Metric properties for the metrics the vector lists (omitted metrics stay absent). */
function metricProperties(vector: CvssVector): CvssJson {
  const out: CvssJson = {};
  for (const def of definitions[vector.version].metrics) {
    const value = vector.metrics.get(def.abbr);
    const json = def.values.find((v) => v.abbr === value)?.json;
    if (json !== undefined) out[def.jsonKey] = json;
  }
  return out;
}

/**
 * The FIRST JSON object for a scored vector. Temporal, threat and environmental scores are only
 * included when the vector sets metrics of that group, so a base vector gives a base-only object.
 */
export function cvssJson(scores: Cvss20Scores | Cvss3Scores | Cvss40Scores): CvssJson {
  const metrics = metricProperties(parseCvssVector(scores.vectorString, { versions: [scores.version] }));
  switch (scores.version) {
    case '2.0':
      return {
        version: '2.0',
        vectorString: scores.vectorString,
        ...metrics,
        baseScore: scores.baseScore,
        ...(scores.temporalScore === undefined ? {} : { temporalScore: scores.temporalScore }),
        ...(scores.environmentalScore === undefined ? {} : { environmentalScore: scores.environmentalScore }),
      };
    case '3.0':
    case '3.1':
      return {
        version: scores.version,
        vectorString: scores.vectorString,
        ...metrics,
        baseScore: scores.baseScore,
        baseSeverity: severityJson(scores.baseSeverity),
        ...(scores.hasTemporalMetrics
          ? { temporalScore: scores.temporalScore, temporalSeverity: severityJson(scores.temporalSeverity) }
          : {}),
        ...(scores.hasEnvironmentalMetrics
          ? { environmentalScore: scores.environmentalScore, environmentalSeverity: severityJson(scores.environmentalSeverity) }
          : {}),
      };
    case '4.0':
      return {
        version: '4.0',
        vectorString: scores.vectorString,
        ...metrics,
        baseScore: scores.baseScore,
        baseSeverity: severityJson(scores.baseSeverity),
        ...(scores.threatScore === undefined || scores.threatSeverity === undefined
          ? {}
          : { threatScore: scores.threatScore, threatSeverity: severityJson(scores.threatSeverity) }),
        ...(scores.environmentalScore === undefined || scores.environmentalSeverity === undefined
          ? {}
          : { environmentalScore: scores.environmentalScore, environmentalSeverity: severityJson(scores.environmentalSeverity) }),
      };
  }
}
