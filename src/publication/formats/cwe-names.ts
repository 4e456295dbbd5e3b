// CWE names for CSAF `cwe.name` and CVE `problemTypes` descriptions. CSAF 2.0 mandatory test 6.1.11
// requires the name to be the catalogue's name for the id: cwe-catalogue.ts is the reference validator's
// catalogue, generated from it (scripts/cwe-names.js) so production does not ship the validator.
import { CWE_CATALOGUE } from './cwe-catalogue.js';

const names = new Map(CWE_CATALOGUE);

/** The CWE catalogue name of `CWE-<n>`, or undefined for an id the catalogue does not know. */
export function cweName(id: string): string | undefined {
  return names.get(id);
}
