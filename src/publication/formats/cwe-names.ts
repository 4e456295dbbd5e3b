// CWE names for CSAF `cwe.name` and CVE `problemTypes` descriptions. CSAF 2.0 mandatory test 6.1.11
// requires the name to be the catalogue's name for the id, so we read the same catalogue the
// reference validator uses instead of keeping our own copy.
import { weaknesses } from '@secvisogram/csaf-validator-lib/cwe.js';

const names = new Map(weaknesses.map((w) => [w.id, w.name]));

/** The CWE catalogue name of `CWE-<n>`, or undefined for an id the catalogue does not know. */
export function cweName(id: string): string | undefined {
  return names.get(id);
}
