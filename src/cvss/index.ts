// Public entry point of the CVSS module: validate a vector, then score it per its version.
import { parseCvssVector, type CvssParseOptions, type CvssVector } from './parse.js';
import { scoreCvss20, type Cvss20Scores } from './score-v20.js';
import { scoreCvss3, type Cvss3Scores } from './score-v3.js';
import { scoreCvss40, type Cvss40Scores } from './score-v40.js';

export type { CvssVersion, MetricDefinition, MetricGroup, VersionDefinition } from './definitions.js';
export { definitions } from './definitions.js';
export { checkCvssVector, parseCvssVector, metricValue, CURRENT_CVSS_VERSIONS } from './parse.js';
export type { CvssVector, CvssCheckResult, CvssParseOptions } from './parse.js';
export { severityRating, severityJson, type CvssSeverity } from './severity.js';
export { roundUp31, scoreCvss3, type Cvss3Scores } from './score-v3.js';
export { scoreCvss40, type Cvss40Scores, type Cvss40Nomenclature } from './score-v40.js';
export { scoreCvss20, type Cvss20Scores } from './score-v20.js';
export { cvssJson, type CvssJson } from './first-json.js';

export type CvssScores = Cvss20Scores | Cvss3Scores | Cvss40Scores;

/** Scores an already parsed vector. */
export function scoreParsedCvss(vector: CvssVector): CvssScores {
  switch (vector.version) {
    case '2.0':
      return scoreCvss20(vector);
    case '3.0':
    case '3.1':
      return scoreCvss3(vector);
    case '4.0':
      return scoreCvss40(vector);
  }
}

/** Validates and scores a vector string; throws a validation AppError naming each bad metric. */
export function scoreCvssVector(input: string, options: CvssParseOptions = {}): CvssScores {
  return scoreParsedCvss(parseCvssVector(input, options));
}

/** The headline score of any version: base for v2/v3.x, the whole-vector score for v4.0. */
export function headlineScore(scores: CvssScores): number {
  return scores.version === '4.0' ? scores.score : scores.baseScore;
}
