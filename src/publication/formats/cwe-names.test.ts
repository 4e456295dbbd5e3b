// The CWE names Cordon ships (cwe-catalogue.ts) are exactly the catalogue the CSAF reference validator
// checks `cwe.name` against (mandatory test 6.1.11). When this fails after a library update, regenerate:
// `node scripts/cwe-names.js`.
import { describe, expect, it } from 'vitest';
import { weaknesses } from '@secvisogram/csaf-validator-lib/cwe.js';
import { CWE_CATALOGUE } from './cwe-catalogue.js';
import { cweName } from './cwe-names.js';

describe('CWE names', () => {
  it('are the reference validator catalogue, id for id (regenerate with node scripts/cwe-names.js)', () => {
    const byId = (a: readonly [string, string], b: readonly [string, string]) => a[0].localeCompare(b[0]);
    expect([...CWE_CATALOGUE].sort(byId)).toEqual(weaknesses.map((w): [string, string] => [w.id, w.name]).sort(byId));
    expect(new Set(CWE_CATALOGUE.map(([id]) => id)).size).toBe(CWE_CATALOGUE.length);
  });

  it('names a known id and nothing for an unknown one', () => {
    const known = weaknesses.find((w) => w.id === 'CWE-79');
    expect(known).toBeDefined();
    expect(cweName('CWE-79')).toBe(known?.name);
    expect(cweName('CWE-0')).toBeUndefined();
  });
});
